// One server variant in its own process, so the load generator never shares its event loop.
// Forked by http-bench.ts with `--import tsx`; argv[2] is a JSON ServerConfig. Talks over IPC
// (protocol.ts): `ready` once listening on an ephemeral loopback port, then `stats` on request,
// and `stop` closes the server and the store and drops the PostgreSQL schema.
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { ApiKeyVerifier, hashSecret, parseApiKey } from '../../src/auth/api-keys.ts';
import { createApp } from '../../src/server/app.ts';
import { startHttpServer } from '../../src/server/http-server.ts';
import { createUsagePlanLimiter } from '../../src/server/limits/usage-plan-limiter.ts';
import { createTestRuntime } from '../../src/server/testing/test-runtime.ts';
import { createMemoryStore } from '../../src/store/memory/memory-store.ts';
import { openPostgresStore } from '../../src/store/sql/sql-store.ts';
import { postgresTestDatabase } from '../../src/store/sql/testing/postgres-test-db.ts';
import type { Store } from '../../src/store/store.ts';
import type { ChildMessage, ParentMessage, ServerConfig, ServerStats } from './protocol.ts';

const HOST = '127.0.0.1';
const SAMPLE_MS = 100;
const DRAIN_MS = 10_000;

const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
const send = (message: ChildMessage) => {
  if (process.connected) process.send?.(message);
};

/** How to stop this variant, in order; each step runs even if an earlier one failed. */
let cleanups: (() => Promise<void> | void)[] = [];
let metricsText: () => string = () => '';

async function start(): Promise<{ port: number; store: string }> {
  if (config.kind === 'hello') {
    const app = new Hono().get('/', (c) => c.text('ok'));
    return new Promise((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info: AddressInfo) =>
        resolve({ port: info.port, store: 'none' }),
      );
      cleanups = [() => void server.close()]; // the process exits right after; no need to wait for sockets
    });
  }
  let store: Store | undefined;
  let dropSchema: () => Promise<void> = async () => {};
  if (config.kind === 'postgres') {
    const db = await postgresTestDatabase();
    if ('skipReason' in db) throw new Error(db.skipReason);
    dropSchema = () => db.drop();
    cleanups = [dropSchema];
    store = await openPostgresStore(
      db.connectionString,
      config.poolSize === undefined ? {} : { poolSize: config.poolSize },
    );
    cleanups = [() => store?.close(), dropSchema];
  }
  store ??= createMemoryStore();
  // As `agentry serve`: the key is a stored record checked by the ApiKeyVerifier (10 s cache, a
  // SHA-256 and a constant-time compare per request), and every request goes through a usage plan
  // (in-memory token bucket and daily quota) sized never to refuse the load.
  await registerKey(store, config.apiKey);
  const verifier = new ApiKeyVerifier(store.apiKeys);
  const limiter = createUsagePlanLimiter({ backend: { kind: 'memory' }, plans: { [BENCH_PLAN]: UNREFUSING_PLAN } });
  const runtime = await createTestRuntime({
    model: config.model,
    store,
    authenticate: (raw) => verifier.verify(raw),
    limiter,
  });
  metricsText = () => runtime.metrics.render();
  const server = await startHttpServer(createApp(runtime), { port: 0, host: HOST });
  // Like `agentry serve`: refuse new runs, close connections, let the runs in flight (autocannon
  // leaves some when it stops) finish, and only then close the store and drop the schema.
  const drain = async () => {
    const ended = Promise.all(runtime.live.active().map((run) => run.ended));
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
  };
  cleanups = [() => runtime.stop(), () => server.close(2_000), drain, () => runtime.store.close(), dropSchema];
  return { port: server.port, store: runtime.store.kind };
}

const BENCH_PLAN = 'bench';
const UNREFUSING_PLAN = { rate: 1_000_000, burst: 1_000_000, quota: 1_000_000_000_000 };

/** Stores the record of the parent's well-formed key (only its id and the secret's hash, as always). */
async function registerKey(store: Store, rawKey: string): Promise<void> {
  const parsed = parseApiKey(rawKey);
  if (!parsed) throw new Error('the bench API key is not a well-formed agk_ key');
  await store.apiKeys.createKey({
    id: parsed.id,
    tenantId: 'bench',
    userId: 'bench-user',
    name: 'bench',
    scopes: ['agents:run', 'conversations:read'],
    onBehalf: false,
    plan: BENCH_PLAN,
    secretHash: hashSecret(parsed.secret),
    createdAt: new Date().toISOString(),
  });
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let peakRss = 0;
let peakHeapUsed = 0;
let peakActiveStreams = 0;
let unhandledRejections = 0;
// Counted and reported as errors instead of crashing: a crash would leave the PostgreSQL schema behind.
process.on('unhandledRejection', (reason) => {
  if (unhandledRejections++ === 0) console.error('bench-server: unhandled rejection:', reason);
});

function gauge(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

function sample(): { rss: number; heapUsed: number; heapTotal: number; external: number; activeStreams: number } {
  const memory = process.memoryUsage();
  const activeStreams = gauge(metricsText(), 'agentry_active_streams');
  peakRss = Math.max(peakRss, memory.rss);
  peakHeapUsed = Math.max(peakHeapUsed, memory.heapUsed);
  peakActiveStreams = Math.max(peakActiveStreams, activeStreams);
  return { ...memory, activeStreams };
}

/** A full GC on request, without starting the server with --expose-gc (which would apply to every variant). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function stats(reset: boolean, gc: boolean): ServerStats {
  if (gc) collectGarbage();
  const now = sample();
  const runs: Record<string, number> = {};
  for (const match of metricsText().matchAll(/^agentry_runs_total\{status="([^"]+)"\} (\d+)$/gm)) {
    runs[match[1]!] = Number(match[2]);
  }
  const cpu = process.cpuUsage();
  const result: ServerStats = {
    rssBytes: now.rss,
    heapUsedBytes: now.heapUsed,
    heapTotalBytes: now.heapTotal,
    externalBytes: now.external,
    peakRssBytes: peakRss,
    peakHeapUsedBytes: peakHeapUsed,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    activeStreams: now.activeStreams,
    peakActiveStreams,
    unhandledRejections,
    runs,
  };
  if (reset) {
    loopDelay.reset();
    peakRss = now.rss;
    peakHeapUsed = now.heapUsed;
    peakActiveStreams = now.activeStreams;
  }
  return result;
}

let stopping: Promise<void> | undefined;
function stop(): Promise<void> {
  stopping ??= (async () => {
    clearInterval(sampler);
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch {
        // keep going: the schema must be dropped even if closing the server failed
      }
    }
    send({ type: 'stopped' });
  })();
  return stopping;
}

const sampler = setInterval(sample, SAMPLE_MS);
loopDelay.enable();
process.on('message', (message: ParentMessage) => {
  if (message.type === 'stats') send({ type: 'stats', stats: stats(message.reset ?? false, message.gc ?? false) });
  else if (message.type === 'stop') void stop().then(() => process.exit(0));
});
// A parent that dies must not leave a PostgreSQL schema behind.
process.on('disconnect', () => void stop().then(() => process.exit(0)));

try {
  send({ type: 'ready', ...(await start()) });
} catch (error) {
  send({ type: 'failed', message: (error as Error).message });
  await stop();
  process.exit(1);
}
