import { runtimeError } from '../errors.ts';
import { type PathSources, queryPath, tryQueryPath } from '../paths/jsonpath.ts';
import type { ChoiceRule } from '../types.ts';

/**
 * JSONPath Choice rule evaluation. Comparing values of the wrong type is false, not an error; a `Variable`
 * path that selects nothing is States.Runtime unless the operator is IsPresent.
 */

type Comparator = (left: unknown, right: unknown) => boolean;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number';

function ordered<T>(guard: (value: unknown) => value is T, key: (value: T) => number | string) {
  return (test: (difference: number) => boolean): Comparator =>
    (left, right) => {
      if (!guard(left) || !guard(right)) return false;
      const a = key(left);
      const b = key(right);
      return test(a < b ? -1 : a > b ? 1 : 0);
    };
}

const byString = ordered(isString, (value) => value);
const byNumber = ordered(isNumber, (value) => value);
const byTime = ordered(isTimestamp, (value) => Date.parse(value));

const EQ = (d: number): boolean => d === 0;
const LT = (d: number): boolean => d < 0;
const GT = (d: number): boolean => d > 0;
const LTE = (d: number): boolean => d <= 0;
const GTE = (d: number): boolean => d >= 0;

/** Binary operators; each also exists with a `Path` suffix whose operand is a path into the input. */
const BINARY: Record<string, Comparator> = {
  StringEquals: byString(EQ),
  StringLessThan: byString(LT),
  StringGreaterThan: byString(GT),
  StringLessThanEquals: byString(LTE),
  StringGreaterThanEquals: byString(GTE),
  NumericEquals: byNumber(EQ),
  NumericLessThan: byNumber(LT),
  NumericGreaterThan: byNumber(GT),
  NumericLessThanEquals: byNumber(LTE),
  NumericGreaterThanEquals: byNumber(GTE),
  BooleanEquals: (left, right) => typeof left === 'boolean' && left === right,
  TimestampEquals: byTime(EQ),
  TimestampLessThan: byTime(LT),
  TimestampGreaterThan: byTime(GT),
  TimestampLessThanEquals: byTime(LTE),
  TimestampGreaterThanEquals: byTime(GTE),
  StringMatches: (left, right) => isString(left) && isString(right) && stringMatches(left, right),
};

/** Type tests: the operand is a boolean saying whether the test should hold. */
const TYPE_TESTS: Record<string, (value: unknown) => boolean> = {
  IsNull: (value) => value === null,
  IsString: isString,
  IsNumeric: isNumber,
  IsBoolean: (value) => typeof value === 'boolean',
  IsTimestamp: isTimestamp,
};

/** `*` matches any run of characters; `\*` is a literal asterisk and `\\` a literal backslash. */
export function stringMatches(value: string, pattern: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (char === '\\' && i + 1 < pattern.length) {
      regex += escapeRegex(pattern[i + 1] ?? '');
      i++;
    } else if (char === '*') {
      regex += '.*';
    } else {
      regex += escapeRegex(char);
    }
  }
  return new RegExp(`^${regex}$`, 's').test(value);
}

function escapeRegex(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

export function evaluateChoiceRule(rule: ChoiceRule, sources: PathSources): boolean {
  if (Array.isArray(rule.And)) return rule.And.every((inner: ChoiceRule) => evaluateChoiceRule(inner, sources));
  if (Array.isArray(rule.Or)) return rule.Or.some((inner: ChoiceRule) => evaluateChoiceRule(inner, sources));
  if (rule.Not !== undefined) return !evaluateChoiceRule(rule.Not as ChoiceRule, sources);
  const variablePath = rule.Variable;
  if (typeof variablePath !== 'string') throw runtimeError('Choice rule without Variable, And, Or or Not');
  const variable = tryQueryPath(variablePath, sources);
  if (typeof rule.IsPresent === 'boolean') return variable.found === rule.IsPresent;
  if (!variable.found) throw runtimeError(`Invalid path '${variablePath}': the choice rule's variable was not found`);
  for (const [operator, operand] of Object.entries(rule)) {
    const test = TYPE_TESTS[operator];
    if (test) return test(variable.value) === operand;
    const direct = BINARY[operator];
    if (direct) return direct(variable.value, operand);
    if (operator.endsWith('Path')) {
      const compare = BINARY[operator.slice(0, -'Path'.length)];
      if (compare && typeof operand === 'string') return compare(variable.value, queryPath(operand, sources));
    }
  }
  throw runtimeError(`Choice rule on '${variablePath}' has no comparison operator`);
}
