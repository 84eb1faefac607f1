import type { DynamoDB } from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterDynamo, RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis } from 'rate-limiter-flexible';
import { DynamoTokenBucket } from './dynamo-bucket.ts';
import { MemoryTokenBucket } from './memory-bucket.ts';
import type { UsagePlan } from './plans.ts';
import type { PointsLimiter } from './points-limiter.ts';
import { PostgresTokenBucket } from './postgres-bucket.ts';
import { redisTokenBucket } from './redis-bucket.ts';

/** Where the counters live. Clients are the caller's: `close()` leaves them open. */
export type LimiterBackend =
  | { kind: 'memory' }
  /** `createTables` (default true): the library creates the two tables on first use. */
  | { kind: 'postgres'; pool: pg.Pool; createTables?: boolean }
  | { kind: 'redis'; client: Redis }
  /** `client` is the aggregated `DynamoDB` client (the library's requirement), not `DynamoDBClient`. */
  | { kind: 'dynamodb'; client: DynamoDB; createTables?: boolean };

export type LimiterStoreKind = LimiterBackend['kind'];

/** The two counters of one plan: the token bucket (keyed by key id) and the daily quota (key id and day). */
export interface PlanLimiters {
  bucket: PointsLimiter;
  quota: PointsLimiter;
}

export interface BackendLimiters {
  /** The plan's limiters, once their tables exist. Rejects while the store is unreachable; the next call tries again. */
  forPlan(plan: UsagePlan): Promise<PlanLimiters>;
  close(): Promise<void>;
}

/** The quota window's default length; each consume passes the time to the next UTC midnight instead. */
const DAY_SECONDS = 86_400;

/**
 * Names in the store, from `prefix` (default agentry_rl): Redis keys `<prefix>:bucket:<keyId>` and
 * `<prefix>:quota:<keyId>:<day>`; PostgreSQL and DynamoDB tables `<prefix>_bucket` and
 * `<prefix>_quota` keyed by `<keyId>` and `<keyId>:<day>`.
 */
export function backendLimiters(backend: LimiterBackend, prefix: string, now: () => number): BackendLimiters {
  switch (backend.kind) {
    case 'memory':
      return cachedPerPlan(async (plan) => ({
        bucket: new MemoryTokenBucket(plan, now),
        quota: new RateLimiterMemory({ keyPrefix: '', points: plan.quota, duration: DAY_SECONDS }),
      }));
    case 'redis': {
      // Its own connection: the library registers one script per client (see redis-bucket.ts).
      const bucketClient = backend.client.duplicate();
      bucketClient.on('error', () => {}); // failures reach consume() as rejections, and are logged there
      return cachedPerPlan(
        async (plan) => {
          // Both limiters refuse to queue while not connected: give a fresh connection a moment.
          await Promise.all([readyWithin(bucketClient, 500), readyWithin(backend.client, 500)]);
          return {
            bucket: redisTokenBucket(bucketClient, `${prefix}:bucket`, plan),
            quota: new RateLimiterRedis({
              storeClient: backend.client,
              keyPrefix: `${prefix}:quota`,
              points: plan.quota,
              duration: DAY_SECONDS,
              rejectIfRedisNotReady: true,
            }),
          };
        },
        async () => {
          bucketClient.disconnect();
        },
      );
    }
    case 'postgres': {
      const { pool } = backend;
      const tables = { bucket: `${prefix}_bucket`, quota: `${prefix}_quota` };
      const provisioned = backend.createTables === false;
      // One instance per table creates it (tolerating concurrent creators) and sweeps expired rows;
      // the per-plan instances skip both.
      const bucket = (plan: UsagePlan, creator: boolean) => ({
        pool,
        tableName: tables.bucket,
        shape: plan,
        tableCreated: creator ? provisioned : true,
        clearExpired: creator,
      });
      const quota = (plan: UsagePlan, creator: boolean) => ({
        storeClient: pool,
        storeType: 'pool',
        tableName: tables.quota,
        keyPrefix: '',
        points: plan.quota,
        duration: DAY_SECONDS,
        tableCreated: creator ? provisioned : true,
        clearExpiredByTimeout: creator,
      });
      const created = retrying(() =>
        Promise.all([
          whenReady((ready) => new PostgresTokenBucket(bucket(PROBE, true), ready)),
          whenReady((ready) => new RateLimiterPostgres(quota(PROBE, true), ready)),
        ]),
      );
      return cachedPerPlan(async (plan) => {
        await created();
        return {
          bucket: new PostgresTokenBucket(bucket(plan, false), () => {}),
          quota: new RateLimiterPostgres(quota(plan, false)),
        };
      });
    }
    case 'dynamodb': {
      const db = backend.client;
      const tables = { bucket: `${prefix}_bucket`, quota: `${prefix}_quota` };
      const provisioned = backend.createTables === false;
      const quota = (plan: UsagePlan, creator: boolean) => ({
        storeClient: db,
        tableName: tables.quota,
        keyPrefix: '',
        points: plan.quota,
        duration: DAY_SECONDS,
        tableCreated: creator ? provisioned : true,
        ttlSet: true, // see dynamo-bucket.ts: TTL on `expire` is the provisioner's job
      });
      const created = retrying(() =>
        Promise.all([
          whenReady(
            (ready) =>
              new DynamoTokenBucket(
                { db, tableName: tables.bucket, shape: PROBE, tableCreated: provisioned, now },
                ready,
              ),
          ),
          whenReady((ready) => new RateLimiterDynamo(quota(PROBE, true), ready)),
        ]),
      );
      return cachedPerPlan(async (plan) => {
        await created();
        return {
          bucket: new DynamoTokenBucket(
            { db, tableName: tables.bucket, shape: plan, tableCreated: true, now },
            () => {},
          ),
          quota: new RateLimiterDynamo(quota(plan, false)),
        };
      });
    }
  }
}

/** The plan the table-creating instances are built with; they never consume. */
const PROBE: UsagePlan = { name: 'probe', rate: 1, burst: 1, quota: 1 };

function cachedPerPlan(
  build: (plan: UsagePlan) => Promise<PlanLimiters>,
  close: () => Promise<void> = async () => {},
): BackendLimiters {
  const byPlan = new Map<string, () => Promise<PlanLimiters>>();
  return {
    forPlan(plan) {
      let get = byPlan.get(plan.name);
      if (!get) {
        get = retrying(() => build(plan));
        byPlan.set(plan.name, get);
      }
      return get();
    },
    close,
  };
}

/**
 * Resolves once the client is connected or has failed to, or after `ms` (commands then fail fast).
 * Connects a `lazyConnect` client: a limiter that refuses to queue would never send the first command.
 */
function readyWithin(client: Redis, ms: number): Promise<void> {
  if (client.status === 'ready' || client.status === 'end') return Promise.resolve();
  if (client.status === 'wait') client.connect().catch(() => {});
  return new Promise((resolve) => {
    const events = ['ready', 'error', 'end'] as const;
    const done = () => {
      clearTimeout(timer);
      for (const event of events) client.off(event, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const event of events) client.once(event, done);
  });
}

/** Runs `make` once and shares its promise; a rejection is forgotten, so the next call runs it again. */
function retrying<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= make().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** Builds a library limiter whose constructor reports readiness (its table) through a callback. */
function whenReady<T>(make: (ready: (error?: Error) => void) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    let instance: T | undefined;
    let outcome: { error?: Error } | undefined;
    const settle = () => {
      if (!outcome || instance === undefined) return;
      if (outcome.error) reject(outcome.error);
      else resolve(instance);
    };
    // The callback may run inside the constructor (a created table) or later.
    instance = make((error) => {
      outcome = error ? { error } : {};
      settle();
    });
    settle();
  });
}
