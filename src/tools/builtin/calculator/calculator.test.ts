import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentryError, type ErrorCode } from '../../../errors.ts';
import type { ToolContext } from '../../define-tool.ts';
import { calculatorTool, evaluateExpression } from './calculator-tool.ts';
import { MAX_NESTING_DEPTH } from './parse.ts';
import { MAX_EXPRESSION_LENGTH, tokenize } from './tokenize.ts';

function calcError(expression: string): AgentryError {
  try {
    evaluateExpression(expression);
  } catch (error) {
    if (error instanceof AgentryError) return error;
    throw error;
  }
  throw new Error(`Expected "${expression}" to fail`);
}

function expectError(expression: string, code: ErrorCode, message?: RegExp): AgentryError {
  const error = calcError(expression);
  expect(error.code, `${expression}: ${error.message}`).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}

describe('evaluateExpression', () => {
  it.each([
    ['25 * 47', 1175],
    ['100 / 4 * 3', 75],
    ['(100 / 4) * 3', 75],
    ['100 / (4 * 3)', 8.33333333333333],
    ['2 + 3 * 4', 14],
    ['(2 + 3) * 4', 20],
    ['10 - 4 - 3', 3],
    ['2 * 3 ^ 2', 18],
    ['8 / 2 / 2', 2],
  ])('reference and precedence: %s = %d', (expression, expected) => {
    expect(evaluateExpression(expression)).toBe(expected);
  });

  it.each([
    ['2 ^ 3 ^ 2', 512],
    ['(2 ^ 3) ^ 2', 64],
    ['2 ^ -1', 0.5],
    ['2 ** 10', 1024],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['-2 ^ -2', -0.25],
    ['2 ^ -2 ^ 2', 2 ** -4],
  ])('powers are right-associative and bind tighter than a leading sign: %s = %d', (expression, expected) => {
    expect(evaluateExpression(expression)).toBe(expected);
  });

  it.each([
    ['-5', -5],
    ['+5', 5],
    ['--5', 5],
    ['3 - -2', 5],
    ['3 * -2', -6],
    ['-(2 + 3)', -5],
    ['-3 * 2', -6],
    ['- 0', 0],
  ])('unary signs: %s = %d', (expression, expected) => {
    expect(evaluateExpression(expression)).toBe(expected);
  });

  it.each([
    ['10 % 3', 1],
    ['-7 % 3', -1],
    ['7.5 % 2', 1.5],
    ['2 + 10 % 4 * 3', 8],
  ])('remainder: %s = %d', (expression, expected) => {
    expect(evaluateExpression(expression)).toBe(expected);
  });

  it.each([
    ['sqrt(16)', 4],
    ['abs(-3.5)', 3.5],
    ['round(2.5)', 3],
    ['round(-2.5)', -2],
    ['round(3.14159, 2)', 3.14],
    ['round(1.005, 2)', 1.01],
    ['round(1234, -2)', 1200],
    ['floor(-2.5)', -3],
    ['ceil(2.1)', 3],
    ['min(3)', 3],
    ['min(3, 1, 2)', 1],
    ['max(3, -1, 7, 2)', 7],
    ['log(1000)', 3],
    ['log(8, 2)', 3],
    ['log(81, 3)', 4],
    ['ln(e)', 1],
    ['exp(0)', 1],
    ['exp(1)', Math.E],
    ['sin(0)', 0],
    ['sin(pi / 2)', 1],
    ['cos(pi)', -1],
    ['tan(pi / 4)', 1],
    ['pi', Math.PI],
    ['e', Math.E],
    ['PI * 2', 2 * Math.PI],
    ['Sqrt(E ^ 2)', Math.E],
    ['max(1, min(5, 3), sqrt(49))', 7],
  ])('functions and constants: %s', (expression, expected) => {
    expect(evaluateExpression(expression)).toBeCloseTo(expected, 12);
  });

  it.each([
    ['2.5 * 2', 5],
    ['.5 + .25', 0.75],
    ['1.', 1],
    ['1e3', 1000],
    ['1E3', 1000],
    ['2.5e-3', 0.0025],
    ['1e+2', 100],
    ['0.1 + 0.2', 0.3],
    ['1e3 * e', 2718.28182845905],
  ])('number notation: %s', (expression, expected) => {
    expect(evaluateExpression(expression)).toBeCloseTo(expected, 12);
  });

  it('rounds non-integers to 15 significant digits and never returns -0', () => {
    expect(evaluateExpression('0.1 + 0.2')).toBe(0.3);
    expect(evaluateExpression('100 / 3')).toBe(33.3333333333333);
    expect(Object.is(evaluateExpression('-0'), 0)).toBe(true);
    expect(evaluateExpression('2 ^ 60')).toBe(2 ** 60);
  });

  it('ignores whitespace of any kind', () => {
    expect(evaluateExpression('  25*47  ')).toBe(1175);
    expect(evaluateExpression('\t(\n100/4 )\r\n*\t3 ')).toBe(75);
    expect(evaluateExpression('max( 1 ,2 , 3 )')).toBe(3);
  });
});

describe('rejects code and malformed input', () => {
  it.each([
    ['import os'],
    ["__import__('os').system('ls')"],
    ['process.exit()'],
    ["constructor.constructor('return this')()"],
    ['require("fs")'],
    ['this'],
    ['globalThis'],
    ['x = 1'],
    ['`ls`'],
  ])('%s', (expression) => {
    const error = calcError(expression);
    expect(['CALC_SYNTAX', 'CALC_UNKNOWN_NAME']).toContain(error.code);
  });

  it('names the bad character and its position', () => {
    const error = expectError('process.exit()', 'CALC_SYNTAX', /Unexpected character "\."/);
    expect(error.details).toMatchObject({ position: 7 });
    expect(error.message).toContain('^ position 7');
    expectError("__import__('os')", 'CALC_SYNTAX', /Strings are not supported/);
    expect(calcError("__import__('os')").details).toMatchObject({ position: 11 });
  });

  it('treats prototype property names as unknown, not as functions', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expectError(`${name}(1)`, 'CALC_UNKNOWN_NAME');
      expectError(name, 'CALC_UNKNOWN_NAME');
    }
  });

  it('reports a trailing operator', () => {
    const error = expectError('1 +', 'CALC_SYNTAX', /after "\+", but the expression ended/);
    expect(error.details).toMatchObject({ position: 3 });
  });

  it('reports an unclosed parenthesis', () => {
    const error = expectError('(1', 'CALC_SYNTAX', /Missing "\)" to close the "\(" at position 0/);
    expect(error.details).toMatchObject({ position: 2, openPosition: 0 });
    expectError('sqrt(4', 'CALC_SYNTAX', /Missing "\)" to close the call sqrt\(/);
  });

  it('reports an unmatched closing parenthesis', () => {
    const error = expectError('1)', 'CALC_SYNTAX', /Unmatched "\)"/);
    expect(error.details).toMatchObject({ position: 1 });
  });

  it.each(['2 3', '2pi', '2(3 + 4)', '(1)(2)', 'sqrt(4) 2'])('rejects implicit multiplication: %s', (expression) => {
    expectError(expression, 'CALC_SYNTAX', /Implicit multiplication is not supported/);
  });

  it('reports other syntax errors with hints', () => {
    expectError('', 'CALC_SYNTAX', /empty/);
    expectError('   ', 'CALC_SYNTAX', /empty/);
    expectError('* 2', 'CALC_SYNTAX', /at the start, but found "\*"/);
    expectError('1,000 + 1', 'CALC_SYNTAX', /thousands separators/);
    expectError('max(1,)', 'CALC_SYNTAX', /after ",", but found "\)"/);
    expectError('1.2.3', 'CALC_SYNTAX', /Malformed number/);
    expectError('200 * 15%', 'CALC_SYNTAX', /remainder operator, not percent/);
    expectError('3 × 4', 'CALC_SYNTAX', /Use "\*"/);
    expectError('sqrt', 'CALC_SYNTAX', /is a function; call it with parentheses: sqrt\(x\)/);
    expectError('pi(2)', 'CALC_SYNTAX', /is a constant, not a function/);
  });

  it('names an unknown identifier and lists the allowed names', () => {
    const error = expectError('foo(1)', 'CALC_UNKNOWN_NAME', /Unknown name "foo"/);
    expect(error.message).toContain('sqrt(x)');
    expect(error.message).toContain('pi, e');
    expect(error.details).toMatchObject({ name: 'foo', position: 0, constants: ['pi', 'e'] });
    expect(error.details?.['functions']).toContain('log');
    expectError('x + 1', 'CALC_UNKNOWN_NAME', /Unknown name "x"/);
  });

  it('checks arity', () => {
    const error = expectError('sqrt()', 'CALC_SYNTAX', /sqrt takes 1 argument but got 0\. Usage: sqrt\(x\)/);
    expect(error.details).toMatchObject({ function: 'sqrt', minArgs: 1, maxArgs: 1, received: 0 });
    expectError('sqrt(1, 2)', 'CALC_SYNTAX', /takes 1 argument but got 2/);
    expectError('max()', 'CALC_SYNTAX', /at least 1 argument/);
    expectError('log(1, 2, 3)', 'CALC_SYNTAX', /1 to 2 arguments/);
    expectError('round(1, 2, 3)', 'CALC_SYNTAX', /1 to 2 arguments/);
  });
});

describe('domain errors', () => {
  it.each([
    ['1/0', /Division by zero in "1\/0"/],
    ['5 / (2 - 2)', /Division by zero/],
    ['5 % 0', /Remainder by zero/],
    ['sqrt(-1)', /sqrt\(-1\) is not a real number/],
    ['log(0)', /only defined for positive numbers, got 0/],
    ['log(-5)', /only defined for positive numbers/],
    ['ln(0)', /only defined for positive numbers/],
    ['log(10, 1)', /base of a logarithm/],
    ['log(10, -2)', /base of a logarithm/],
    ['0 ^ -1', /raises 0 to a negative power/],
    ['(-8) ^ (1/3)', /is not a real number/],
    ['10 ^ 400', /too large to represent/],
    ['exp(1000)', /too large to represent/],
    ['-exp(1000)', /too large to represent/],
    ['1e999', /too large to represent/],
    ['1e308 * 10', /overflows to Infinity/],
    ['round(1.5, 0.5)', /whole number of digits/],
    ['round(1.5, 16)', /whole number of digits/],
  ])('%s', (expression, message) => {
    expectError(expression, 'CALC_DOMAIN', message);
  });

  it('points at the failing operator', () => {
    expect(calcError('1 + 2 / 0').details).toMatchObject({ position: 6 });
  });
});

describe('complexity limits', () => {
  it('rejects input longer than the limit before parsing', () => {
    const long = `${'1 + '.repeat(MAX_EXPRESSION_LENGTH / 4)}1`;
    expect(long.length).toBeGreaterThan(MAX_EXPRESSION_LENGTH);
    const error = expectError(long, 'CALC_TOO_COMPLEX', /characters long; the limit is 1000/);
    expect(error.details).toMatchObject({ length: long.length, limit: MAX_EXPRESSION_LENGTH });
    expect(() => tokenize('$'.repeat(MAX_EXPRESSION_LENGTH + 1))).toThrow(/limit is 1000/);
  });

  it('accepts input at the limit', () => {
    const atLimit = `${'1+'.repeat(MAX_EXPRESSION_LENGTH / 2 - 1)}10`;
    expect(atLimit.length).toBe(MAX_EXPRESSION_LENGTH);
    expect(evaluateExpression(atLimit)).toBe(MAX_EXPRESSION_LENGTH / 2 - 1 + 10);
  });

  it('rejects deep nesting', () => {
    const ok = `${'('.repeat(MAX_NESTING_DEPTH)}1${')'.repeat(MAX_NESTING_DEPTH)}`;
    expect(evaluateExpression(ok)).toBe(1);
    const deep = `${'('.repeat(MAX_NESTING_DEPTH + 1)}1${')'.repeat(MAX_NESTING_DEPTH + 1)}`;
    expectError(deep, 'CALC_TOO_COMPLEX', /nests more than 100 levels/);
    expectError(`${'-'.repeat(200)}1`, 'CALC_TOO_COMPLEX');
    expectError(`${'sqrt('.repeat(150)}1${')'.repeat(150)}`, 'CALC_TOO_COMPLEX');
    expectError(`2${'^2'.repeat(150)}`, 'CALC_TOO_COMPLEX');
  });
});

describe('no dynamic code execution', () => {
  const dir = new URL('.', import.meta.url);
  const sources = readdirSync(dir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));

  it('covers every source file', () => {
    expect(sources.sort()).toEqual(['calculator-tool.ts', 'evaluate.ts', 'parse.ts', 'tokenize.ts']);
  });

  it.each(sources)('%s uses no eval, Function or vm', (file) => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    for (const forbidden of ['eval(', 'new Function', 'Function(', 'node:vm', "from 'vm'", 'import(']) {
      expect(text, `${file} contains ${forbidden}`).not.toContain(forbidden);
    }
  });
});

describe('calculatorTool', () => {
  const context: ToolContext = { signal: new AbortController().signal, toolCallId: 'call-1' };

  it('is a low-risk idempotent tool named calculate', () => {
    expect(calculatorTool.name).toBe('calculate');
    expect(calculatorTool.risk).toBe('low');
    expect(calculatorTool.idempotent).toBe(true);
    expect(calculatorTool.description).toMatch(/sqrt/);
    expect(calculatorTool.inputJsonSchema).toMatchObject({
      type: 'object',
      properties: { expression: { type: 'string' } },
      required: ['expression'],
    });
  });

  it('returns the expression and its result', async () => {
    expect(await calculatorTool.run({ expression: '2+2' }, context)).toEqual({ expression: '2+2', result: 4 });
    expect(await calculatorTool.run({ expression: '25 * 47' }, context)).toEqual({
      expression: '25 * 47',
      result: 1175,
    });
  });

  it('validates input', () => {
    expect(calculatorTool.input.safeParse({ expression: 5 }).success).toBe(false);
    expect(calculatorTool.input.safeParse({}).success).toBe(false);
    expect(calculatorTool.input.safeParse({ expression: '1 + 1' }).success).toBe(true);
  });

  it('throws AgentryError with a serializable, position-bearing body', () => {
    let thrown: unknown;
    try {
      calculatorTool.run({ expression: '1 / 0' }, context);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AgentryError);
    expect((thrown as AgentryError).toJSON()).toMatchObject({
      code: 'CALC_DOMAIN',
      retryable: false,
      details: { position: 2 },
    });
  });
});
