import { describe, expect, it } from 'vitest';
import { namedError, runForTest } from './test-support.ts';

describe('Parallel', () => {
  it('returns branch outputs in order and applies ResultSelector', async () => {
    const result = await runForTest(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A', States: { A: { Type: 'Pass', Result: 'a', End: true } } },
              { StartAt: 'B', States: { B: { Type: 'Task', Resource: 'b', End: true } } },
            ],
            ResultPath: '$.both',
            End: true,
          },
        },
      },
      { x: 1 },
      { b: (input) => ({ got: input }) },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { x: 1, both: ['a', { got: { x: 1 } }] } });
    expect(result.events.filter((event) => event.type === 'ParallelBranchStarted')).toHaveLength(2);
  });

  it('a failed branch fails the state with its error and aborts the others', async () => {
    let siblingAborted = false;
    const result = await runForTest(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Hang', States: { Hang: { Type: 'Task', Resource: 'hang', End: true } } },
              { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Branch.Broke', Cause: 'no' } } },
            ],
            Catch: [{ ErrorEquals: ['Branch.Broke'], Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      },
      {},
      {
        hang: (_input, context) =>
          new Promise((_resolve, reject) =>
            context.signal.addEventListener('abort', () => {
              siblingAborted = true;
              reject(new Error('aborted'));
            }),
          ),
      },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { Error: 'Branch.Broke', Cause: 'no' } });
    expect(siblingAborted).toBe(true);
  });
});

describe('Map', () => {
  it('iterates ItemsPath with ItemSelector and $$.Map.Item', async () => {
    const result = await runForTest(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'tag.$': '$.tag' },
            ItemProcessor: {
              ProcessorConfig: { Mode: 'INLINE' },
              StartAt: 'Work',
              States: { Work: { Type: 'Task', Resource: 'work', End: true } },
            },
            ResultPath: '$.out',
            End: true,
          },
        },
      },
      { tag: 't', items: [10, 20, 30] },
      { work: (input) => input },
    );
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: {
        out: [
          { index: 0, value: 10, tag: 't' },
          { index: 1, value: 20, tag: 't' },
          { index: 2, value: 30, tag: 't' },
        ],
      },
    });
  });

  it('supports the legacy Iterator/Parameters form and respects MaxConcurrency', async () => {
    let running = 0;
    let peak = 0;
    const result = await runForTest(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            MaxConcurrency: 2,
            Parameters: { 'n.$': '$$.Map.Item.Value' },
            Iterator: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'work', End: true } } },
            End: true,
          },
        },
      },
      [1, 2, 3, 4, 5],
      {
        work: async (input) => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
          return (input as { n: number }).n * 10;
        },
      },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: [10, 20, 30, 40, 50] });
    expect(peak).toBe(2);
  });

  it('fails on the first failed iteration without tolerance', async () => {
    const result = await runForTest(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Task', Resource: 'w', End: true } } },
            End: true,
          },
        },
      },
      [1, 2],
      {
        w: (input) => {
          if (input === 2) throw namedError('Item.Bad', 'two');
          return input;
        },
      },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'Item.Bad', cause: 'two' });
  });

  it('tolerates failures up to ToleratedFailureCount, then States.ExceedToleratedFailureThreshold', async () => {
    const definition = (count: number) => ({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ToleratedFailureCount: count,
          ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Task', Resource: 'w', End: true } } },
          End: true,
        },
      },
    });
    const handlers = {
      w: (input: unknown) => {
        if (typeof input === 'number' && input % 2 === 0) throw namedError('Even', String(input));
        return input;
      },
    };
    const tolerated = await runForTest(definition(2), [1, 2, 3, 4], handlers);
    expect(tolerated).toMatchObject({
      status: 'SUCCEEDED',
      output: [1, { Error: 'Even', Cause: '2' }, 3, { Error: 'Even', Cause: '4' }],
    });
    const exceeded = await runForTest(definition(1), [1, 2, 3, 4], handlers);
    expect(exceeded).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('a non-array ItemsPath is States.Runtime', async () => {
    const result = await runForTest(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.a',
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      { a: 'no' },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});
