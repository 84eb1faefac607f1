// Leak trend probe: node --expose-gc dist/leak.js [fw=agentry] [chunks=4] [turnsPerChunk=5000] ; NOYIELD=1 disables per-turn event-loop yield
const { registry } = await import('./frameworks.js');
const [fw = 'agentry', chunks = '4', per = '5000'] = process.argv.slice(2);
const gc = (globalThis as unknown as { gc: () => void }).gc as () => void;
const tick = () => new Promise<void>((r) => setImmediate(r));
const heap = async () => {
  for (let i = 0; i < 3; i++) {
    await tick();
    gc();
  }
  return process.memoryUsage().heapUsed / 1024;
};
const make = registry[fw];
if (!make) throw new Error(`unknown framework "${fw}"; known: ${Object.keys(registry).join(', ')}`);
const turn = await make();
for (let i = 0; i < 1000; i++) {
  await turn();
  if (!process.env.NOYIELD) await tick();
}
const hs = [await heap()];
for (let c = 0; c < +chunks; c++) {
  for (let i = 0; i < +per; i++) {
    await turn();
    if (!process.env.NOYIELD) await tick();
  }
  hs.push(await heap());
}
// Least-squares slope of heap over chunks: a leak shows as a steady positive slope, noise as ~0.
const xm = (hs.length - 1) / 2,
  ym = hs.reduce((a, b) => a + b, 0) / hs.length;
let sxy = 0,
  sxx = 0;
hs.forEach((h, i) => {
  sxy += (i - xm) * (h - ym);
  sxx += (i - xm) ** 2;
});
console.log(
  JSON.stringify({
    fw,
    noyield: !!process.env.NOYIELD,
    heap_kb: hs.map(Math.round),
    delta_kb: hs.slice(1).map((h, i) => Math.round(h - hs[i]!)),
    slope_kb_per_chunk: Math.round(sxy / sxx),
    turns_per_chunk: +per,
  }),
);
