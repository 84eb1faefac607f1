import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { PointsLimiter } from './points-limiter.ts';
import { type BucketShape, refillSeconds } from './token-bucket.ts';

/**
 * The GCRA step of token-bucket.ts as the library's `customIncrTtlLuaScript`, so it runs atomically
 * in Redis. The library calls it with KEYS[1] = the key and ARGV = cost, key TTL in seconds (unused
 * here), points (= burst) and duration (= burst / rate, the refill time). It must answer
 * {consumed, ttlMs}, which the library turns into its result and its refusal (consumed > points).
 * The clock is Redis's TIME, so replicas with skewed clocks share one timeline. TAT is stored in
 * ms with 3 decimals and expires when the bucket is full again (a missing key is a full bucket).
 */
export const GCRA_LUA = `
local cost = tonumber(ARGV[1])
local burst = tonumber(ARGV[3])
local tolerance = tonumber(ARGV[4]) * 1000
local interval = tolerance / burst
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local nextTat = tat + cost * interval
local ahead = nextTat - now
if ahead > tolerance then
  return {burst + cost, math.ceil(ahead - tolerance)}
end
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(ahead))
return {math.ceil(ahead / interval - 1e-9), math.ceil(ahead)}
`;

/**
 * A token bucket in Redis through the library's RateLimiterRedis. Quirk: the library registers its
 * script on the client as the command `rlflxIncr`, one per client, so this client must not also
 * carry a stock RateLimiterRedis (the quota): give the bucket its own connection (`duplicate()`).
 */
export function redisTokenBucket(client: Redis, keyPrefix: string, shape: BucketShape): PointsLimiter {
  const limiter = new RateLimiterRedis({
    storeClient: client,
    keyPrefix,
    points: shape.burst,
    duration: refillSeconds(shape),
    customIncrTtlLuaScript: GCRA_LUA,
    // While Redis is away, fail at once (and let failOpen decide) instead of queueing behind reconnects.
    rejectIfRedisNotReady: true,
  });
  // The library runs the script only for a key TTL of at least 1 s; the script sets its own TTL.
  const customDuration = Math.max(1, Math.ceil(refillSeconds(shape)));
  return { consume: (key, points = 1) => limiter.consume(key, points, { customDuration }) };
}
