import { describe, expect, it } from 'vitest';
import { stringMatches } from './states/choice-rules.ts';
import { runForTest } from './test-support.ts';

function choice(rule: Record<string, unknown>) {
  return {
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ ...rule, Next: 'Yes' }], Default: 'No' },
      Yes: { Type: 'Pass', Result: 'yes', End: true },
      No: { Type: 'Pass', Result: 'no', End: true },
    },
  };
}

async function decide(rule: Record<string, unknown>, input: unknown): Promise<unknown> {
  const result = await runForTest(choice(rule), input);
  if (result.status !== 'SUCCEEDED') throw new Error(`${result.error}: ${result.cause}`);
  return result.output;
}

const input = {
  s: 'banana',
  n: 10,
  b: true,
  t: '2024-05-01T10:00:00Z',
  t2: '2024-05-01T11:00:00+01:00',
  nul: null,
  other: { s: 'apple', n: 10, b: true, t: '2024-06-01T00:00:00Z' },
};

describe('Choice', () => {
  it.each([
    [{ Variable: '$.s', StringEquals: 'banana' }, 'yes'],
    [{ Variable: '$.s', StringLessThan: 'cherry' }, 'yes'],
    [{ Variable: '$.s', StringGreaterThan: 'cherry' }, 'no'],
    [{ Variable: '$.s', StringLessThanEquals: 'banana' }, 'yes'],
    [{ Variable: '$.s', StringGreaterThanEquals: 'banana' }, 'yes'],
    [{ Variable: '$.s', StringEqualsPath: '$.other.s' }, 'no'],
    [{ Variable: '$.s', StringGreaterThanPath: '$.other.s' }, 'yes'],
    [{ Variable: '$.n', NumericEquals: 10 }, 'yes'],
    [{ Variable: '$.n', NumericLessThan: 10 }, 'no'],
    [{ Variable: '$.n', NumericGreaterThan: 9.5 }, 'yes'],
    [{ Variable: '$.n', NumericLessThanEquals: 10 }, 'yes'],
    [{ Variable: '$.n', NumericGreaterThanEquals: 11 }, 'no'],
    [{ Variable: '$.n', NumericEqualsPath: '$.other.n' }, 'yes'],
    [{ Variable: '$.n', NumericLessThanPath: '$.other.n' }, 'no'],
    [{ Variable: '$.s', NumericEquals: 10 }, 'no'],
    [{ Variable: '$.b', BooleanEquals: true }, 'yes'],
    [{ Variable: '$.b', BooleanEqualsPath: '$.other.b' }, 'yes'],
    [{ Variable: '$.t', TimestampEquals: '2024-05-01T10:00:00Z' }, 'yes'],
    [{ Variable: '$.t', TimestampEqualsPath: '$.t2' }, 'yes'],
    [{ Variable: '$.t', TimestampLessThan: '2024-05-01T10:00:01Z' }, 'yes'],
    [{ Variable: '$.t', TimestampGreaterThanPath: '$.other.t' }, 'no'],
    [{ Variable: '$.t', TimestampLessThanEqualsPath: '$.other.t' }, 'yes'],
    [{ Variable: '$.t', TimestampGreaterThanEquals: '2024-05-01T10:00:00Z' }, 'yes'],
    [{ Variable: '$.s', StringMatches: 'ban*' }, 'yes'],
    [{ Variable: '$.s', StringMatches: '*x*' }, 'no'],
    [{ Variable: '$.s', IsPresent: true }, 'yes'],
    [{ Variable: '$.nope', IsPresent: false }, 'yes'],
    [{ Variable: '$.nul', IsNull: true }, 'yes'],
    [{ Variable: '$.s', IsString: true }, 'yes'],
    [{ Variable: '$.n', IsNumeric: true }, 'yes'],
    [{ Variable: '$.b', IsBoolean: false }, 'no'],
    [{ Variable: '$.t', IsTimestamp: true }, 'yes'],
    [{ Variable: '$.s', IsTimestamp: true }, 'no'],
    [
      {
        And: [
          { Variable: '$.n', NumericEquals: 10 },
          { Variable: '$.b', BooleanEquals: true },
        ],
      },
      'yes',
    ],
    [
      {
        Or: [
          { Variable: '$.n', NumericEquals: 1 },
          { Variable: '$.b', BooleanEquals: false },
        ],
      },
      'no',
    ],
    [{ Not: { Variable: '$.s', StringEquals: 'apple' } }, 'yes'],
  ])('%j → %s', async (rule, expected) => {
    expect(await decide(rule, input)).toBe(expected);
  });

  it('StringMatches handles escapes', () => {
    expect(stringMatches('a*b', 'a\\*b')).toBe(true);
    expect(stringMatches('axb', 'a\\*b')).toBe(false);
    expect(stringMatches('a\\b', 'a\\\\b')).toBe(true);
    expect(stringMatches('log.txt', '*.txt')).toBe(true);
    expect(stringMatches('x+y', 'x+*')).toBe(true);
  });

  it('fails with States.NoChoiceMatched without a Default', async () => {
    const result = await runForTest(
      { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsNull: true, Next: 'C' }] } } },
      { a: 1 },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
  });

  it('a missing Variable is States.Runtime', async () => {
    const result = await runForTest(choice({ Variable: '$.missing', StringEquals: 'x' }), {});
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});
