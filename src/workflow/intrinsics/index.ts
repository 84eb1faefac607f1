/** Amazon States Language intrinsic functions (JSONPath states): `States.Format(...)` and friends. */
export type { CallNode, IntrinsicNode } from './ast.ts';
export { INTRINSIC_FAILURE, IntrinsicError, type IntrinsicErrorName, STATES_RUNTIME } from './errors.ts';
export { evaluateIntrinsic, isIntrinsic } from './evaluate.ts';
export { INTRINSIC_FUNCTIONS } from './functions/registry.ts';
export {
  ARRAY_RANGE_MAX_ITEMS,
  MATH_ADD_MAX,
  MATH_ADD_MIN,
  MAX_EXPRESSION_LENGTH,
  MAX_NESTING_DEPTH,
  MAX_STRING_INPUT_CHARS,
} from './limits.ts';
export { parseIntrinsic } from './parser.ts';
export type { IntrinsicScope, RandomSource } from './scope.ts';
