import { AgentryError } from '../errors.ts';
import { sleep } from '../util/sleep.ts';

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
  /** Injected for tests; defaults to a real, abortable sleep. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or retries run out.
 * Backoff is "full jitter": a random delay in [0, min(max, base * 2^n)], or the provider's
 * Retry-After when it sent one (capped at `maxDelayMs`). `attempt` receives the attempt number and
 * reports through `canRetry` whether it already had visible effects (streamed text), which forbids
 * a retry because listeners would see the output twice.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (attemptNumber: number) => Promise<T>,
  canRetry: () => boolean = () => true,
): Promise<T> {
  const random = policy.random ?? Math.random;
  const wait = policy.sleep ?? sleep;
  for (let attemptNumber = 0; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      const retryable = error instanceof AgentryError && error.retryable;
      if (!retryable || attemptNumber >= policy.retries || !canRetry() || signal?.aborted) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attemptNumber);
      const retryAfter = (error as AgentryError).details?.retryAfterMs;
      const delay = typeof retryAfter === 'number' ? Math.min(policy.maxDelayMs, retryAfter) : random() * ceiling;
      await wait(delay, signal);
    }
  }
}
