import { describe, expect, it } from 'vitest';
import { applyResultPath } from './paths/data-flow.ts';
import { parseReferencePath } from './paths/reference-path.ts';
import { runForTest } from './test-support.ts';

const pass = (fields: Record<string, unknown>) => ({
  StartAt: 'P',
  States: { P: { Type: 'Pass', End: true, ...fields } },
});

describe('JSONPath data flow', () => {
  it('parses reference paths strictly', () => {
    expect(parseReferencePath("$.a['b c'][2].d")).toEqual(['a', 'b c', 2, 'd']);
    expect(() => parseReferencePath('$.a[*]')).toThrow(/Invalid reference path/);
    expect(() => parseReferencePath('$..a')).toThrow(/Invalid reference path/);
  });

  it('ResultPath replaces, discards (null) and merges into nested paths', () => {
    expect(applyResultPath(undefined, { a: 1 }, 'r')).toBe('r');
    expect(applyResultPath('$', { a: 1 }, 'r')).toBe('r');
    expect(applyResultPath(null, { a: 1 }, 'r')).toEqual({ a: 1 });
    expect(applyResultPath('$.x.y', { a: 1, x: { z: 2 } }, 'r')).toEqual({ a: 1, x: { z: 2, y: 'r' } });
    expect(() => applyResultPath('$.a.b', { a: 1 }, 'r')).toThrow(/ResultPathMatchFailure/);
  });

  it('InputPath null gives {} and OutputPath selects', async () => {
    expect(await runForTest(pass({ InputPath: null }), { a: 1 })).toMatchObject({ output: {} });
    expect(await runForTest(pass({ OutputPath: '$.a.b' }), { a: { b: [1] } })).toMatchObject({ output: [1] });
    expect(await runForTest(pass({ OutputPath: null }), { a: 1 })).toMatchObject({ output: {} });
  });

  it('Parameters evaluate paths, full JSONPath, context, variables and intrinsics', async () => {
    const result = await runForTest(
      {
        StartAt: 'Set',
        States: {
          Set: { Type: 'Pass', Assign: { greeting: 'hi', 'first.$': '$.items[0]' }, Next: 'P' },
          P: {
            Type: 'Pass',
            Parameters: {
              literal: 'x',
              nested: { 'names.$': '$.items[*].name' },
              'cheap.$': '$.items[?(@.price < 5)].name',
              'state.$': '$$.State.Name',
              'greeting.$': '$greeting',
              'firstName.$': '$first.name',
              'message.$': "States.Format('{} has {} items', $.owner, States.ArrayLength($.items))",
            },
            End: true,
          },
        },
      },
      {
        owner: 'Ann',
        items: [
          { name: 'a', price: 3 },
          { name: 'b', price: 9 },
        ],
      },
    );
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: {
        literal: 'x',
        nested: { names: ['a', 'b'] },
        cheap: ['a'],
        state: 'P',
        greeting: 'hi',
        firstName: 'a',
        message: 'Ann has 2 items',
      },
    });
  });

  it('a missing path is an uncatchable States.Runtime error', async () => {
    const result = await runForTest(
      {
        StartAt: 'P',
        States: {
          P: { Type: 'Pass', InputPath: '$.missing', End: true },
        },
      },
      {},
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('ResultSelector shapes a task result before ResultPath', async () => {
    const result = await runForTest(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'r',
            ResultSelector: { 'code.$': '$.StatusCode', 'body.$': '$.Payload.body' },
            ResultPath: '$.response',
            End: true,
          },
        },
      },
      { id: 1 },
      { r: () => ({ StatusCode: 200, Payload: { body: 'ok' } }) },
    );
    expect(result).toMatchObject({ output: { id: 1, response: { code: 200, body: 'ok' } } });
  });
});
