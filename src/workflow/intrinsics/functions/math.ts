import { argumentError, numberArg, roundedIntegerArg } from '../arguments.ts';
import { intrinsicFailure } from '../errors.ts';
import type { IntrinsicCall, IntrinsicFunction } from '../function-types.ts';
import { MATH_ADD_MAX, MATH_ADD_MIN } from '../limits.ts';
import { seededRandom } from './seeded-random.ts';

function addend(call: IntrinsicCall, index: number, label: string): number {
  const value = roundedIntegerArg(call, index, label);
  if (value < MATH_ADD_MIN || value > MATH_ADD_MAX) {
    throw argumentError(call, index, label, `must be between ${MATH_ADD_MIN} and ${MATH_ADD_MAX}`);
  }
  return value;
}

export const mathFunctions: Record<string, IntrinsicFunction> = {
  /** An integer in [start, end). Seeded calls repeat; unseeded ones use the injected source. */
  'States.MathRandom': {
    minArgs: 2,
    maxArgs: 3,
    run(call) {
      const start = roundedIntegerArg(call, 0, 'start');
      const end = roundedIntegerArg(call, 1, 'end');
      if (end <= start) throw argumentError(call, 1, 'end', 'must be greater than start');
      const random = call.args.length > 2 ? seededRandom(numberArg(call, 2, 'seed')) : (call.random ?? Math.random);
      const draw = random();
      if (!(draw >= 0 && draw < 1))
        throw intrinsicFailure(`${call.name}: the random source returned a value outside [0, 1)`);
      return start + Math.floor(draw * (end - start));
    },
  },

  'States.MathAdd': {
    minArgs: 2,
    maxArgs: 2,
    run: (call) => addend(call, 0, 'first number') + addend(call, 1, 'second number'),
  },
};
