import { RateLimiterRes } from 'rate-limiter-flexible';

/*
 * The rate model: a true token bucket of `burst` tokens refilled at `rate` tokens per second, kept
 * as GCRA (the generic cell rate algorithm, the bucket's exact equivalent with one number of state).
 *
 * rate-limiter-flexible's limiters are fixed windows (and BurstyRateLimiter is two of them): at a
 * window edge they admit up to twice the rate, and over time they admit `points` per window, not
 * `burst + rate × t`. So the bucket is our arithmetic, run atomically inside each of the library's
 * stores (its Redis limiter with a custom script, subclasses of its PostgreSQL and DynamoDB
 * limiters, and a Map for memory), while the daily quota is the library's own fixed window.
 *
 * State: TAT, the "theoretical arrival time" in ms — when the bucket will be full again. With
 * T = 1000 / rate (ms per token) and τ = burst × T:
 *   - the bucket holds (τ - max(0, TAT - now)) / T tokens;
 *   - a request costing n is admitted iff max(TAT, now) + n·T - now ≤ τ, and then TAT := max(TAT, now) + n·T;
 *   - a refused request changes nothing, and could succeed after max(TAT, now) + n·T - τ - now ms.
 * Under steady overload this admits exactly burst + rate × elapsed requests (± 1), which the
 * accuracy tests measure. An absent or expired record is a full bucket, so stores may delete a key
 * once now ≥ TAT (the TTL every store sets).
 *
 * Every store answers like the library's limiters do, as [consumed, ttlMs]:
 *   admitted: consumed = tokens in use after this request (rounded up, so remaining = burst - consumed
 *             is the whole tokens left), ttlMs = ms until the bucket is full again;
 *   refused:  consumed = burst + n (over the limit, as the library reports it), ttlMs = ms until a
 *             retry can succeed.
 */

export interface BucketShape {
  /** Tokens the bucket holds; the library's `points`. */
  burst: number;
  /** Tokens per second. */
  rate: number;
}

/** ms per token. */
export function emissionIntervalMs(shape: BucketShape): number {
  return 1000 / shape.rate;
}

/** The library's `duration` for a bucket: seconds to refill it from empty, so points / duration = rate. */
export function refillSeconds(shape: BucketShape): number {
  return shape.burst / shape.rate;
}

export type BucketAnswer = readonly [consumed: number, ttlMs: number];

export interface BucketStep {
  admitted: boolean;
  /** The TAT to store; unchanged when refused. */
  tatMs: number;
  answer: BucketAnswer;
}

/** One GCRA step; `tatMs` undefined means no record (a full bucket). Pure: stores make it atomic. */
export function takeTokens(tatMs: number | undefined, nowMs: number, shape: BucketShape, cost = 1): BucketStep {
  const interval = emissionIntervalMs(shape);
  const tolerance = shape.burst * interval;
  const base = tatMs === undefined ? nowMs : Math.max(tatMs, nowMs);
  const next = base + cost * interval;
  if (next - nowMs > tolerance) {
    return { admitted: false, tatMs: base, answer: [shape.burst + cost, next - nowMs - tolerance] };
  }
  return { admitted: true, tatMs: next, answer: [tokensInUse(next - nowMs, interval), next - nowMs] };
}

/** Whole tokens in use for a debt of `aheadMs`; the epsilon keeps 2.0000000001 tokens from reading as 3. */
export function tokensInUse(aheadMs: number, intervalMs: number): number {
  return Math.ceil(aheadMs / intervalMs - 1e-9);
}

/** The library's result object for a store's answer; `consumed > burst` means refused. */
export function bucketRes(burst: number, [consumed, ttlMs]: BucketAnswer): RateLimiterRes {
  return new RateLimiterRes(Math.max(burst - consumed, 0), Math.max(0, ttlMs), consumed, false);
}
