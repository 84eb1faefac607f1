import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeTokens } from './token-bucket.ts';

/** Runs requests at the given times through one bucket; returns the admitted times. */
function simulate(times: readonly number[], shape: { rate: number; burst: number }): number[] {
  let tat: number | undefined;
  const admitted: number[] = [];
  for (const time of times) {
    const step = takeTokens(tat, time, shape);
    if (step.admitted) {
      tat = step.tatMs;
      admitted.push(time);
    }
  }
  return admitted;
}

describe('token bucket (GCRA)', () => {
  it('admits a full burst at once, then refuses until one token has dripped back', () => {
    const shape = { rate: 10, burst: 20 };
    let tat: number | undefined;
    for (let index = 0; index < 20; index++) {
      const step = takeTokens(tat, 1_000, shape);
      expect(step.admitted).toBe(true);
      expect(step.answer[0]).toBe(index + 1); // tokens in use
      tat = step.tatMs;
    }
    expect(tat).toBe(1_000 + 20 * 100);
    const refused = takeTokens(tat, 1_000, shape);
    expect(refused).toMatchObject({ admitted: false, tatMs: tat, answer: [21, 100] });
    expect(takeTokens(tat, 1_099, shape).admitted).toBe(false);
    expect(takeTokens(tat, 1_099, shape).answer[1]).toBeCloseTo(1);
    expect(takeTokens(tat, 1_100, shape).admitted).toBe(true);
  });

  it('refills at the rate up to the burst, never beyond', () => {
    const shape = { rate: 4, burst: 3 };
    const first = simulate([0, 0, 0], shape);
    expect(first).toHaveLength(3);
    // An hour later the bucket holds 3 tokens, not 14 400.
    expect(simulate([0, 0, 0, 3_600_000, 3_600_000, 3_600_000, 3_600_000], shape)).toHaveLength(6);
  });

  it('handles fractional rates (one request every 2 s)', () => {
    const shape = { rate: 0.5, burst: 1 };
    expect(simulate([0, 1_000, 1_999, 2_000, 3_000, 4_000], shape)).toEqual([0, 2_000, 4_000]);
  });

  it('under steady overload admits burst + rate × elapsed (± 1)', () => {
    const shape = { rate: 7, burst: 5 };
    const times = Array.from({ length: 10_000 }, (_, index) => index * 3); // 333 requests/s for 30 s
    const admitted = simulate(times, shape).length;
    const model = shape.burst + (shape.rate * times.at(-1)!) / 1000;
    expect(Math.abs(admitted - model)).toBeLessThanOrEqual(1);
  });

  it('never admits more than burst + rate × t in any interval of length t', () => {
    fc.assert(
      fc.property(
        fc.record({ rate: fc.double({ min: 0.1, max: 1_000, noNaN: true }), burst: fc.integer({ min: 1, max: 50 }) }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 300 }),
        (shape, unsorted) => {
          const admitted = simulate(
            [...unsorted].sort((a, b) => a - b),
            shape,
          );
          for (let from = 0; from < admitted.length; from++) {
            for (let to = from; to < admitted.length; to++) {
              const count = to - from + 1;
              const span = admitted[to]! - admitted[from]!;
              expect(count).toBeLessThanOrEqual(shape.burst + (shape.rate * span) / 1000 + 1e-6);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
