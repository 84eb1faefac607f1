// Child process. `node worker.js cold <fw>`: import + first turn.
// `node --expose-gc worker.js warm <fw>`: latency, concurrency, heap.
const t0 = performance.now(); // ms since process start (node bootstrap included)
const [mode, fw] = process.argv.slice(2) as [string, string];
const { registry, counters, reports } = await import('./frameworks.js');

const check = (what: string, model: number, tool: number, out?: string) => {
  if (counters.model !== model || counters.tool !== tool || (out !== undefined && out !== 'done'))
    throw new Error(
      `${fw} ${what}: model=${counters.model}/${model} tool=${counters.tool}/${tool} out=${JSON.stringify(out)}`,
    );
  counters.model = 0;
  counters.tool = 0;
};

if (mode === 'cold') {
  const t1 = performance.now();
  const turn = await registry[fw]!();
  const t2 = performance.now();
  const out = await turn();
  const t3 = performance.now();
  check('cold', 3, 2, out);
  console.log(
    JSON.stringify({
      fw,
      boot_ms: t0,
      import_setup_ms: t2 - t1,
      first_turn_ms: t3 - t2,
      import_to_first_turn_ms: t3 - t1,
      since_process_start_ms: t3,
    }),
  );
} else {
  // With a zero-latency model nothing ever returns to the event loop, so a whole run would be ONE
  // macrotask: WeakRef targets stay pinned (V8 KeepDuringJob) and timers/finalizers never run.
  // Real model calls are I/O, so we yield once between turns (outside the timed region).
  const tick = () => new Promise<void>((r) => setImmediate(r));
  const gc = (globalThis as unknown as { gc: () => void }).gc as () => void;
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await tick();
      gc();
    }
  };
  const turn = await registry[fw]!();
  check('verify', 3, 2, await turn());

  for (let i = 0; i < 200; i++) {
    await turn();
    await tick();
  } // warm-up
  check('warmup', 600, 400);

  const N = 2000,
    lat = new Float64Array(N); // sequential latency
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    await turn();
    lat[i] = performance.now() - s;
    await tick();
  }
  check('seq', 3 * N, 2 * N);
  const sorted = Array.from(lat).sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(N - 1, Math.floor(p * N))]! * 1000;
  const mean = (sorted.reduce((a, b) => a + b, 0) / N) * 1000;

  const batch = async () => {
    const r = await Promise.all(Array.from({ length: 100 }, () => turn()));
    await tick();
    return r;
  };
  await batch();
  counters.model = 0;
  counters.tool = 0; // one warm-up batch
  const c0 = performance.now();
  for (let b = 0; b < 10; b++) for (const o of await batch()) if (o !== 'done') throw new Error('bad output ' + o);
  const cdt = performance.now() - c0;
  check('concurrent', 3000, 2000);

  await settle(); // heap growth over 5,000 turns
  const h0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < 5000; i++) {
    await turn();
    await tick();
  }
  await settle();
  const h1 = process.memoryUsage().heapUsed;
  check('heap', 15000, 10000);

  const extra: Record<string, number> = {}; // adapters' own figures, untimed
  for (const report of reports) Object.assign(extra, await report());

  console.log(
    JSON.stringify({
      fw,
      mean_us: mean,
      p50_us: q(0.5),
      p99_us: q(0.99),
      conc_turns_per_s: 1000 / (cdt / 1000),
      heap_before_mb: h0 / 2 ** 20,
      heap_growth_kb: (h1 - h0) / 1024,
      rss_mb: process.memoryUsage().rss / 2 ** 20,
      ...extra,
    }),
  );
}
