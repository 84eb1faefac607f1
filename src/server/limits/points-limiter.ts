import { RateLimiterRes } from 'rate-limiter-flexible';

/**
 * The part of rate-limiter-flexible's limiter contract the usage plans use: `consume` resolves with
 * a RateLimiterRes when admitted, rejects with a RateLimiterRes when refused, and rejects with an
 * Error when the store fails. The library's limiters and our token buckets all satisfy it.
 */
export interface PointsLimiter {
  consume(key: string, points?: number, options?: { customDuration?: number }): Promise<RateLimiterRes>;
}

export interface Consumed {
  admitted: boolean;
  res: RateLimiterRes;
}

/** Consumes one point; a refusal is an answer, a store failure is thrown. */
export async function consumeOne(
  limiter: PointsLimiter,
  key: string,
  options: { customDuration?: number } = {},
): Promise<Consumed> {
  try {
    return { admitted: true, res: await limiter.consume(key, 1, options) };
  } catch (error) {
    if (error instanceof RateLimiterRes) return { admitted: false, res: error };
    throw error;
  }
}
