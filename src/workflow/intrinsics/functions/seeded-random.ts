import type { RandomSource } from '../scope.ts';

/**
 * A deterministic generator for States.MathRandom's seed argument: the same seed always gives the
 * same sequence. Not cryptographic (neither is Step Functions'). FNV-1a of the seed's decimal
 * form, then mulberry32.
 */
export function seededRandom(seed: number): RandomSource {
  let state = 0x811c9dc5;
  for (const char of String(seed)) {
    state ^= char.charCodeAt(0);
    state = Math.imul(state, 0x01000193);
  }
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
