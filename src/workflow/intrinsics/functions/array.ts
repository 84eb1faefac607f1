import { argumentError, arrayArg, numberArg, roundedIntegerArg } from '../arguments.ts';
import { intrinsicFailure } from '../errors.ts';
import type { IntrinsicFunction } from '../function-types.ts';
import { canonicalKey, jsonEqual } from '../json-equal.ts';
import { ARRAY_RANGE_MAX_ITEMS } from '../limits.ts';

export const arrayFunctions: Record<string, IntrinsicFunction> = {
  'States.Array': {
    minArgs: 0,
    maxArgs: Number.POSITIVE_INFINITY,
    run: (call) => [...call.args],
  },

  'States.ArrayPartition': {
    minArgs: 2,
    maxArgs: 2,
    run(call) {
      const array = arrayArg(call, 0, 'array');
      const size = roundedIntegerArg(call, 1, 'chunk size');
      if (size < 1) throw argumentError(call, 1, 'chunk size', 'must be a positive integer');
      const chunks: unknown[][] = [];
      for (let i = 0; i < array.length; i += size) chunks.push(array.slice(i, i + size));
      return chunks;
    },
  },

  'States.ArrayContains': {
    minArgs: 2,
    maxArgs: 2,
    run(call) {
      const array = arrayArg(call, 0, 'array');
      const wanted = call.args[1];
      return array.some((item) => jsonEqual(item, wanted));
    },
  },

  'States.ArrayRange': {
    minArgs: 3,
    maxArgs: 3,
    run(call) {
      const start = roundedIntegerArg(call, 0, 'start');
      const end = roundedIntegerArg(call, 1, 'end');
      const step = roundedIntegerArg(call, 2, 'step');
      if (step === 0) throw argumentError(call, 2, 'step', 'must not be zero');
      const span = (end - start) / step;
      // A step pointing away from the end gives an empty range, not an error.
      if (span < 0) return [];
      const count = Math.floor(span) + 1;
      if (count > ARRAY_RANGE_MAX_ITEMS) {
        throw intrinsicFailure(`${call.name}: the range would hold ${count} items; at most ${ARRAY_RANGE_MAX_ITEMS}`);
      }
      return Array.from({ length: count }, (_, i) => start + i * step);
    },
  },

  'States.ArrayGetItem': {
    minArgs: 2,
    maxArgs: 2,
    run(call) {
      const array = arrayArg(call, 0, 'array');
      const index = numberArg(call, 1, 'index');
      if (!Number.isInteger(index) || index < 0) {
        throw argumentError(call, 1, 'index', 'must be a non-negative integer');
      }
      if (index >= array.length) {
        throw argumentError(call, 1, 'index', `is out of bounds for an array of length ${array.length}`);
      }
      return array[index];
    },
  },

  'States.ArrayLength': {
    minArgs: 1,
    maxArgs: 1,
    run: (call) => arrayArg(call, 0, 'array').length,
  },

  'States.ArrayUnique': {
    minArgs: 1,
    maxArgs: 1,
    run(call) {
      const seen = new Set<string>();
      return arrayArg(call, 0, 'array').filter((item) => {
        const key = canonicalKey(item);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    },
  },
};
