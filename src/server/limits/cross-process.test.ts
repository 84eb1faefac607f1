import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { postgresTestDatabase } from '../../store/sql/testing/postgres-test-db.ts';
import { driveSteadily, tokenBucketModel } from './testing/drive.ts';
import { redisTestServer } from './testing/redis-test-server.ts';
import { type LimiterServerProcess, spawnLimiterServer } from './testing/spawn-limiter-server.ts';

const PLAN = { rate: 20, burst: 10, quota: 1_000_000 };
const API_KEY = 'cross-process-key';

/**
 * Two real server processes on one store, requests alternating between them with one API key:
 * together they must admit what ONE token bucket admits (burst + rate × elapsed, within 5%);
 * per-process buckets would admit about twice that.
 */
async function driveTwoServers(storeEnv: NodeJS.ProcessEnv, prefix: string) {
  const env = {
    ...process.env,
    ...storeEnv,
    AGENTRY_TEST_LIMITS: JSON.stringify({ plans: { default: PLAN }, limits: { prefix, failOpen: false } }),
    AGENTRY_TEST_API_KEY: API_KEY,
  };
  const servers: LimiterServerProcess[] = [];
  try {
    servers.push(...(await Promise.all([spawnLimiterServer(env), spawnLimiterServer(env)])));
    // One request each opens the pools and creates the tables (slow, and not what is measured);
    // then the bucket refills (burst / rate) before the clock starts.
    for (const server of servers) {
      const warmUp = await fetch(`${server.url}/v1/agents`, { headers: { 'x-api-key': API_KEY } });
      if (warmUp.status !== 200) throw new Error(`warm-up got ${warmUp.status}:\n${server.stderr()}`);
      await warmUp.arrayBuffer();
    }
    await new Promise((resolve) => setTimeout(resolve, (PLAN.burst / PLAN.rate) * 1000 + 200));
    const statuses = new Map<number, number>();
    const admittedBy = [0, 0];
    const result = await driveSteadily(
      async (index) => {
        const server = servers[index % 2]!;
        const response = await fetch(`${server.url}/v1/agents`, { headers: { 'x-api-key': API_KEY } });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status !== 200 && response.status !== 429) {
          throw new Error(`unexpected ${response.status} from ${server.url}:\n${server.stderr()}`);
        }
        if (response.status === 200) admittedBy[index % 2]!++;
        return response.status === 200;
      },
      { durationMs: 3_000, intervalMs: 5 },
    );
    return { ...result, statuses, admittedBy, model: tokenBucketModel(PLAN, result.elapsedMs) };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

function report(name: string, result: Awaited<ReturnType<typeof driveTwoServers>>): void {
  const deviation = (100 * (result.admitted - result.model)) / result.model;
  console.info(
    `${name}, 2 processes: ${result.admitted} admitted of ${result.sent} in ${result.elapsedMs.toFixed(0)} ms; ` +
      `one token bucket: ${result.model.toFixed(1)} (${deviation.toFixed(2)}%); admitted by each ${result.admittedBy.join(' + ')}; ` +
      `statuses ${JSON.stringify([...result.statuses])}`,
  );
}

describe('usage plans across processes', () => {
  it('PostgreSQL: two servers share one token bucket', async (context) => {
    const database = await postgresTestDatabase();
    if ('skipReason' in database) {
      console.warn(`skipped: ${database.skipReason}`);
      context.skip(database.skipReason);
      return;
    }
    try {
      const result = await driveTwoServers(
        { AGENTRY_RATE_LIMIT_STORE: 'postgres', DATABASE_URL: database.connectionString },
        `agentry_test_${randomBytes(6).toString('hex')}`,
      );
      report('postgres', result);
      expect(result.sent).toBeGreaterThan(PLAN.rate * 3 * 3);
      expect(Math.abs(result.admitted - result.model) / result.model).toBeLessThanOrEqual(0.05);
      // Both served; how the tokens split depends on the phase of the alternation against the drip.
      expect(Math.min(...result.admittedBy)).toBeGreaterThan(0);
    } finally {
      await database.drop();
    }
  }, 60_000);

  it('Redis: two servers share one token bucket', async (context) => {
    const redis = await redisTestServer();
    if ('skipReason' in redis) {
      console.warn(`skipped: ${redis.skipReason}`);
      context.skip(redis.skipReason);
      return;
    }
    try {
      const result = await driveTwoServers({ AGENTRY_RATE_LIMIT_STORE: 'redis', REDIS_URL: redis.url }, redis.prefix);
      report('redis', result);
      expect(result.sent).toBeGreaterThan(PLAN.rate * 3 * 3);
      expect(Math.abs(result.admitted - result.model) / result.model).toBeLessThanOrEqual(0.05);
      // Both served; how the tokens split depends on the phase of the alternation against the drip.
      expect(Math.min(...result.admittedBy)).toBeGreaterThan(0);
    } finally {
      await redis.cleanup();
    }
  }, 60_000);
});
