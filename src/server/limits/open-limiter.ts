import type { Project } from '../../config/load-project.ts';
import type { RateLimitsConfig } from '../../config/schemas.ts';
import { AgentryError } from '../../errors.ts';
import { errorFields, type Logger, silentLogger } from '../logger.ts';
import type { LimiterBackend, LimiterStoreKind } from './limiter-backends.ts';
import { throttledLog } from './throttled-log.ts';
import { createUsagePlanLimiter, type UsagePlanLimiter } from './usage-plan-limiter.ts';

export type { LimiterStoreKind } from './limiter-backends.ts';

const KINDS: readonly LimiterStoreKind[] = ['memory', 'postgres', 'redis', 'dynamodb'];

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where usage-plan counters live, strongest first: AGENTRY_RATE_LIMIT_STORE, the project's
 * `limits.store`, `redis` when REDIS_URL is set, `postgres` when DATABASE_URL is set, else memory
 * (per process: N replicas would admit N times the plan).
 */
export function chooseLimiterStore({
  config,
  env,
}: {
  config: RateLimitsConfig | undefined;
  env: Env;
}): LimiterStoreKind {
  const fromEnv = env.AGENTRY_RATE_LIMIT_STORE;
  if (fromEnv !== undefined && fromEnv !== '') {
    const kind = KINDS.find((candidate) => candidate === fromEnv);
    if (!kind) {
      throw new AgentryError(
        'CONFIG_INVALID',
        `AGENTRY_RATE_LIMIT_STORE must be ${KINDS.join(', ')} (got "${fromEnv}").`,
      );
    }
    return kind;
  }
  if (config?.store) return config.store;
  if (env.REDIS_URL) return 'redis';
  if (env.DATABASE_URL) return 'postgres';
  return 'memory';
}

export interface OpenedLimiter {
  kind: LimiterStoreKind;
  limiter: UsagePlanLimiter;
  /** Closes the limiter and the connection it opened. */
  close(): Promise<void>;
}

export interface OpenLimiterOptions {
  project: Pick<Project, 'config'>;
  env: Env;
  logger?: Logger;
  now?: () => number;
}

/**
 * The usage-plan limiter of `agentry serve`: plans from the project, counters in the chosen store,
 * through a connection of its own (REDIS_URL, DATABASE_URL, or DynamoDB with the AWS SDK's usual
 * credentials and AWS_ENDPOINT_URL_DYNAMODB). Stores are imported on demand. Connecting is lazy:
 * an unreachable store does not stop the server; requests then follow `limits.failOpen`.
 */
export async function openLimiter(options: OpenLimiterOptions): Promise<OpenedLimiter> {
  const config = options.project.config.limits;
  const logger = options.logger ?? silentLogger;
  const kind = chooseLimiterStore({ config, env: options.env });
  const { backend, release } = await connect(kind, config, options.env, logger);
  const limiter = createUsagePlanLimiter({
    plans: options.project.config.plans,
    backend,
    failOpen: config?.failOpen ?? true,
    logger,
    ...(config?.prefix ? { prefix: config.prefix } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    kind,
    limiter,
    close: async () => {
      await limiter.close();
      await release();
    },
  };
}

async function connect(
  kind: LimiterStoreKind,
  config: RateLimitsConfig | undefined,
  env: Env,
  logger: Logger,
): Promise<{ backend: LimiterBackend; release: () => Promise<void> }> {
  const createTables = config?.createTables ?? true;
  const log = throttledLog(logger, 30_000, Date.now);
  switch (kind) {
    case 'memory':
      return { backend: { kind }, release: async () => {} };
    case 'postgres': {
      const url = env.DATABASE_URL;
      if (!url) throw new AgentryError('CONFIG_INVALID', 'The postgres rate limit store needs DATABASE_URL.');
      const { default: pg } = await import('pg');
      const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 2_000 });
      pool.on('error', (error) =>
        log('warn', 'usage plan store connection failed', { store: kind, ...errorFields(error) }),
      );
      return { backend: { kind, pool, createTables }, release: () => pool.end() };
    }
    case 'redis': {
      const url = env.REDIS_URL;
      if (!url) throw new AgentryError('CONFIG_INVALID', 'The redis rate limit store needs REDIS_URL.');
      const { Redis } = await import('ioredis');
      // Fail fast while Redis is away (the limiter also refuses to queue: rejectIfRedisNotReady).
      const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
      client.on('error', (error) =>
        log('warn', 'usage plan store connection failed', { store: kind, ...errorFields(error) }),
      );
      return {
        backend: { kind, client },
        release: async () => {
          client.disconnect();
        },
      };
    }
    case 'dynamodb': {
      const { DynamoDB } = await import('@aws-sdk/client-dynamodb');
      const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB;
      const client = new DynamoDB(endpoint ? { endpoint } : {});
      return {
        backend: { kind, client, createTables },
        release: async () => {
          client.destroy();
        },
      };
    }
  }
}
