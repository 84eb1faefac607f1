import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Where the tests look for Redis; override with AGENTRY_TEST_REDIS_URL. */
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisTestServer {
  url: string;
  client: Redis;
  /** A key prefix no other run uses (`agentry_test_<random>`). */
  prefix: string;
  /** Deletes every key under `prefix` and disconnects. */
  cleanup(): Promise<void>;
}

/**
 * A connection to the test Redis and a fresh key prefix, or the reason there is none. Tests skip
 * on `skipReason`, except when AGENTRY_REQUIRE_SERVICES=1: then an unreachable server throws.
 */
export async function redisTestServer(
  env: NodeJS.ProcessEnv = process.env,
): Promise<RedisTestServer | { skipReason: string }> {
  const url = env['AGENTRY_TEST_REDIS_URL'] ?? DEFAULT_TEST_REDIS_URL;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const reason = `Redis test server not reachable at ${url} (${(error as Error).message})`;
    if (env['AGENTRY_REQUIRE_SERVICES'] === '1') throw new Error(`${reason}; AGENTRY_REQUIRE_SERVICES=1 requires it.`);
    return { skipReason: reason };
  }
  const prefix = `agentry_test_${randomBytes(6).toString('hex')}`;
  return {
    url,
    client,
    prefix,
    cleanup: async () => {
      let cursor = '0';
      for (let round = 0; round < 1_000; round++) {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
      client.disconnect();
    },
  };
}
