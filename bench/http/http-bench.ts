// HTTP benchmark: Agentry's API next to a Hono hello-world ceiling, measured with autocannon on
// loopback, then 5,000 concurrent SSE streams held against a slow scripted model.
// Run: npm run bench:http [-- --help]
//
// Every server variant runs in its own child process (bench-server.ts), fresh for each round, so
// the load generator (this process) never shares its event loop and no round inherits another's
// heap. Rounds rotate the order of the servers and of the endpoints; reported figures are medians.
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type LoadResult, type LoadSpec, runLoad } from './load.ts';
import type { ServerKind, ServerStats } from './protocol.ts';
import { ServerChild } from './server-child.ts';
import { type HoldResult, holdStreams } from './sse-hold.ts';
import { fixed, markdownTable, median, mib, rotate } from './stats.ts';

const HELP = `npm run bench:http -- [options]
  --rounds N          rounds of the load phase (default 3); each starts every server afresh
  --duration S        measured seconds per variant and round (default 5)
  --warmup S          unmeasured seconds before each measurement (default 2)
  --connections N     autocannon connections (default 50)
  --variants LIST     load variants (default ${'hello,list-memory,agent-memory,agent-postgres,stream-memory,stream-postgres'})
  --pool-size N       PostgreSQL pool size (default: the store's default, 10)
  --streams N         concurrent SSE streams to hold (default 5000; 0 skips the hold phase)
  --ramp-ms N         open them evenly over this window (default 5000)
  --step-delay-ms N   the slow model's delay per step (default 2000)
  --hold-steps N      model steps per held run: N-1 tool calls, then the answer (default 6, so a run
                      outlasts the ramp and the server's queueing: all streams are open at once)
  --hold-store KIND   memory or postgres (default memory)
  --json FILE         also write the raw results as JSON
PostgreSQL: AGENTRY_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); every postgres
server uses a fresh schema, dropped when it stops.`;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    variants: {
      type: 'string',
      default: 'hello,list-memory,agent-memory,agent-postgres,stream-memory,stream-postgres',
    },
    'pool-size': { type: 'string' },
    streams: { type: 'string', default: '5000' },
    'ramp-ms': { type: 'string', default: '5000' },
    'step-delay-ms': { type: 'string', default: '2000' },
    'hold-steps': { type: 'string', default: '6' },
    'hold-store': { type: 'string', default: 'memory' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A well-formed key (`agk_<id>_<secret>`); each server stores its record and verifies it per request. */
const API_KEY = `agk_benchhttpbenchht_${randomBytes(32).toString('base64url')}`;
const QUERY_BODY = JSON.stringify({ query: 'What is 25 * 47?' });
const DEMO_MODEL = `scripted:${join(ROOT, 'examples/scripts/demo.json')}`;
const rounds = Number(values.rounds);
const durationSec = Number(values.duration);
const warmupSec = Number(values.warmup);
const connections = Number(values.connections);
const poolSize = values['pool-size'] === undefined ? undefined : Number(values['pool-size']);
const streams = Number(values.streams);
const holdStore = values['hold-store'] as ServerKind;
if (holdStore !== 'memory' && holdStore !== 'postgres') throw new Error('--hold-store is memory or postgres');

interface Variant {
  name: string;
  server: ServerKind;
  spec: (baseUrl: string) => Omit<LoadSpec, 'connections' | 'durationSec'>;
}

const agentHeaders = { 'content-type': 'application/json', 'x-api-key': API_KEY };
const streamHeaders = { ...agentHeaders, accept: 'text/event-stream' };
const ALL_VARIANTS: Variant[] = [
  {
    name: 'hello',
    server: 'hello',
    spec: (base) => ({ url: `${base}/`, method: 'GET', verifyBody: (body) => body === 'ok' }),
  },
  {
    // Agentry's HTTP layer without a run: request id, security headers, metrics, CORS, the API key
    // check and usage plan, routing, a JSON reply. What the ceiling ratio means for the API itself.
    name: 'list-memory',
    server: 'memory',
    spec: (base) => ({
      url: `${base}/v1/agents`,
      method: 'GET',
      headers: { 'x-api-key': API_KEY },
      verifyBody: (body) => body.includes('"assistant"'),
    }),
  },
  ...(['memory', 'postgres'] as const).flatMap((store): Variant[] => [
    {
      name: `agent-${store}`,
      server: store,
      spec: (base) => ({
        url: `${base}/agent`,
        method: 'POST',
        headers: agentHeaders,
        body: QUERY_BODY,
        verifyBody: (body) => body.includes('1175'),
      }),
    },
    {
      name: `stream-${store}`,
      server: store,
      spec: (base) => ({
        url: `${base}/v1/agents/assistant/runs`,
        method: 'POST',
        headers: streamHeaders,
        body: QUERY_BODY,
        verifyBody: (body) => body.includes('event: run-end') && body.includes('"status":"succeeded"'),
      }),
    },
  ]),
];
const variants = values.variants.split(',').map((name) => {
  const variant = ALL_VARIANTS.find((candidate) => candidate.name === name);
  if (!variant) throw new Error(`Unknown variant ${name}; known: ${ALL_VARIANTS.map((v) => v.name).join(', ')}`);
  return variant;
});

interface Measurement extends LoadResult {
  round: number;
  /** Server CPU time over the measured window, as a share of one core. */
  serverCpu: number;
  /** Server CPU time per 2xx response, in µs: what a request costs, whatever the machine's contention. */
  serverCpuUsPerRequest: number;
  /** Runs that finished with a status other than `succeeded` during the window. */
  failedRuns: number;
  /** Unhandled promise rejections in the server during the window. */
  unhandledRejections: number;
  serverRssBytes: number;
}

function failedRunCount(before: ServerStats, after: ServerStats): number {
  let failed = 0;
  for (const [status, count] of Object.entries(after.runs)) {
    if (status !== 'succeeded') failed += count - (before.runs[status] ?? 0);
  }
  return failed;
}

/** One request outside autocannon, to prove the endpoint answers what the measurement expects. */
async function verify(variant: Variant, baseUrl: string): Promise<void> {
  const spec = variant.spec(baseUrl);
  const response = await fetch(spec.url, {
    method: spec.method,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(spec.body === undefined ? {} : { body: spec.body }),
  });
  const body = await response.text();
  if (response.status !== 200 || !spec.verifyBody(body)) {
    throw new Error(`${variant.name}: unexpected answer ${response.status}: ${body.slice(0, 500)}`);
  }
}

async function measure(variant: Variant, server: ServerChild, round: number): Promise<Measurement> {
  const spec = variant.spec(server.url);
  await verify(variant, server.url);
  if (warmupSec > 0) await runLoad({ ...spec, connections, durationSec: warmupSec });
  const before = await server.stats({ reset: true });
  const started = performance.now();
  const result = await runLoad({ ...spec, connections, durationSec });
  const elapsedMs = performance.now() - started;
  const after = await server.stats();
  return {
    ...result,
    round,
    serverCpu: (after.cpuMs - before.cpuMs) / elapsedMs,
    serverCpuUsPerRequest: ((after.cpuMs - before.cpuMs) * 1000) / result.ok,
    failedRuns: failedRunCount(before, after),
    unhandledRejections: after.unhandledRejections - before.unhandledRejections,
    serverRssBytes: after.peakRssBytes,
  };
}

function errorsOf(measurement: Measurement): number {
  return (
    measurement.non2xx +
    measurement.socketErrors +
    measurement.badBodies +
    measurement.failedRuns +
    measurement.unhandledRejections
  );
}

async function loadPhase(): Promise<Map<string, Measurement[]>> {
  const results = new Map<string, Measurement[]>(variants.map((variant) => [variant.name, []]));
  const servers = [...new Set(variants.map((variant) => variant.server))];
  for (let round = 0; round < rounds; round++) {
    for (const kind of rotate(servers, round)) {
      const server = await ServerChild.start({
        kind,
        model: DEMO_MODEL,
        apiKey: API_KEY,
        ...(poolSize ? { poolSize } : {}),
      });
      try {
        for (const variant of rotate(
          variants.filter((candidate) => candidate.server === kind),
          round,
        )) {
          const measurement = await measure(variant, server, round);
          results.get(variant.name)!.push(measurement);
          console.error(
            `round ${round + 1}/${rounds} ${variant.name.padEnd(16)} ${fixed(measurement.rps, 0).padStart(6)} req/s  ` +
              `p50 ${fixed(measurement.p50Ms, 2)} ms  p99 ${fixed(measurement.p99Ms, 2)} ms  ` +
              `errors ${errorsOf(measurement)}  server CPU ${fixed(measurement.serverCpu * 100, 0)}%  load ${loadavg()[0]!.toFixed(2)}`,
          );
        }
      } finally {
        await server.stop();
      }
    }
  }
  return results;
}

interface HoldReport {
  result: HoldResult;
  stats: ServerStats;
  idleRssBytes: number;
  idleHeapUsedBytes: number;
  /** Server CPU time over the hold, as a share of one core. */
  serverCpu: number;
  /** Heap still reachable once every stream ended (after a forced GC): buffers kept for reconnects, the store, leaks. */
  retainedHeapUsedBytes: number;
  timeline: { atMs: number; activeStreams: number; rssBytes: number; heapUsedBytes: number }[];
}

async function holdPhase(): Promise<HoldReport> {
  const stepDelayMs = Number(values['step-delay-ms']);
  const holdSteps = Number(values['hold-steps']);
  const dir = mkdtempSync(join(tmpdir(), 'agentry-http-bench-'));
  const steps = [
    ...Array.from({ length: holdSteps - 1 }, (_, index) => ({
      toolCalls: [{ name: 'calculate', input: { expression: `${index + 1} * 2` } }],
      delayMs: stepDelayMs,
    })),
    { text: 'slow answer', delayMs: stepDelayMs },
  ];
  const scriptFile = join(dir, 'slow.json');
  writeFileSync(scriptFile, JSON.stringify({ replies: [{ when: '.', steps }] }));
  const server = await ServerChild.start({
    kind: holdStore,
    model: `scripted:${scriptFile}`,
    apiKey: API_KEY,
    ...(poolSize ? { poolSize } : {}),
  });
  try {
    const idle = await server.stats({ reset: true });
    const timeline: HoldReport['timeline'] = [];
    const started = performance.now();
    const result = await holdStreams({
      url: `${server.url}/v1/agents/assistant/runs`,
      apiKey: API_KEY,
      body: JSON.stringify({ query: 'Take your time.' }),
      streams,
      rampMs: Number(values['ramp-ms']),
      deadlineMs: Number(values['ramp-ms']) + holdSteps * stepDelayMs + 60_000,
      sampleMs: 1000,
      onSample: async () => {
        const stats = await server.stats();
        timeline.push({
          atMs: performance.now() - started,
          activeStreams: stats.activeStreams,
          rssBytes: stats.rssBytes,
          heapUsedBytes: stats.heapUsedBytes,
        });
      },
    });
    const stats = await server.stats();
    const retained = await server.stats({ gc: true });
    return {
      result,
      stats,
      idleRssBytes: idle.rssBytes,
      idleHeapUsedBytes: idle.heapUsedBytes,
      serverCpu: (stats.cpuMs - idle.cpuMs) / result.wallMs,
      retainedHeapUsedBytes: retained.heapUsedBytes,
      timeline,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function fileLimit(): string {
  try {
    return execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const limit = fileLimit();
if (streams > 0 && limit !== 'unlimited' && Number(limit) < streams + 1000) {
  throw new Error(`ulimit -n is ${limit}: holding ${streams} streams needs more; raise it (e.g. ulimit -n 65536).`);
}
const loadBefore = loadavg();
console.error(
  `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, ulimit -n ${limit}`,
);
const load = variants.length > 0 && rounds > 0 ? await loadPhase() : new Map<string, Measurement[]>();
const loadAfterLoadPhase = loadavg();
const hold = streams > 0 ? await holdPhase() : undefined;
const loadAfter = loadavg();

// Report.
const medianOf = (name: string, pick: (measurement: Measurement) => number) => median((load.get(name) ?? []).map(pick));
const cell = (name: string, pick: (measurement: Measurement) => number, digits: number) =>
  fixed(medianOf(name, pick), digits);

function errorCell(all: readonly Measurement[]): string {
  const sum = (pick: (measurement: Measurement) => number) => all.reduce((total, m) => total + pick(m), 0);
  const [non2xx, socket, body, runs, rejections] = [
    sum((m) => m.non2xx),
    sum((m) => m.socketErrors),
    sum((m) => m.badBodies),
    sum((m) => m.failedRuns),
    sum((m) => m.unhandledRejections),
  ];
  const total = non2xx + socket + body + runs + rejections;
  return total === 0
    ? '0'
    : `${total} (non-2xx ${non2xx}, socket ${socket}, bad body ${body}, failed runs ${runs}, ` +
        `unhandled rejections ${rejections})`;
}

const lines: string[] = [];
if (load.size > 0) {
  lines.push(
    `Load phase: ${rounds} rounds × ${durationSec} s per variant (after ${warmupSec} s warm-up), ${connections} ` +
      `connections, medians over rounds. Load average before ${loadBefore[0]!.toFixed(2)}, after ` +
      `${loadAfterLoadPhase[0]!.toFixed(2)}.`,
    '',
    markdownTable(
      ['variant', 'req/s', 'p50 ms', 'p99 ms', 'errors (all rounds)', 'server CPU', 'server CPU µs/req', 'server RSS'],
      variants.map((variant) => [
        variant.name,
        cell(variant.name, (m) => m.rps, 0),
        cell(variant.name, (m) => m.p50Ms, 2),
        cell(variant.name, (m) => m.p99Ms, 2),
        errorCell(load.get(variant.name) ?? []),
        `${cell(variant.name, (m) => m.serverCpu * 100, 0)}%`,
        cell(variant.name, (m) => m.serverCpuUsPerRequest, 0),
        mib(medianOf(variant.name, (m) => m.serverRssBytes)),
      ]),
    ),
  );
}
const hello = load.get('hello') ?? [];
const agentMemory = load.get('agent-memory') ?? [];
if (hello.length > 0 && agentMemory.length > 0) {
  const ratio = medianOf('agent-memory', (m) => m.rps) / medianOf('hello', (m) => m.rps);
  const perRound = agentMemory.map((m) => m.rps / (hello.find((h) => h.round === m.round)?.rps ?? Number.NaN));
  const cpuRatio =
    medianOf('hello', (m) => m.serverCpuUsPerRequest) / medianOf('agent-memory', (m) => m.serverCpuUsPerRequest);
  lines.push(
    '',
    `POST /agent (in-memory) / hello-world ceiling: ${fixed(ratio * 100, 1)}% of median req/s (per round: ` +
      `${perRound.map((r) => `${fixed(r * 100, 1)}%`).join(', ')}); target ≥ 40%: ${ratio >= 0.4 ? 'MET' : 'NOT MET'}. ` +
      `By server CPU per request: ${fixed(cpuRatio * 100, 1)}%.`,
  );
}
if (hello.length > 0 && (load.get('list-memory') ?? []).length > 0) {
  const ratio = medianOf('list-memory', (m) => m.rps) / medianOf('hello', (m) => m.rps);
  lines.push(
    `GET /v1/agents (authenticated, no run) / hello-world ceiling: ${fixed(ratio * 100, 1)}% of median req/s ` +
      '(for reference: the HTTP layer alone).',
  );
}
if (hold) {
  const { result, stats } = hold;
  const rejections = stats.unhandledRejections;
  const errors = result.httpErrors + result.socketErrors + result.incomplete + result.failedRuns + rejections;
  const met = errors === 0 && result.completed === streams && stats.peakRssBytes < 2 ** 30;
  lines.push(
    '',
    `SSE hold: ${streams} streams opened over ${values['ramp-ms']} ms on the ${holdStore} store; the model waits ` +
      `${values['step-delay-ms']} ms per step, ${values['hold-steps']} steps per run. Server CPU ` +
      `${fixed(hold.serverCpu * 100, 0)}% of one core over ${fixed(result.wallMs / 1000, 1)} s; load average after ` +
      `${loadAfter[0]!.toFixed(2)}.`,
    '',
    markdownTable(
      [
        'opened',
        'completed (run-end)',
        'errors',
        'peak open (client / server)',
        'first event p50/p99',
        'stream p50/p99',
        'server peak RSS',
        'server peak heap',
        'retained heap after',
        'loop delay p99/max',
      ],
      [
        [
          String(result.opened),
          String(result.completed),
          errors === 0
            ? '0'
            : `${errors} (HTTP ${result.httpErrors}, socket ${result.socketErrors} ` +
              `${JSON.stringify(result.socketErrorCodes)}, no run-end ${result.incomplete}, failed runs ` +
              `${result.failedRuns}, unhandled rejections ${rejections})`,
          `${result.peakOpen} / ${stats.peakActiveStreams}`,
          `${fixed(result.firstEventP50Ms, 0)} / ${fixed(result.firstEventP99Ms, 0)} ms`,
          `${fixed(result.durationP50Ms / 1000, 2)} / ${fixed(result.durationP99Ms / 1000, 2)} s`,
          `${mib(stats.peakRssBytes)} (idle ${mib(hold.idleRssBytes)})`,
          `${mib(stats.peakHeapUsedBytes)} (idle ${mib(hold.idleHeapUsedBytes)})`,
          mib(hold.retainedHeapUsedBytes),
          `${fixed(stats.loopDelayP99Ms, 0)} / ${fixed(stats.loopDelayMaxMs, 0)} ms`,
        ],
      ],
    ),
    '',
    `Timeline (s: server open streams / RSS MiB): ${hold.timeline
      .map((point) => `${fixed(point.atMs / 1000, 0)}: ${point.activeStreams}/${(point.rssBytes / 2 ** 20).toFixed(0)}`)
      .join(', ')}`,
    '',
    `Target 0 errors, all ${streams} completed, < 1 GiB RSS: ${met ? 'MET' : 'NOT MET'}.`,
  );
}
console.log(lines.join('\n'));
if (values.json) {
  writeFileSync(
    values.json,
    `${JSON.stringify(
      {
        node: process.version,
        cpus: cpus().length,
        loadavg: { before: loadBefore, afterLoadPhase: loadAfterLoadPhase, after: loadAfter },
        settings: { rounds, durationSec, warmupSec, connections, poolSize, streams, holdStore, ulimit: limit },
        load: Object.fromEntries(load),
        hold,
      },
      null,
      2,
    )}\n`,
  );
}
