// Orchestrator: ONE run; each round spawns every framework (rotated order) for a cold start
// and then a warm measurement child; medians across rounds are reported.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Loose } from './workload.js';

const ALL = 'baseline,aisdk,mastra,langgraph,langchain,openai,strands,agentry,agentry-notrace';
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const FWS = (process.env.FWS || ALL).split(',');
const W = new URL('./worker.js', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname; // the Agentry repository
const pkgs = [
  'ai',
  '@mastra/core',
  '@langchain/langgraph',
  '@langchain/core',
  'langchain',
  '@openai/agents',
  '@strands-agents/sdk',
  'zod',
];
const rootPkgs = ['zod', '@ai-sdk/provider', '@opentelemetry/api', '@opentelemetry/sdk-trace-base'];
const ver = (p: string, dir = '') => JSON.parse(readFileSync(`${dir}node_modules/${p}/package.json`, 'utf8')).version;
console.log(`node ${process.version}; ` + pkgs.map((p) => `${p}@${ver(p)}`).join(', '));
console.log(
  `agentry@${JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version} (source) with root's ` +
    rootPkgs.map((p) => `${p}@${ver(p, ROOT)}`).join(', '),
);

const child = (args: string[]) => {
  const s = performance.now();
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, NODE_COMPILE_CACHE: '' },
  });
  const wall = performance.now() - s;
  return { ...JSON.parse(out.trim().split('\n').pop()!), spawn_wall_ms: wall };
};
const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b),
    m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

for (const fw of FWS) child([W, 'cold', fw]); // untimed priming pass (OS file cache)
const raw: Loose[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const order = FWS.map((_, i) => FWS[(i + r) % FWS.length]!);
  for (const fw of order) raw.push({ round: r + 1, kind: 'cold', ...child([W, 'cold', fw]) });
  for (const fw of order) {
    const res = { round: r + 1, kind: 'warm', ...child(['--expose-gc', W, 'warm', fw]) };
    raw.push(res);
    const spans = res.spans_per_turn === undefined ? '' : ` spans/turn ${res.spans_per_turn.toFixed(2)}`;
    console.log(
      `round ${r + 1} ${fw.padEnd(15)} mean ${res.mean_us.toFixed(0)}us p50 ${res.p50_us.toFixed(0)} p99 ${res.p99_us.toFixed(0)} conc ${res.conc_turns_per_s.toFixed(0)}/s heap +${res.heap_growth_kb.toFixed(0)}KB${spans}`,
    );
  }
}
writeFileSync('results.json', JSON.stringify(raw, null, 1));

const agg: Record<string, Loose> = {};
for (const fw of FWS) {
  const w = raw.filter((x) => x.kind === 'warm' && x.fw === fw),
    c = raw.filter((x) => x.kind === 'cold' && x.fw === fw);
  const m = (k: string, xs: Loose[]) => med(xs.map((x) => x[k]));
  agg[fw] = {
    mean: m('mean_us', w),
    p50: m('p50_us', w),
    p99: m('p99_us', w),
    tps: m('conc_turns_per_s', w),
    heap: m('heap_growth_kb', w),
    heapMax: Math.max(...w.map((x) => x.heap_growth_kb)),
    heapMin: Math.min(...w.map((x) => x.heap_growth_kb)),
    meanMin: Math.min(...w.map((x) => x.mean_us)),
    meanMax: Math.max(...w.map((x) => x.mean_us)),
    coldImport: m('import_setup_ms', c),
    coldFirst: m('first_turn_ms', c),
    cold: m('import_to_first_turn_ms', c),
    coldProc: m('since_process_start_ms', c),
    coldWall: m('spawn_wall_ms', c),
  };
}
const b = agg.baseline ?? { mean: NaN, tps: NaN }; // ratios print NaN when baseline is not in FWS
console.log(
  '\n| framework | mean µs/turn (min–max over rounds) | p50 µs | p99 µs | ×baseline (mean) | turns/s @100 in flight | ×baseline (turns/s) | heap growth / 5k turns KB (min–max) | cold: import+setup ms | cold: first turn ms | cold: import→first turn ms | cold: process start→first turn ms | cold: spawn→exit ms |',
);
console.log('|' + '---|'.repeat(13));
for (const fw of FWS) {
  const a = agg[fw],
    f = (x: number, d = 0) => x.toFixed(d);
  console.log(
    `| ${fw} | ${f(a.mean)} (${f(a.meanMin)}–${f(a.meanMax)}) | ${f(a.p50)} | ${f(a.p99)} | ${f(a.mean / b.mean, 1)} | ${f(a.tps)} | ${f(b.tps / a.tps, 1)} | ${f(a.heap)} (${f(a.heapMin)}–${f(a.heapMax)}) | ${f(a.coldImport)} | ${f(a.coldFirst, 1)} | ${f(a.cold)} | ${f(a.coldProc)} | ${f(a.coldWall)} |`,
  );
}

// Target: Agentry with tracing on costs at most half the fastest peer's mean µs per turn.
const peers = FWS.filter((fw) => fw !== 'baseline' && !fw.startsWith('agentry'));
if (agg.agentry && peers.length) {
  const fastest = peers.reduce((x, y) => (agg[y].mean < agg[x].mean ? y : x));
  const a = agg.agentry.mean,
    p = agg[fastest].mean,
    met = a <= p / 2;
  console.log(
    `\nAgentry (tracing on) mean ${a.toFixed(0)} µs/turn vs fastest peer ${fastest} ${p.toFixed(0)} µs/turn: ${(a / p).toFixed(2)}× — target ≤ 0.50× (≤ ${(p / 2).toFixed(0)} µs): ${met ? 'MET' : 'NOT MET'}`,
  );
}
