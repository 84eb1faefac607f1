import { describe, expect, it } from 'vitest';
import type { Identity } from '../../auth/identity.ts';
import { projectFileSchema } from '../../config/schemas.ts';
import { isAgentryError } from '../../errors.ts';
import { chooseLimiterStore, openLimiter } from './open-limiter.ts';

const caller: Identity = {
  keyId: 'k1',
  tenantId: 't1',
  userId: 'u1',
  scopes: new Set(['agents:run']),
  onBehalf: false,
  plan: 'gold',
};

describe('chooseLimiterStore', () => {
  it('prefers AGENTRY_RATE_LIMIT_STORE, then limits.store, then REDIS_URL, then DATABASE_URL, else memory', () => {
    const urls = { REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://127.0.0.1/x' };
    expect(
      chooseLimiterStore({ config: { store: 'postgres' }, env: { ...urls, AGENTRY_RATE_LIMIT_STORE: 'dynamodb' } }),
    ).toBe('dynamodb');
    expect(chooseLimiterStore({ config: { store: 'memory' }, env: urls })).toBe('memory');
    expect(chooseLimiterStore({ config: {}, env: urls })).toBe('redis');
    expect(chooseLimiterStore({ config: undefined, env: { DATABASE_URL: urls.DATABASE_URL } })).toBe('postgres');
    expect(chooseLimiterStore({ config: undefined, env: {} })).toBe('memory');
  });

  it('refuses an unknown AGENTRY_RATE_LIMIT_STORE', () => {
    expect(() => chooseLimiterStore({ config: undefined, env: { AGENTRY_RATE_LIMIT_STORE: 'mongo' } })).toThrow(
      /AGENTRY_RATE_LIMIT_STORE must be memory, postgres, redis, dynamodb/,
    );
  });
});

describe('openLimiter', () => {
  it("meters with the project's plans", async () => {
    const config = projectFileSchema.parse({ plans: { gold: { rate: 5, burst: 2, quota: 100 } } });
    const opened = await openLimiter({ project: { config }, env: {} });
    expect(opened.kind).toBe('memory');
    expect(await opened.limiter.consume(caller)).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
    await opened.limiter.consume(caller);
    expect(await opened.limiter.consume(caller)).toMatchObject({ allowed: false, reason: 'rate' });
    await opened.close();
  });

  it('needs the URL of the store it is told to use', async () => {
    const config = projectFileSchema.parse({ limits: { store: 'redis' } });
    const error = await openLimiter({ project: { config }, env: {} }).catch((caught: unknown) => caught);
    expect(isAgentryError(error) && error.code).toBe('CONFIG_INVALID');
  });
});

describe('plans and limits in agentry.config.yaml', () => {
  it('accepts plans and limits, and rejects a redefined unlimited or a bad plan', () => {
    const parsed = projectFileSchema.parse({
      plans: { default: { rate: 0.5, burst: 1, quota: 100 }, 'gold.v2': { rate: 100, burst: 200, quota: 1_000_000 } },
      limits: { store: 'redis', failOpen: false, prefix: 'acme_rl', createTables: false },
    });
    expect(parsed.plans?.['gold.v2']).toEqual({ rate: 100, burst: 200, quota: 1_000_000 });
    expect(() => projectFileSchema.parse({ plans: { unlimited: { rate: 1, burst: 1, quota: 1 } } })).toThrow(
      /reserved/,
    );
    expect(() => projectFileSchema.parse({ plans: { gold: { rate: 0, burst: 1, quota: 1 } } })).toThrow();
    expect(() => projectFileSchema.parse({ plans: { gold: { rate: 1, burst: 1.5, quota: 1 } } })).toThrow();
    expect(() => projectFileSchema.parse({ plans: { gold: { rate: 1, burst: 1 } } })).toThrow();
    expect(() => projectFileSchema.parse({ limits: { store: 'mongo' } })).toThrow();
  });
});
