import { describe, expect, it } from 'vitest';
import { runForTest } from './test-support.ts';
import { VariableScope } from './variables.ts';

describe('variables', () => {
  it('inner scopes read outer variables; their writes stay inside', () => {
    const outer = new VariableScope();
    outer.assignAll({ a: 1 });
    const inner = outer.child();
    inner.assignAll({ a: 2, b: 3 });
    expect(inner.get('a')).toBe(2);
    expect(outer.get('a')).toBe(1);
    expect(outer.has('b')).toBe(false);
    expect(inner.snapshot()).toEqual({ a: 2, b: 3 });
  });

  it('JSONPath Assign sees the state result and all assignments use prior values', async () => {
    const result = await runForTest(
      {
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { x: 1, y: 2 }, Next: 'Swap' },
          Swap: { Type: 'Pass', Assign: { 'x.$': '$y', 'y.$': '$x' }, Next: 'Task' },
          Task: {
            Type: 'Task',
            Resource: 't',
            Assign: { 'fromResult.$': '$.value' },
            ResultPath: null,
            Next: 'Out',
          },
          Out: { Type: 'Pass', Parameters: { 'x.$': '$x', 'y.$': '$y', 'r.$': '$fromResult' }, End: true },
        },
      },
      {},
      { t: () => ({ value: 'res' }) },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { x: 2, y: 1, r: 'res' } });
  });

  it('Map iterations read outer variables but do not leak assignments', async () => {
    const result = await runForTest(
      {
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { factor: 3, leaked: 'no' }, Next: 'Each' },
          Each: {
            Type: 'Map',
            ItemsPath: '$.list',
            ItemProcessor: {
              StartAt: 'Inner',
              States: {
                Inner: {
                  Type: 'Pass',
                  Assign: { leaked: 'yes' },
                  Parameters: { 'item.$': '$', 'factor.$': '$factor' },
                  End: true,
                },
              },
            },
            ResultPath: '$.items',
            Next: 'Out',
          },
          Out: { Type: 'Pass', Parameters: { 'items.$': '$.items', 'leaked.$': '$leaked' }, End: true },
        },
      },
      { list: [1] },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    expect(result.status === 'SUCCEEDED' && result.output).toEqual({ items: [{ item: 1, factor: 3 }], leaked: 'no' });
  });
});
