import { AgentryError, type ErrorCode } from '../../../errors.ts';

/** Longest expression accepted; longer input fails with CALC_TOO_COMPLEX before any parsing. */
export const MAX_EXPRESSION_LENGTH = 1000;

export type Operator = '+' | '-' | '*' | '/' | '%' | '^';

/** `position` is the 0-based index of the token's first character in the source. */
export type Token =
  | { kind: 'number'; value: number; text: string; position: number }
  | { kind: 'name'; name: string; position: number }
  | { kind: 'operator'; op: Operator; text: string; position: number }
  | { kind: '(' | ')' | ','; position: number }
  | { kind: 'end'; position: number };

// Sticky (`y`) so each match is anchored at lastIndex.
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const WHITESPACE = /\s/;
const OPERATORS: ReadonlySet<string> = new Set(['+', '-', '*', '/', '%', '^']);

const CHARACTER_HINTS: ReadonlyMap<string, string> = new Map([
  ['.', 'A "." may only appear inside a number such as 2.5; property access is not supported.'],
  ["'", 'Strings are not supported; only numbers, operators, parentheses, constants and functions.'],
  ['"', 'Strings are not supported; only numbers, operators, parentheses, constants and functions.'],
  ['`', 'Strings are not supported; only numbers, operators, parentheses, constants and functions.'],
  ['=', 'Only expressions are evaluated: no assignments or comparisons.'],
  ['×', 'Use "*" for multiplication.'],
  ['·', 'Use "*" for multiplication.'],
  ['÷', 'Use "/" for division.'],
  ['−', 'Use the ASCII "-" for subtraction.'],
  ['!', 'Factorials and logical operators are not supported.'],
  ['[', 'Use round parentheses "(" and ")" for grouping.'],
  [']', 'Use round parentheses "(" and ")" for grouping.'],
  ['{', 'Use round parentheses "(" and ")" for grouping.'],
  ['}', 'Use round parentheses "(" and ")" for grouping.'],
  ['$', 'Write amounts without currency symbols.'],
  ['€', 'Write amounts without currency symbols.'],
  ['£', 'Write amounts without currency symbols.'],
]);

/**
 * Builds a calculator error whose message ends with an excerpt of the expression and a caret under
 * `position`, so a model can see exactly where the problem is. `details.position` is 0-based.
 */
export function errorAt(
  code: ErrorCode,
  message: string,
  source: string,
  position: number,
  details: Record<string, unknown> = {},
): AgentryError {
  return new AgentryError(code, `${message}\n${pointTo(source, position)}`, { details: { ...details, position } });
}

const EXCERPT_RADIUS = 30;

function pointTo(source: string, position: number): string {
  const from = Math.max(0, position - EXCERPT_RADIUS);
  const to = Math.min(source.length, position + EXCERPT_RADIUS);
  const prefix = from > 0 ? '…' : '';
  const suffix = to < source.length ? '…' : '';
  // Whitespace is flattened to spaces so the caret lines up under tabs and newlines.
  const excerpt = source.slice(from, to).replace(/\s/g, ' ');
  const caret = ' '.repeat(prefix.length + position - from);
  return `  ${prefix}${excerpt}${suffix}\n  ${caret}^ position ${position}`;
}

/** Splits an expression into tokens; the last token is always `end`. Throws CALC_SYNTAX or CALC_TOO_COMPLEX. */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new AgentryError(
      'CALC_TOO_COMPLEX',
      `The expression is ${source.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}. ` +
        'Split the calculation into smaller steps.',
      { details: { length: source.length, limit: MAX_EXPRESSION_LENGTH } },
    );
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (WHITESPACE.test(ch)) {
      i++;
      continue;
    }
    const number = matchAt(NUMBER, source, i);
    if (number !== undefined) {
      const next = source[i + number.length];
      if (next === '.') {
        throw errorAt(
          'CALC_SYNTAX',
          `Malformed number "${number}.": a number may contain only one decimal point.`,
          source,
          i + number.length,
        );
      }
      tokens.push({ kind: 'number', value: Number(number), text: number, position: i });
      i += number.length;
      continue;
    }
    const name = matchAt(NAME, source, i);
    if (name !== undefined) {
      tokens.push({ kind: 'name', name, position: i });
      i += name.length;
      continue;
    }
    if (ch === '*' && source[i + 1] === '*') {
      tokens.push({ kind: 'operator', op: '^', text: '**', position: i });
      i += 2;
      continue;
    }
    if (OPERATORS.has(ch)) {
      tokens.push({ kind: 'operator', op: ch as Operator, text: ch, position: i });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, position: i });
      i++;
      continue;
    }
    const character = String.fromCodePoint(source.codePointAt(i)!);
    const hint = CHARACTER_HINTS.get(character);
    throw errorAt(
      'CALC_SYNTAX',
      `Unexpected character "${character}".${hint === undefined ? '' : ` ${hint}`}`,
      source,
      i,
      { character },
    );
  }
  tokens.push({ kind: 'end', position: source.length });
  return tokens;
}

function matchAt(pattern: RegExp, source: string, index: number): string | undefined {
  pattern.lastIndex = index;
  return pattern.exec(source)?.[0];
}

/** How a token is named in error messages. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'number':
      return `number ${token.text}`;
    case 'name':
      return `name "${token.name}"`;
    case 'operator':
      return `"${token.text}"`;
    case 'end':
      return 'the end of the expression';
    default:
      return `"${token.kind}"`;
  }
}
