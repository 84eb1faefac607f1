import type { Identity } from '../../auth/identity.ts';
import type { UsagePlanConfig } from '../../config/schemas.ts';
import { AgentryError } from '../../errors.ts';
import { errorFields, type Logger, silentLogger } from '../logger.ts';
import type { LimitDecision, RequestLimiter } from '../runtime.ts';
import { backendLimiters, type LimiterBackend } from './limiter-backends.ts';
import { type PlanBook, planBook, type UsagePlan } from './plans.ts';
import { consumeOne } from './points-limiter.ts';
import { throttledLog } from './throttled-log.ts';
import { emissionIntervalMs } from './token-bucket.ts';
import { UtcDayWindow } from './utc-day.ts';

export const DEFAULT_LIMITS_PREFIX = 'agentry_rl';
/** A store slower than this counts as failed (then failOpen decides). */
export const DEFAULT_LIMITER_TIMEOUT_MS = 1_000;
const STORE_ERROR_LOG_EVERY_MS = 30_000;

export interface UsagePlanLimiterOptions {
  /** The project's `plans:`; the built-in `default` and `unlimited` are added. */
  plans?: Readonly<Record<string, UsagePlanConfig>> | undefined;
  backend: LimiterBackend;
  /**
   * When the store fails or is slower than `timeoutMs`: true (default) admits the request and logs
   * a warning (availability over enforcement: an outage of Redis must not take the API down);
   * false refuses it with 503 STORE_UNAVAILABLE (retryable) and logs an error.
   */
  failOpen?: boolean;
  prefix?: string;
  logger?: Logger;
  /** Epoch ms; drives the memory and DynamoDB buckets and the quota's day. Redis and PostgreSQL use their own clock. */
  now?: () => number;
  timeoutMs?: number;
}

export interface UsagePlanLimiter extends RequestLimiter {
  readonly plans: PlanBook;
  /** Drops the limiter's own connections; the backend's clients stay the caller's. */
  close(): Promise<void>;
}

/** What `unlimited` keys get: no counting, and (Infinity) no RateLimit headers. */
const UNMETERED: LimitDecision = Object.freeze({
  allowed: true,
  limit: Number.POSITIVE_INFINITY,
  remaining: Number.POSITIVE_INFINITY,
  resetSeconds: 0,
});

/**
 * Usage plans as in API Gateway, per API key (`identity.keyId`): a token bucket (see
 * token-bucket.ts) and a daily quota that resets at UTC midnight. A request takes a token first;
 * a refused one costs no quota. A request the quota refuses has spent its token (harmless: the
 * bucket refills in seconds, the quota only at midnight). The answer's limit, remaining and reset
 * describe whichever of the two is closer to refusing.
 */
export function createUsagePlanLimiter(options: UsagePlanLimiterOptions): UsagePlanLimiter {
  const plans = planBook(options.plans ?? {});
  const now = options.now ?? Date.now;
  const failOpen = options.failOpen ?? true;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LIMITER_TIMEOUT_MS;
  const backend = backendLimiters(options.backend, options.prefix ?? DEFAULT_LIMITS_PREFIX, now);
  const log = throttledLog(options.logger ?? silentLogger, STORE_ERROR_LOG_EVERY_MS, now);
  const days = new UtcDayWindow();
  // Process memory answers at once; a timer per request would only cost (remote stores can hang).
  const bounded = options.backend.kind === 'memory' ? <T>(work: Promise<T>) => work : withTimeout;

  async function decide(plan: UsagePlan, keyId: string): Promise<LimitDecision> {
    const limiters = await backend.forPlan(plan);
    const bucket = await consumeOne(limiters.bucket, keyId);
    if (!bucket.admitted) {
      const retryMs = bucket.res.msBeforeNext;
      return {
        allowed: false,
        reason: 'rate',
        limit: plan.burst,
        remaining: 0,
        // Until full: until one token, then the other burst - 1.
        resetSeconds: (retryMs + (plan.burst - 1) * emissionIntervalMs(plan)) / 1000,
        retryAfterSeconds: retryMs / 1000,
      };
    }
    const { day, untilMidnightMs } = days.at(now());
    const quota = await consumeOne(limiters.quota, `${keyId}:${day}`, {
      customDuration: Math.ceil(untilMidnightMs / 1000),
    });
    if (!quota.admitted) {
      const seconds = untilMidnightMs / 1000;
      return {
        allowed: false,
        reason: 'quota',
        limit: plan.quota,
        remaining: 0,
        resetSeconds: seconds,
        retryAfterSeconds: seconds,
      };
    }
    return quota.res.remainingPoints < bucket.res.remainingPoints
      ? { allowed: true, limit: plan.quota, remaining: quota.res.remainingPoints, resetSeconds: untilMidnightMs / 1000 }
      : {
          allowed: true,
          limit: plan.burst,
          remaining: bucket.res.remainingPoints,
          resetSeconds: bucket.res.msBeforeNext / 1000,
        };
  }

  return {
    plans,
    async consume(identity: Identity): Promise<LimitDecision> {
      const choice = plans.choose(identity.plan);
      if (choice.kind === 'unlimited') return UNMETERED;
      const { plan } = choice;
      try {
        return await bounded(decide(plan, identity.keyId), timeoutMs);
      } catch (error) {
        const fields = { store: options.backend.kind, plan: plan.name, ...errorFields(error) };
        if (failOpen) {
          log('warn', 'usage plan store failed; admitting the request (failOpen)', fields);
          return { allowed: true, limit: plan.burst, remaining: plan.burst, resetSeconds: 0 };
        }
        log('error', 'usage plan store failed; refusing the request (failOpen: false)', fields);
        throw new AgentryError('STORE_UNAVAILABLE', 'Usage plans cannot be checked right now; try again shortly.', {
          retryable: true,
          cause: error,
        });
      }
    },
    close: () => backend.close(),
  };
}

class LimiterTimeout extends Error {
  override readonly name = 'LimiterTimeout';
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LimiterTimeout(`The usage plan store did not answer within ${ms} ms.`)), ms);
  });
  work.catch(() => {}); // a late failure after the timeout has been answered already
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
