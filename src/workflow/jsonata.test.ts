import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { namedError, runForTest } from './test-support.ts';

describe('JSONata query language', () => {
  it('Arguments evaluate {% %} strings anywhere; plain strings are not evaluated (AWS transforming-data example)', async () => {
    const result = await runForTest(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { customerName: 'María' }, Next: 'T' },
          T: {
            Type: 'Task',
            Resource: 'echo',
            Arguments: {
              static: 'Hello',
              title: '{% $states.input.title %}',
              name: '{% $customerName %}',
              'not-evaluated': '$customerName',
            },
            End: true,
          },
        },
      },
      { title: 'Doctor' },
      { echo: (input) => input },
    );
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { static: 'Hello', title: 'Doctor', name: 'María', 'not-evaluated': '$customerName' },
    });
  });

  it('Output sees $states.result and $states.input; Assign runs with the result', async () => {
    const result = await runForTest(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'price',
            Assign: { total: '{% $states.result.price * $states.input.qty %}' },
            Output: { item: '{% $states.input.item %}', price: '{% $states.result.price %}' },
            Next: 'Sum',
          },
          Sum: { Type: 'Pass', Output: '{% $merge([$states.input, {"total": $total}]) %}', End: true },
        },
      },
      { item: 'pen', qty: 3 },
      { price: () => ({ price: 2.5 }) },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { item: 'pen', price: 2.5, total: 7.5 } });
  });

  it('Choice Condition with rule-level Output and Assign', async () => {
    const result = await runForTest(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'C',
        States: {
          C: {
            Type: 'Choice',
            Choices: [
              {
                Condition: '{% $states.input.age >= 18 %}',
                Assign: { group: 'adult' },
                Output: { who: '{% $states.input.name %}' },
                Next: 'Adult',
              },
            ],
            Default: 'Minor',
          },
          Adult: { Type: 'Pass', Output: '{% $states.input.who & " is " & $group %}', End: true },
          Minor: { Type: 'Fail', Error: 'Minor' },
        },
      },
      { name: 'Ada', age: 36 },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'Ada is adult' });
  });

  it('Catch Output uses $states.errorOutput', async () => {
    const result = await runForTest(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'boom',
            Catch: [
              {
                ErrorEquals: ['States.ALL'],
                Output: { failed: '{% $states.errorOutput.Error %}', input: '{% $states.input %}' },
                Next: 'Done',
              },
            ],
            End: true,
          },
          Done: { Type: 'Succeed' },
        },
      },
      { a: 1 },
      {
        boom: () => {
          throw namedError('Oops', 'bad');
        },
      },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { failed: 'Oops', input: { a: 1 } } });
  });

  it('Map Items and ItemSelector with $states.context.Map.Item', async () => {
    const result = await runForTest(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            Items: '{% $states.input.orders %}',
            ItemSelector: {
              id: '{% $states.context.Map.Item.Value.id %}',
              position: '{% $states.context.Map.Item.Index %}',
            },
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            Output: '{% $states.result.id %}',
            End: true,
          },
        },
      },
      { orders: [{ id: 'a' }, { id: 'b' }] },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: ['a', 'b'] });
  });

  it('per-state QueryLanguage mixes with JSONPath, and Fail Error/Cause expressions', async () => {
    const result = await runForTest(
      {
        StartAt: 'P',
        States: {
          P: { Type: 'Pass', Parameters: { 'v.$': '$.v' }, Next: 'F' },
          F: {
            Type: 'Fail',
            QueryLanguage: 'JSONata',
            Error: '{% "E" & $states.input.v %}',
            Cause: '{% "v=" & $states.input.v %}',
          },
        },
      },
      { v: 1 },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'E1', cause: 'v=1' });
  });

  it('evaluation errors are States.QueryEvaluationError, catchable', async () => {
    const result = await runForTest(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'P',
        States: {
          P: {
            Type: 'Pass',
            Output: '{% $states.input.a + "x" %}',
            Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Next: 'Ok' }],
            End: true,
          },
          Ok: { Type: 'Pass', Output: 'caught', End: true },
        },
      },
      { a: 1 },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'caught' });
  });
});

describe('Step Functions JSONata functions (examples from the Step Functions documentation)', () => {
  const evaluate = async (expression: string, random?: () => number) => {
    const result = await runForTest(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'P',
        States: { P: { Type: 'Pass', Output: { value: `{% ${expression} %}` }, End: true } },
      },
      {},
      {},
      random ? { random } : {},
    );
    if (result.status !== 'SUCCEEDED') return result;
    return (result.output as { value: unknown }).value;
  };

  it('$partition, $range, $hash, $parse', async () => {
    expect(await evaluate('$partition([1,2,3,4], 2)')).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(await evaluate('$partition([1,2,3,4,5], 2)')).toEqual([[1, 2], [3, 4], [5]]);
    expect(await evaluate('$range(0, 10, 2)')).toEqual([0, 2, 4, 6, 8, 10]);
    expect(await evaluate('$range(5, 1, -2)')).toEqual([5, 3, 1]);
    expect(await evaluate('$hash("input data", "SHA-256")')).toBe(
      createHash('sha256').update('input data').digest('hex'),
    );
    expect(await evaluate('$parse(\'{"customer": {"name": "María"}}\').customer.name')).toBe('María');
  });

  it('$random and $uuid use the execution random source; a seeded $random repeats', async () => {
    expect(await evaluate('$random()', () => 0.25)).toBe(0.25);
    expect(await evaluate('$random(42)')).toBe(await evaluate('$random(42)'));
    expect(await evaluate('$uuid()', () => 0.5)).toBe(await evaluate('$uuid()', () => 0.5));
    expect(await evaluate('$uuid()')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('bad arguments fail with States.QueryEvaluationError', async () => {
    for (const expression of ['$partition("x", 2)', '$range(0, 5, 0)', '$hash("a", "SHA-3")', '$parse("{")']) {
      expect(await evaluate(expression), expression).toMatchObject({
        status: 'FAILED',
        error: 'States.QueryEvaluationError',
      });
    }
  });
});
