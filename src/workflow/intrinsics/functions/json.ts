import { argumentError, booleanArg, objectArg, stringArg } from '../arguments.ts';
import type { IntrinsicFunction } from '../function-types.ts';

export const jsonFunctions: Record<string, IntrinsicFunction> = {
  'States.StringToJson': {
    minArgs: 1,
    maxArgs: 1,
    run(call) {
      const text = stringArg(call, 0, 'JSON string');
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw argumentError(call, 0, 'JSON string', 'is not valid JSON');
      }
    },
  },

  'States.JsonToString': {
    minArgs: 1,
    maxArgs: 1,
    // Compact JSON, as Step Functions returns it: {"foo":"bar"}.
    run: (call) => JSON.stringify(call.args[0]),
  },

  'States.JsonMerge': {
    minArgs: 3,
    maxArgs: 3,
    run(call) {
      const first = objectArg(call, 0, 'first object');
      const second = objectArg(call, 1, 'second object');
      if (booleanArg(call, 2, 'deep merge')) {
        throw argumentError(call, 2, 'deep merge', 'must be false: only shallow merging is supported');
      }
      // Shallow: a key in the second object replaces the first object's value whole. A new object,
      // so the inputs (which may be the state input itself) are never mutated.
      return { ...first, ...second };
    },
  },
};
