import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../../auth/identity.ts';
import type { UsagePlanConfig } from '../../../config/schemas.ts';
import type { LimiterBackend } from '../limiter-backends.ts';
import { createUsagePlanLimiter, type UsagePlanLimiter } from '../usage-plan-limiter.ts';
import { msUntilUtcMidnight } from '../utc-day.ts';
import { driveSteadily, tokenBucketModel } from './drive.ts';

export interface LimiterBackendFixture {
  backend: LimiterBackend;
  /** A prefix of its own, so runs never share counters. */
  prefix: string;
  cleanup(): Promise<void>;
}

export type LimiterBackendFactory = () => Promise<LimiterBackendFixture | { skipReason: string }>;

/** The accuracy case's numbers, by backend, for reports. */
export const measured: Record<string, { admitted: number; model: number; elapsedMs: number; sent: number }> = {};

function identity(plan: string): Identity {
  return {
    keyId: `key-${randomBytes(4).toString('hex')}`,
    tenantId: 't1',
    userId: 'u1',
    scopes: new Set(['agents:run']),
    onBehalf: false,
    plan,
  };
}

const PLANS: Record<string, UsagePlanConfig> = {
  default: { rate: 2, burst: 5, quota: 1_000 },
  quota: { rate: 1_000, burst: 1_000, quota: 3 },
  steady: { rate: 25, burst: 10, quota: 100_000 },
};

/**
 * The behaviour every usage-plan store must show, in real time (the Redis and PostgreSQL buckets
 * run on the store's clock, so no clock is injected): a burst at once, then refusals with
 * Retry-After ≈ 1 / rate; the daily quota; and, over 3 s of steady overload, burst + rate × elapsed
 * admitted requests within 5%.
 */
export function describeLimiterConformance(name: string, factory: LimiterBackendFactory): void {
  describe(`usage plan limiter conformance: ${name}`, () => {
    let fixture: LimiterBackendFixture | { skipReason: string };
    let limiter: UsagePlanLimiter;
    beforeAll(async () => {
      fixture = await factory();
      if ('skipReason' in fixture) return;
      limiter = createUsagePlanLimiter({
        plans: PLANS,
        backend: fixture.backend,
        prefix: fixture.prefix,
        failOpen: false,
        timeoutMs: 5_000,
      });
    }, 30_000);
    afterAll(async () => {
      if (!fixture || 'skipReason' in fixture) return;
      await limiter.close();
      await fixture.cleanup();
    });

    function skipped(context: { skip: (note?: string) => void }): boolean {
      if (!('skipReason' in fixture)) return false;
      console.warn(`skipped: ${fixture.skipReason}`);
      context.skip(fixture.skipReason);
      return true;
    }

    it('admits a burst at once, then refuses with Retry-After ≈ 1 / rate', async (context) => {
      if (skipped(context)) return;
      const caller = identity('default');
      const started = performance.now();
      const remaining = [];
      for (let index = 0; index < 5; index++) {
        const decision = await limiter.consume(caller);
        expect(decision.allowed).toBe(true);
        remaining.push(decision.remaining);
      }
      const refused = await limiter.consume(caller);
      const elapsed = (performance.now() - started) / 1000;
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      expect(refused).toMatchObject({ allowed: false, reason: 'rate', limit: 5, remaining: 0 });
      // 0.5 s per token, less what dripped back while the burst was sent.
      expect(refused.retryAfterSeconds).toBeGreaterThan(0.5 - elapsed - 0.05);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(0.5 + 0.01);
      await new Promise((resolve) => setTimeout(resolve, (refused.retryAfterSeconds ?? 0) * 1000 + 30));
      expect(await limiter.consume(caller)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('keeps one bucket per API key', async (context) => {
      if (skipped(context)) return;
      const first = identity('default');
      for (let index = 0; index < 5; index++) await limiter.consume(first);
      expect((await limiter.consume(first)).allowed).toBe(false);
      expect((await limiter.consume(identity('default'))).allowed).toBe(true);
    });

    it('refuses with reason quota when the daily quota is used, until the next UTC midnight', async (context) => {
      if (skipped(context)) return;
      const caller = identity('quota');
      for (let index = 0; index < 3; index++) expect((await limiter.consume(caller)).allowed).toBe(true);
      const refused = await limiter.consume(caller);
      expect(refused).toMatchObject({ allowed: false, reason: 'quota', limit: 3, remaining: 0 });
      expect(refused.retryAfterSeconds).toBeCloseTo(msUntilUtcMidnight(Date.now()) / 1000, -1);
    });

    it('admits burst + rate × elapsed (within 5%) under 3 s of steady overload', async (context) => {
      if (skipped(context)) return;
      const caller = identity('steady');
      const plan = PLANS['steady']!;
      const result = await driveSteadily(async () => (await limiter.consume(caller)).allowed, {
        durationMs: 3_000,
        intervalMs: 4,
      });
      const model = tokenBucketModel(plan, result.elapsedMs);
      measured[name] = { ...result, model };
      console.info(
        `${name}: ${result.admitted} admitted of ${result.sent} in ${result.elapsedMs.toFixed(0)} ms; ` +
          `token bucket model ${model.toFixed(1)} (${((100 * (result.admitted - model)) / model).toFixed(2)}%)`,
      );
      expect(result.sent).toBeGreaterThan(plan.rate * 3 * 2); // really overloaded
      expect(Math.abs(result.admitted - model) / model).toBeLessThanOrEqual(0.05);
    }, 15_000);
  });
}
