// Durable-turn benchmark: per-turn overhead of Agentry's durable loop (AgentRunner, journal on) on
// PostgreSQL and PGlite, next to its in-memory loop and to peers' in-memory agents, on the overhead
// bench's workload (zero-latency scripted model, 3 model calls + 2 tool calls per turn).
// Run: npm run bench:durable [-- --help]
//
// One run: every round spawns one child per variant (turn-worker.ts) in an order rotated by one
// each round; reported figures are medians over rounds. An untimed priming pass loads every
// variant once first (OS file cache). Then, unless --no-attribution, one more child per durable
// variant splits its turn into the store calls it waits on (timed-store.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fixed, markdownTable, median, rotate } from './stats.ts';
import { parseAgentryVariant } from './variants.ts';

const DEFAULT_VARIANTS = [
  'aisdk',
  'langgraph',
  'agentry-memory',
  'durable-memory-fresh',
  'durable-pglite-fresh',
  'durable-pglite-continuing',
  'durable-postgres-fresh',
  'durable-postgres-continuing',
];

const HELP = `npm run bench:durable -- [options]
  --variants LIST     comma-separated (default ${DEFAULT_VARIANTS.join(',')});
                      peers: any of bench/src/frameworks.ts (aisdk, langgraph, langchain, openai, strands, mastra, baseline);
                      agentry-memory: runAgent with no store;
                      durable-<memory|pglite|postgres|dynalite>-<fresh|continuing>: AgentRunner over that store
  --rounds N          rounds (default 5)
  --turns N           timed sequential turns per child (default 2000)
  --warmup N          untimed turns first (default 200)
  --no-trace          Agentry variants without tracing (default: tracing on, spans discarded)
  --no-attribution    skip the per-store-call split of the durable variants
PostgreSQL: AGENTRY_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); each child uses a fresh schema, dropped when it ends.`;

const { values } = parseArgs({
  options: {
    variants: { type: 'string', default: DEFAULT_VARIANTS.join(',') },
    rounds: { type: 'string', default: '5' },
    turns: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '200' },
    'no-trace': { type: 'boolean', default: false },
    'no-attribution': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const variants = values.variants.split(',').filter(Boolean);
const rounds = Number(values.rounds);
const turns = Number(values.turns);
const warmup = Number(values.warmup);
const traceFlags = values['no-trace'] ? ['--no-trace'] : [];

interface ChildResult {
  variant: string;
  state: string;
  turns: number;
  mean_us: number;
  p50_us: number;
  p99_us: number;
  cpu_us: number;
  db_cpu_us: number;
  spans_per_turn?: number;
  [figure: string]: number | string | undefined;
}

const worker = fileURLToPath(new URL('./turn-worker.ts', import.meta.url));
function child(variant: string, args: { turns: number; warmup: number; flags?: string[] }): ChildResult {
  // process.execArgv carries tsx's loader, so the child runs TypeScript like this process.
  const out = execFileSync(
    process.execPath,
    [
      ...process.execArgv,
      worker,
      variant,
      String(args.turns),
      String(args.warmup),
      ...traceFlags,
      ...(args.flags ?? []),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, NODE_COMPILE_CACHE: '' } },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

const benchDir = fileURLToPath(new URL('../', import.meta.url));
const rootDir = fileURLToPath(new URL('../../', import.meta.url));
const version = (name: string, dir: string): string => {
  try {
    return (JSON.parse(readFileSync(`${dir}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
};
console.log(
  `node ${process.version}; ${['ai', '@langchain/langgraph', '@langchain/core'].map((name) => `${name}@${version(name, benchDir)}`).join(', ')} ` +
    `(bench/node_modules); root: ${['pg', '@electric-sql/pglite', 'zod'].map((name) => `${name}@${version(name, rootDir)}`).join(', ')}`,
);
console.log(
  `${rounds} rounds × ${variants.length} variants; ${turns} timed turns after ${warmup} warm-up turns per child; Agentry tracing ${values['no-trace'] ? 'off' : 'on'}`,
);

const peers = variants.filter((variant) => parseAgentryVariant(variant) === undefined);
if (peers.length > 0 && version('@langchain/langgraph', benchDir) === '?') {
  throw new Error(
    'The peers load from bench/node_modules: run `npm --prefix bench install --no-audit --no-fund --legacy-peer-deps`.',
  );
}
for (const variant of variants) child(variant, { turns: 20, warmup: 0 }); // priming pass, untimed
const results = new Map<string, ChildResult[]>(variants.map((variant) => [variant, []]));
const state = new Map<string, string>();
for (let round = 0; round < rounds; round++) {
  for (const variant of rotate(variants, round)) {
    const result = child(variant, { turns, warmup });
    results.get(variant)!.push(result);
    state.set(variant, result.state);
    const spans = result.spans_per_turn === undefined ? '' : ` spans/turn ${result.spans_per_turn.toFixed(2)}`;
    console.log(
      `round ${round + 1} ${variant.padEnd(28)} mean ${fixed(result.mean_us)} µs p50 ${fixed(result.p50_us)} p99 ${fixed(result.p99_us)}${spans}`,
    );
  }
}

const figure = (variant: string, key: 'mean_us' | 'p50_us' | 'p99_us' | 'cpu_us' | 'db_cpu_us') =>
  median(results.get(variant)!.map((result) => Number(result[key])));
const memoryLoop = variants.includes('agentry-memory') ? figure('agentry-memory', 'mean_us') : Number.NaN;
const langgraph = variants.includes('langgraph') ? figure('langgraph', 'mean_us') : Number.NaN;
const rows = variants.map((variant) => {
  const means = results.get(variant)!.map((result) => result.mean_us);
  const mean = figure(variant, 'mean_us');
  return [
    variant,
    state.get(variant) ?? '',
    `${fixed(mean)} (${fixed(Math.min(...means))}–${fixed(Math.max(...means))})`,
    fixed(figure(variant, 'p50_us')),
    fixed(figure(variant, 'p99_us')),
    fixed(mean / memoryLoop, 1),
    fixed(mean / langgraph, 2),
    fixed(figure(variant, 'cpu_us')),
    /^durable-(postgres)-/.test(variant) ? fixed(figure(variant, 'db_cpu_us')) : '',
  ];
});
console.log(
  `\n${markdownTable(
    [
      'variant',
      'state',
      'mean µs/turn (min–max over rounds)',
      'p50 µs',
      'p99 µs',
      '× Agentry in-memory loop (mean)',
      '× LangGraph (mean)',
      'CPU µs/turn, this process',
      'CPU µs/turn, PostgreSQL server',
    ],
    rows,
  )}`,
);

console.log(
  '\nfresh: every turn starts a new conversation (a new user question); continuing: every turn continues one ' +
    'conversation, loading its window (last 40 messages, 8,000 tokens) first. Peers and agentry-memory: fresh, no store.',
);
for (const variant of variants.filter((name) => /^durable-postgres-/.test(name))) {
  if (!Number.isFinite(langgraph)) break;
  const mean = figure(variant, 'mean_us');
  console.log(
    `Target: a durable turn on the PostgreSQL server costs less than LangGraph's in-memory turn — ${variant} ` +
      `${fixed(mean)} µs vs langgraph ${fixed(langgraph)} µs (${fixed(mean / langgraph, 2)}×): ${mean < langgraph ? 'MET' : 'NOT MET'}`,
  );
  // Not the target's measure (that is wall time per sequential turn): what the turn costs the machine.
  const cpu = figure(variant, 'cpu_us') + figure(variant, 'db_cpu_us');
  const langgraphCpu = figure('langgraph', 'cpu_us');
  console.log(
    `  CPU per turn, this process + the PostgreSQL server: ${fixed(cpu)} µs vs langgraph ${fixed(langgraphCpu)} µs (${fixed(cpu / langgraphCpu, 2)}×)`,
  );
}

const durable = variants.filter((variant) => parseAgentryVariant(variant)?.kind === 'durable');
if (!values['no-attribution'] && durable.length > 0) {
  // Wall time each store method takes per turn, summed over its calls (the turn waits on each in turn).
  const split = durable.map((variant) => ({
    variant,
    result: child(variant, { turns, warmup, flags: ['--time-store'] }),
  }));
  const methods = [
    ...new Set(split.flatMap(({ result }) => Object.keys(result).filter((key) => /^store_.*_us_per_turn$/.test(key)))),
  ];
  const name = (key: string) => key.replace(/^store_/, '').replace(/_us_per_turn$/, '');
  console.log(
    `\nWhere a durable turn waits (one more child per variant, store calls timed; µs per turn, calls per turn in brackets):\n\n${markdownTable(
      ['variant', 'mean µs/turn', ...methods.map(name), 'store total', 'rest (loop, runner)'],
      split.map(({ variant, result }) => {
        const total = methods.reduce((sum, key) => sum + Number(result[key] ?? 0), 0);
        return [
          variant,
          fixed(result.mean_us),
          ...methods.map(
            (key) =>
              `${fixed(Number(result[key] ?? 0))} (${fixed(Number(result[key.replace(/_us_per_turn$/, '_calls_per_turn')] ?? 0))})`,
          ),
          fixed(total),
          fixed(result.mean_us - total),
        ];
      }),
    )}`,
  );
}
