import type { AgentryError } from '../../../errors.ts';
import type { Node } from './parse.ts';
import { errorAt } from './tokenize.ts';

interface MathFunction {
  /** How the function is shown to the model in errors, e.g. `log(x) or log(x, base)`. */
  usage: string;
  minArgs: number;
  maxArgs: number;
  /** `args.length` is already within [minArgs, maxArgs]. `fail` reports a CALC_DOMAIN error at the call. */
  apply(args: readonly number[], fail: (message: string) => never): number;
}

/** Names are matched case-insensitively. Maps (not object literals) so `constructor` and friends are unknown. */
const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);

const ROUND_DIGITS_LIMIT = 15;

const unary = (usage: string, f: (x: number, fail: (message: string) => never) => number): MathFunction => ({
  usage,
  minArgs: 1,
  maxArgs: 1,
  apply: (args, fail) => f(args[0]!, fail),
});

const FUNCTIONS: ReadonlyMap<string, MathFunction> = new Map([
  [
    'sqrt',
    unary('sqrt(x)', (x, fail) =>
      x < 0 ? fail(`sqrt(${format(x)}) is not a real number: sqrt needs a value >= 0.`) : Math.sqrt(x),
    ),
  ],
  ['abs', unary('abs(x)', Math.abs)],
  [
    'round',
    {
      usage: 'round(x) or round(x, digits)',
      minArgs: 1,
      maxArgs: 2,
      apply: ([x, digits = 0], fail) => {
        if (!Number.isInteger(digits) || Math.abs(digits) > ROUND_DIGITS_LIMIT) {
          fail(`round(x, digits) needs a whole number of digits between -15 and 15, got ${format(digits)}.`);
        }
        return roundTo(x!, digits);
      },
    },
  ],
  ['floor', unary('floor(x)', Math.floor)],
  ['ceil', unary('ceil(x)', Math.ceil)],
  [
    'min',
    { usage: 'min(a, b, ...)', minArgs: 1, maxArgs: Number.POSITIVE_INFINITY, apply: (args) => Math.min(...args) },
  ],
  [
    'max',
    { usage: 'max(a, b, ...)', minArgs: 1, maxArgs: Number.POSITIVE_INFINITY, apply: (args) => Math.max(...args) },
  ],
  [
    'log',
    {
      usage: 'log(x) (base 10) or log(x, base)',
      minArgs: 1,
      maxArgs: 2,
      apply: ([x, base = 10], fail) => logarithm(x!, base, 'log', fail),
    },
  ],
  ['ln', unary('ln(x)', (x, fail) => logarithm(x, Math.E, 'ln', fail))],
  ['exp', unary('exp(x)', Math.exp)],
  ['sin', unary('sin(x)', Math.sin)],
  ['cos', unary('cos(x)', Math.cos)],
  ['tan', unary('tan(x)', Math.tan)],
]);

/** The names a model may use, as listed in CALC_UNKNOWN_NAME errors and the tool description. */
export const ALLOWED_CONSTANTS: readonly string[] = [...CONSTANTS.keys()];
export const ALLOWED_FUNCTIONS: readonly string[] = [...FUNCTIONS.values()].map((f) => f.usage);

function logarithm(x: number, base: number, name: string, fail: (message: string) => never): number {
  if (x <= 0) fail(`${name} is only defined for positive numbers, got ${format(x)}.`);
  if (base <= 0 || base === 1) fail(`The base of a logarithm must be positive and not 1, got ${format(base)}.`);
  // Exact bases first: Math.log(1000) / Math.log(10) is 2.9999999999999996.
  if (base === 10) return Math.log10(x);
  if (base === 2) return Math.log2(x);
  if (base === Math.E) return Math.log(x);
  return Math.log(x) / Math.log(base);
}

/** Rounds half up (towards +Infinity, like Math.round); 15 significant digits first so round(1.005, 2) is 1.01. */
function roundTo(x: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(Number((x * factor).toPrecision(15))) / factor;
}

function format(value: number): string {
  return String(Number(value.toPrecision(15)));
}

const QUOTE_LIMIT = 60;

/**
 * Evaluates a parsed expression. Every intermediate value must be a finite number: division by
 * zero, roots and logarithms outside their domain, overflow and NaN all throw CALC_DOMAIN.
 * Unknown identifiers throw CALC_UNKNOWN_NAME; misused names and wrong argument counts CALC_SYNTAX.
 */
export function evaluate(tree: Node, source: string): number {
  const quote = (node: Node): string => {
    const text = source.slice(node.start, node.end);
    return text.length <= QUOTE_LIMIT ? `"${text}"` : `"${text.slice(0, QUOTE_LIMIT)}…"`;
  };
  const domainError = (message: string, position: number): AgentryError =>
    errorAt('CALC_DOMAIN', message, source, position);

  const finite = (value: number, node: Node, position = node.start): number => {
    if (Number.isFinite(value)) return value;
    if (Number.isNaN(value)) throw domainError(`${quote(node)} is not a real number.`, position);
    throw domainError(
      `${quote(node)} is too large to represent: it overflows to ${value > 0 ? '' : '-'}Infinity (beyond ±1.8e308).`,
      position,
    );
  };

  const visit = (node: Node): number => {
    switch (node.kind) {
      case 'number':
        return finite(node.value, node);
      case 'name':
        return constant(node);
      case 'unary': {
        const operand = visit(node.operand);
        return node.op === '-' ? -operand : operand;
      }
      case 'binary':
        return finite(binary(node), node, node.operatorPosition);
      case 'call':
        return finite(call(node), node);
    }
  };

  const binary = (node: Extract<Node, { kind: 'binary' }>): number => {
    const left = visit(node.left);
    const right = visit(node.right);
    switch (node.op) {
      case '+':
        return left + right;
      case '-':
        return left - right;
      case '*':
        return left * right;
      case '/':
        if (right === 0) throw domainError(`Division by zero in ${quote(node)}.`, node.operatorPosition);
        return left / right;
      case '%':
        if (right === 0) throw domainError(`Remainder by zero in ${quote(node)}.`, node.operatorPosition);
        return left % right;
      case '^':
        if (left === 0 && right < 0) {
          throw domainError(
            `${quote(node)} raises 0 to a negative power, which divides by zero.`,
            node.operatorPosition,
          );
        }
        return left ** right;
    }
  };

  const constant = (node: Extract<Node, { kind: 'name' }>): number => {
    const key = node.name.toLowerCase();
    const value = CONSTANTS.get(key);
    if (value !== undefined) return value;
    const fn = FUNCTIONS.get(key);
    if (fn !== undefined) {
      throw errorAt(
        'CALC_SYNTAX',
        `"${node.name}" is a function; call it with parentheses: ${fn.usage}.`,
        source,
        node.start,
        { name: node.name },
      );
    }
    throw unknownName(node.name, node.start);
  };

  const call = (node: Extract<Node, { kind: 'call' }>): number => {
    const fn = FUNCTIONS.get(node.name.toLowerCase());
    if (fn === undefined) {
      if (CONSTANTS.has(node.name.toLowerCase())) {
        throw errorAt(
          'CALC_SYNTAX',
          `"${node.name}" is a constant, not a function; use it without parentheses and multiply explicitly, ` +
            `e.g. "2 * ${node.name}".`,
          source,
          node.start,
          { name: node.name },
        );
      }
      throw unknownName(node.name, node.start);
    }
    const count = node.args.length;
    if (count < fn.minArgs || count > fn.maxArgs) {
      const expected =
        fn.maxArgs === Number.POSITIVE_INFINITY
          ? `at least ${fn.minArgs} argument${fn.minArgs === 1 ? '' : 's'}`
          : fn.minArgs === fn.maxArgs
            ? `${fn.minArgs} argument${fn.minArgs === 1 ? '' : 's'}`
            : `${fn.minArgs} to ${fn.maxArgs} arguments`;
      throw errorAt(
        'CALC_SYNTAX',
        `${node.name.toLowerCase()} takes ${expected} but got ${count}. Usage: ${fn.usage}.`,
        source,
        node.start,
        {
          function: node.name.toLowerCase(),
          minArgs: fn.minArgs,
          maxArgs: fn.maxArgs === Number.POSITIVE_INFINITY ? null : fn.maxArgs,
          received: count,
        },
      );
    }
    const args = node.args.map(visit);
    return fn.apply(args, (message) => {
      throw domainError(message, node.start);
    });
  };

  const unknownName = (name: string, position: number): AgentryError =>
    errorAt(
      'CALC_UNKNOWN_NAME',
      `Unknown name "${name}". Only these names are allowed (case-insensitive): constants ${ALLOWED_CONSTANTS.join(', ')}; ` +
        `functions ${ALLOWED_FUNCTIONS.join(', ')}. Trigonometry uses radians. Variables are not supported: ` +
        'substitute their numeric values.',
      source,
      position,
      { name, constants: ALLOWED_CONSTANTS, functions: [...FUNCTIONS.keys()] },
    );

  return visit(tree);
}
