import type { IntrinsicFunction } from '../function-types.ts';
import { arrayFunctions } from './array.ts';
import { encodingFunctions } from './encoding.ts';
import { hashFunctions } from './hash.ts';
import { jsonFunctions } from './json.ts';
import { mathFunctions } from './math.ts';
import { stringFunctions } from './string.ts';
import { uuidFunctions } from './uuid.ts';

/** Every intrinsic of the Amazon States Language, by name. */
export const INTRINSIC_FUNCTIONS: ReadonlyMap<string, IntrinsicFunction> = new Map(
  Object.entries({
    ...stringFunctions,
    ...jsonFunctions,
    ...arrayFunctions,
    ...encodingFunctions,
    ...hashFunctions,
    ...mathFunctions,
    ...uuidFunctions,
  }),
);
