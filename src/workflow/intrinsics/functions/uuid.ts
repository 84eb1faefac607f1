import { randomUUID } from 'node:crypto';
import type { IntrinsicFunction } from '../function-types.ts';
import type { RandomSource } from '../scope.ts';

/** A v4 UUID built from an injected source, so tests and replays get the same identifier. */
export function uuidFromRandom(random: RandomSource): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256) & 0xff);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const uuidFunctions: Record<string, IntrinsicFunction> = {
  'States.UUID': {
    minArgs: 0,
    maxArgs: 0,
    run: (call) => (call.random ? uuidFromRandom(call.random) : randomUUID()),
  },
};
