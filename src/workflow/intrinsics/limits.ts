/** Limits from the AWS Step Functions intrinsic documentation, plus our own bounds on hostile input. */

/** "You can nest up to 10 intrinsic functions within a field." Enforced as call depth. */
export const MAX_NESTING_DEPTH = 10;
/** Not an AWS limit: the longest expression we tokenize (definitions are capped at 1 MB anyway). */
export const MAX_EXPRESSION_LENGTH = 64 * 1024;
/** States.ArrayRange: "The new array can contain up to 1000 elements." */
export const ARRAY_RANGE_MAX_ITEMS = 1000;
/** States.Base64Encode, States.Base64Decode and States.Hash accept up to 10,000 characters. */
export const MAX_STRING_INPUT_CHARS = 10_000;
/** States.MathAdd: "integer values in the range of -2147483648 and 2147483647". */
export const MATH_ADD_MIN = -2_147_483_648;
export const MATH_ADD_MAX = 2_147_483_647;
