// Child process of durable-turn-bench.ts: one variant, one measurement, one JSON line on stdout.
//   tsx turn-worker.ts <variant> <turns> <warmup> [--no-trace] [--time-store]
// Variants: the overhead bench's peers (bench/src/frameworks.ts: aisdk, langgraph, …, loaded from
// bench/node_modules), agentry-memory (runAgent, no store) and durable-<backend>-<fresh|continuing>.
// The protocol is the overhead bench's sequential-latency phase (bench/src/worker.ts): one verified
// turn, `warmup` untimed turns, then `turns` timed turns, yielding to the event loop between turns
// (outside the timed window) as real model I/O would.

// tsx turns on source-mapped stack traces; the overhead bench runs plain node. Any code that formats
// a stack (peers creating errors) would pay for the mapping here only, so turn it off for parity.
process.setSourceMapsEnabled(false);

import type { Housekeeping } from './agentry-turns.ts';
import { postgresCpuMs } from './process-cpu.ts';
import { parseAgentryVariant } from './variants.ts';

const [variant = '', turnsText = '2000', warmupText = '200', ...flags] = process.argv.slice(2);
const turns = Number(turnsText);
const warmup = Number(warmupText);
const tracing = !flags.includes('--no-trace');
const timeStore = flags.includes('--time-store');

const { counters } = await import('../src/workload.ts');
const check = (what: string, expectedTurns: number, out?: string) => {
  if (
    counters.model !== 3 * expectedTurns ||
    counters.tool !== 2 * expectedTurns ||
    (out !== undefined && out !== 'done')
  )
    throw new Error(
      `${variant} ${what}: model=${counters.model}/${3 * expectedTurns} tool=${counters.tool}/${2 * expectedTurns} out=${JSON.stringify(out)}`,
    );
  counters.model = 0;
  counters.tool = 0;
};

interface Runnable {
  turn: () => Promise<string>;
  startTimed: () => void | Promise<void>;
  /** Housekeeping after each turn, outside the timed window (planner statistics), and its CPU. */
  afterTurn?: () => Promise<Housekeeping | undefined>;
  report: (turns: number) => Promise<Record<string, number>>;
  close: () => Promise<void>;
  state: string;
}

async function load(): Promise<Runnable> {
  // Imported lazily: a peer's child loads neither Agentry nor any store, an Agentry child no peer.
  if (parseAgentryVariant(variant)) {
    const { agentryVariant } = await import('./agentry-turns.ts');
    return agentryVariant(variant, { tracing, timeStore });
  }
  const { registry } = await import('../src/frameworks.ts');
  const make = registry[variant];
  if (!make) throw new Error(`unknown variant "${variant}"`);
  return {
    turn: await make(),
    startTimed: () => {},
    report: async () => ({}),
    close: async () => {},
    state: 'in memory (peer)',
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const runnable = await load();
try {
  check('verify', 1, await runnable.turn());
  for (let i = 0; i < warmup; i++) {
    await runnable.turn();
    await runnable.afterTurn?.();
    await tick();
  }
  check('warmup', warmup);
  await runnable.startTimed();
  const cpuBefore = process.cpuUsage();
  const databaseBefore = postgresCpuMs();
  const latency = new Float64Array(turns);
  // Housekeeping between turns (ANALYZE) is not the turn's cost: its CPU is taken back out.
  let housekeepingCpuUs = 0;
  let housekeepingDatabaseMs = 0;
  for (let i = 0; i < turns; i++) {
    const start = performance.now();
    await runnable.turn();
    latency[i] = performance.now() - start;
    const housekeeping = await runnable.afterTurn?.();
    if (housekeeping) {
      housekeepingCpuUs += housekeeping.cpuUs;
      housekeepingDatabaseMs += housekeeping.databaseMs;
    }
    await tick();
  }
  const cpu = process.cpuUsage(cpuBefore);
  const databaseMs = postgresCpuMs() - databaseBefore - housekeepingDatabaseMs;
  check('timed', turns);
  const sorted = Array.from(latency).sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(turns - 1, Math.floor(p * turns))]! * 1000;
  const mean = (sorted.reduce((sum, value) => sum + value, 0) / turns) * 1000;
  const extra = await runnable.report(turns);
  console.log(
    JSON.stringify({
      variant,
      state: runnable.state,
      turns,
      mean_us: mean,
      p50_us: at(0.5),
      p99_us: at(0.99),
      // CPU per turn: this process (the loop, the runner, the driver), and every PostgreSQL server
      // process meanwhile (whatever else used the server in that window counts too).
      cpu_us: (cpu.user + cpu.system - housekeepingCpuUs) / turns,
      db_cpu_us: (databaseMs * 1000) / turns,
      ...extra,
    }),
  );
} finally {
  await runnable.close();
}
