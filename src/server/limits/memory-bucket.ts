import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { PointsLimiter } from './points-limiter.ts';
import { type BucketShape, bucketRes, takeTokens } from './token-bucket.ts';

/** Sweep full buckets (now ≥ TAT, the same as no record) every this many consumes. */
const SWEEP_EVERY = 1_000;

/**
 * The token bucket in this process's memory, with the injected clock. Answers like the library's
 * limiters: resolves with a RateLimiterRes when admitted, rejects with one when refused. Buckets
 * are per process: N replicas admit N times the plan.
 */
export class MemoryTokenBucket implements PointsLimiter {
  readonly #tats = new Map<string, number>();
  readonly #shape: BucketShape;
  readonly #now: () => number;
  #consumes = 0;

  constructor(shape: BucketShape, now: () => number) {
    this.#shape = shape;
    this.#now = now;
  }

  consume(key: string, points = 1): Promise<RateLimiterRes> {
    const now = this.#now();
    if (++this.#consumes % SWEEP_EVERY === 0) this.#sweep(now);
    const step = takeTokens(this.#tats.get(key), now, this.#shape, points);
    if (step.admitted) this.#tats.set(key, step.tatMs);
    const res = bucketRes(this.#shape.burst, step.answer);
    return step.admitted ? Promise.resolve(res) : Promise.reject(res);
  }

  #sweep(now: number): void {
    for (const [key, tat] of this.#tats) if (tat <= now) this.#tats.delete(key);
  }
}
