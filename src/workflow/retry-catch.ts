import { RETRY_BACKOFF_RATE, RETRY_INTERVAL_SECONDS, RETRY_JITTER_STRATEGY, RETRY_MAX_ATTEMPTS } from './defaults.ts';
import { StatesErrors, UNCATCHABLE_ERRORS } from './errors.ts';
import type { Catcher, Retrier } from './types.ts';

/**
 * ErrorEquals matching. `States.ALL` matches every error; `States.TaskFailed` matches every error except
 * `States.Timeout`; neither (nor an explicit name) matches the terminal `States.Runtime` and
 * `States.DataLimitExceeded`.
 */
export function errorMatches(errorEquals: readonly string[], errorName: string): boolean {
  if (UNCATCHABLE_ERRORS.has(errorName)) return false;
  return errorEquals.some((name) => {
    if (name === errorName || name === StatesErrors.ALL) return true;
    return name === StatesErrors.TaskFailed && errorName !== StatesErrors.Timeout;
  });
}

/**
 * Picks the first retrier whose ErrorEquals matches. When that retrier is exhausted the error is not retried —
 * later retriers are not consulted. `attempts[i]` counts retries already made by retrier i.
 */
export function nextRetry(
  retriers: readonly Retrier[] | undefined,
  errorName: string,
  attempts: number[],
  random: () => number,
): { retrier: number; delayMs: number } | undefined {
  if (!retriers) return undefined;
  const index = retriers.findIndex((retrier) => errorMatches(retrier.ErrorEquals, errorName));
  const retrier = retriers[index];
  if (!retrier) return undefined;
  const done = attempts[index] ?? 0;
  if (done >= (retrier.MaxAttempts ?? RETRY_MAX_ATTEMPTS)) return undefined;
  attempts[index] = done + 1;
  return { retrier: index, delayMs: retryDelayMs(retrier, done, random) };
}

/** Delay before retry number `done + 1`: Interval × BackoffRate^done, capped by MaxDelaySeconds, jittered. */
export function retryDelayMs(retrier: Retrier, done: number, random: () => number): number {
  const interval = retrier.IntervalSeconds ?? RETRY_INTERVAL_SECONDS;
  const backoff = retrier.BackoffRate ?? RETRY_BACKOFF_RATE;
  let seconds = interval * backoff ** done;
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if ((retrier.JitterStrategy ?? RETRY_JITTER_STRATEGY) === 'FULL') seconds = random() * seconds;
  return Math.round(seconds * 1000);
}

export function findCatcher(catchers: readonly Catcher[] | undefined, errorName: string): Catcher | undefined {
  return catchers?.find((catcher) => errorMatches(catcher.ErrorEquals, errorName));
}
