import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../auth/identity.ts';
import type { UsagePlanConfig } from '../../config/schemas.ts';
import { isAgentryError } from '../../errors.ts';
import { createApp } from '../app.ts';
import type { Logger } from '../logger.ts';
import { createTestRuntime } from '../testing/test-runtime.ts';
import { createUsagePlanLimiter } from './usage-plan-limiter.ts';

const MIDNIGHT = Date.UTC(2025, 2, 2); // 2025-03-02T00:00:00Z

function identity(plan = 'default', keyId = 'key-1'): Identity {
  return { keyId, tenantId: 't1', userId: 'u1', scopes: new Set(['agents:run']), onBehalf: false, plan };
}

function clock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function memoryLimiter(plans: Record<string, UsagePlanConfig>, now: () => number) {
  return createUsagePlanLimiter({ plans, backend: { kind: 'memory' }, now });
}

function recordingLogger() {
  const lines: { level: string; message: string; fields: Record<string, unknown> | undefined }[] = [];
  const logger: Logger = { log: (level, message, fields) => lines.push({ level, message, fields }) };
  return { logger, lines };
}

describe('usage plan limiter (memory, injected clock)', () => {
  it('admits a burst at once, then refuses with retryAfterSeconds = 1 / rate', async () => {
    const time = clock(MIDNIGHT - 3_600_000);
    const limiter = memoryLimiter({ default: { rate: 10, burst: 20, quota: 10_000 } }, time.now);
    for (let index = 0; index < 20; index++) {
      const decision = await limiter.consume(identity());
      expect(decision).toMatchObject({ allowed: true, limit: 20, remaining: 19 - index });
    }
    const refused = await limiter.consume(identity());
    expect(refused).toMatchObject({ allowed: false, reason: 'rate', limit: 20, remaining: 0 });
    expect(refused.retryAfterSeconds).toBeCloseTo(0.1, 6);
    expect(refused.resetSeconds).toBeCloseTo(2, 6); // until full: 20 tokens at 10/s
    time.advance(99);
    expect((await limiter.consume(identity())).allowed).toBe(false);
    time.advance(1);
    expect(await limiter.consume(identity())).toMatchObject({ allowed: true, remaining: 0 });
    time.advance(10_000);
    expect(await limiter.consume(identity())).toMatchObject({ allowed: true, remaining: 19 });
  });

  it('keeps one bucket per API key', async () => {
    const time = clock(MIDNIGHT - 3_600_000);
    const limiter = memoryLimiter({ default: { rate: 1, burst: 1, quota: 100 } }, time.now);
    expect((await limiter.consume(identity('default', 'a'))).allowed).toBe(true);
    expect((await limiter.consume(identity('default', 'a'))).allowed).toBe(false);
    expect((await limiter.consume(identity('default', 'b'))).allowed).toBe(true);
  });

  it('refuses with reason quota once the daily quota is used, until the next UTC midnight', async () => {
    const time = clock(MIDNIGHT - 60_000); // 23:59:00Z
    const limiter = memoryLimiter({ default: { rate: 1_000, burst: 1_000, quota: 3 } }, time.now);
    const remaining = [];
    for (let index = 0; index < 3; index++) remaining.push((await limiter.consume(identity())).remaining);
    expect(remaining).toEqual([2, 1, 0]); // the quota is closer to refusing than the bucket: it is reported
    const refused = await limiter.consume(identity());
    expect(refused).toMatchObject({ allowed: false, reason: 'quota', limit: 3, remaining: 0 });
    expect(refused.retryAfterSeconds).toBeCloseTo(60, 6);
    expect(refused.resetSeconds).toBeCloseTo(60, 6);
    time.advance(59_000);
    expect((await limiter.consume(identity())).reason).toBe('quota');
    time.advance(1_000); // 00:00:00Z: a new day
    expect(await limiter.consume(identity())).toMatchObject({ allowed: true, limit: 3, remaining: 2 });
  });

  it('does not charge the quota for requests the bucket refuses', async () => {
    const time = clock(MIDNIGHT - 3_600_000);
    const limiter = memoryLimiter({ default: { rate: 1, burst: 2, quota: 3 } }, time.now);
    expect((await limiter.consume(identity())).allowed).toBe(true);
    expect((await limiter.consume(identity())).allowed).toBe(true);
    for (let index = 0; index < 5; index++) expect((await limiter.consume(identity())).reason).toBe('rate');
    time.advance(1_000);
    expect((await limiter.consume(identity())).allowed).toBe(true); // the 3rd of 3
    time.advance(1_000);
    expect((await limiter.consume(identity())).reason).toBe('quota');
  });

  it('gives keys on an unknown plan the default plan, and never meters unlimited', async () => {
    const time = clock(MIDNIGHT - 3_600_000);
    const limiter = memoryLimiter(
      { default: { rate: 1, burst: 2, quota: 100 }, gold: { rate: 100, burst: 50, quota: 100_000 } },
      time.now,
    );
    expect(await limiter.consume(identity('gold'))).toMatchObject({ limit: 50, remaining: 49 });
    expect(await limiter.consume(identity('no-such-plan', 'k2'))).toMatchObject({ limit: 2, remaining: 1 });
    for (let index = 0; index < 1_000; index++) {
      expect((await limiter.consume(identity('unlimited', 'k3'))).allowed).toBe(true);
    }
  });

  it('uses the built-in default plan (10/s, burst 20, 10 000 a day) when the project defines none', async () => {
    const limiter = createUsagePlanLimiter({ backend: { kind: 'memory' }, now: clock(MIDNIGHT - 3_600_000).now });
    expect(limiter.plans.metered.get('default')).toEqual({ name: 'default', rate: 10, burst: 20, quota: 10_000 });
    expect(await limiter.consume(identity())).toMatchObject({ allowed: true, limit: 20, remaining: 19 });
  });
});

describe('usage plans through the HTTP API', () => {
  const key = { key: 'key-alice', tenantId: 't1', userId: 'alice' };

  async function setup(plans: Record<string, UsagePlanConfig>, start: number) {
    const time = clock(start);
    const limiter = memoryLimiter(plans, time.now);
    const app = createApp(await createTestRuntime({ limiter, keys: [key] }));
    const get = () => app.request('/v1/agents', { headers: { 'x-api-key': key.key } });
    return { time, get };
  }

  it('sets RateLimit headers, then answers 429 RATE_LIMITED with Retry-After', async () => {
    const { get } = await setup({ default: { rate: 2, burst: 3, quota: 1_000 } }, MIDNIGHT - 3_600_000);
    const first = await get();
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect(first.headers.get('ratelimit-reset')).toBe('1'); // 0.5 s until full, rounded up
    await get();
    expect((await get()).headers.get('ratelimit-remaining')).toBe('0');
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1'); // 0.5 s, rounded up to whole seconds
    expect(refused.headers.get('ratelimit-limit')).toBe('3');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('ratelimit-reset')).toBe('2'); // 1.5 s until full
    expect(await refused.json()).toMatchObject({
      error: { code: 'RATE_LIMITED', retryable: true, details: { retryAfterSeconds: 1 } },
    });
  });

  it('answers 429 QUOTA_EXCEEDED with Retry-After until the next UTC midnight', async () => {
    const { get, time } = await setup({ default: { rate: 100, burst: 100, quota: 2 } }, MIDNIGHT - 90_500);
    expect((await get()).status).toBe(200);
    const last = await get();
    expect(last.headers.get('ratelimit-limit')).toBe('2');
    expect(last.headers.get('ratelimit-remaining')).toBe('0');
    expect(last.headers.get('ratelimit-reset')).toBe('91');
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('91');
    expect(await refused.json()).toMatchObject({ error: { code: 'QUOTA_EXCEEDED', retryable: false } });
    time.advance(90_500);
    expect((await get()).status).toBe(200);
  });

  it('sends no RateLimit headers for an unlimited key', async () => {
    const runtime = await createTestRuntime({
      limiter: createUsagePlanLimiter({ backend: { kind: 'memory' } }),
      keys: [key],
    });
    const app = createApp({ ...runtime, authenticate: async () => ({ ...identity('unlimited'), tenantId: 't1' }) });
    const response = await app.request('/v1/agents', { headers: { 'x-api-key': key.key } });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-limit')).toBeNull();
  });
});

describe('usage plan limiter when its store fails', () => {
  let hung: Server | undefined;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => (hung ? hung.close(() => resolve()) : resolve()));
    hung = undefined;
  });

  /** A pool whose server refuses connections at once. */
  function refusingPool() {
    const pool = new pg.Pool({
      connectionString: 'postgres://nobody@127.0.0.1:1/none',
      connectionTimeoutMillis: 1_000,
    });
    pool.on('error', () => {});
    return pool;
  }

  it('fails open by default: admits, and logs the failure once per 30 s', async () => {
    const { logger, lines } = recordingLogger();
    const pool = refusingPool();
    const limiter = createUsagePlanLimiter({ backend: { kind: 'postgres', pool }, logger });
    for (let index = 0; index < 3; index++) {
      expect(await limiter.consume(identity())).toMatchObject({ allowed: true, limit: 20, remaining: 20 });
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', fields: { store: 'postgres', plan: 'default' } });
    await pool.end();
  });

  it('fails closed with failOpen: false: 503 STORE_UNAVAILABLE', async () => {
    const { logger, lines } = recordingLogger();
    const pool = refusingPool();
    const limiter = createUsagePlanLimiter({ backend: { kind: 'postgres', pool }, logger, failOpen: false });
    const error = await limiter.consume(identity()).catch((caught: unknown) => caught);
    expect(isAgentryError(error) && error.code).toBe('STORE_UNAVAILABLE');
    expect(lines[0]).toMatchObject({ level: 'error' });
    const app = createApp(await createTestRuntime({ limiter, keys: [{ key: 'k', tenantId: 't1', userId: 'u1' }] }));
    const response = await app.request('/v1/agents', { headers: { 'x-api-key': 'k' } });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', retryable: true } });
    await pool.end();
  });

  it('fails open at once while Redis is unreachable (no queueing behind reconnects)', async () => {
    const client = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => {});
    const { logger, lines } = recordingLogger();
    const limiter = createUsagePlanLimiter({ backend: { kind: 'redis', client }, logger });
    const started = performance.now();
    for (let index = 0; index < 3; index++) expect((await limiter.consume(identity())).allowed).toBe(true);
    expect(performance.now() - started).toBeLessThan(900);
    expect(lines[0]).toMatchObject({ level: 'warn', fields: { store: 'redis' } });
    await limiter.close();
    client.disconnect();
  });

  it('treats a store slower than timeoutMs as failed', async () => {
    // A server that accepts connections and never answers: the PostgreSQL handshake hangs.
    hung = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => hung!.listen(0, '127.0.0.1', resolve));
    const address = hung.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const pool = new pg.Pool({ connectionString: `postgres://nobody@127.0.0.1:${address.port}/none` });
    pool.on('error', () => {});
    const { logger, lines } = recordingLogger();
    const limiter = createUsagePlanLimiter({ backend: { kind: 'postgres', pool }, logger, timeoutMs: 200 });
    const started = performance.now();
    expect((await limiter.consume(identity())).allowed).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(lines[0]?.fields).toMatchObject({ errorName: 'LimiterTimeout' });
    void pool.end().catch(() => {});
  });
});
