import { describe, expect, it } from 'vitest';
import { namedError, runForTest } from './test-support.ts';

describe('engine', () => {
  it('runs Pass → Task → Succeed and numbers every event', async () => {
    const result = await runForTest(
      {
        StartAt: 'Start',
        States: {
          Start: { Type: 'Pass', Result: { a: 1 }, ResultPath: '$.start', Next: 'Work' },
          Work: { Type: 'Task', Resource: 'double', InputPath: '$.start', ResultPath: '$.out', Next: 'Done' },
          Done: { Type: 'Succeed' },
        },
      },
      { x: 1 },
      { double: (input) => ({ doubled: ((input as { a: number }).a ?? 0) * 2 }) },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { x: 1, start: { a: 1 }, out: { doubled: 2 } } });
    expect(result.events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'StateEntered',
      'StateExited',
      'StateEntered',
      'TaskScheduled',
      'TaskSucceeded',
      'StateExited',
      'StateEntered',
      'StateExited',
      'ExecutionSucceeded',
    ]);
    expect(result.events.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('fails the execution with the task error name and cause', async () => {
    const result = await runForTest(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'boom', End: true } } },
      {},
      {
        boom: () => {
          throw namedError('Custom.Error', 'it broke');
        },
      },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'Custom.Error', cause: 'it broke' });
    expect(result.events.at(-1)).toMatchObject({ type: 'ExecutionFailed', error: 'Custom.Error' });
  });

  it('Fail state reports Error and Cause, or ErrorPath and CausePath', async () => {
    const literal = await runForTest(
      { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'My.Error', Cause: 'why' } } },
      {},
    );
    expect(literal).toMatchObject({ status: 'FAILED', error: 'My.Error', cause: 'why' });
    const paths = await runForTest(
      { StartAt: 'F', States: { F: { Type: 'Fail', ErrorPath: '$.e', CausePath: "States.Format('c={}', $.c)" } } },
      { e: 'Dyn.Error', c: 7 },
    );
    expect(paths).toMatchObject({ status: 'FAILED', error: 'Dyn.Error', cause: 'c=7' });
  });

  it('is aborted through its signal', async () => {
    const controller = new AbortController();
    const result = await runForTest(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'hang', End: true } } },
      {},
      {
        hang: (_input, context) => {
          queueMicrotask(() => controller.abort());
          return new Promise((_resolve, reject) =>
            context.signal.addEventListener('abort', () => reject(new Error('x'))),
          );
        },
      },
      { signal: controller.signal },
    );
    expect(result.status).toBe('ABORTED');
    expect(result.events.at(-1)?.type).toBe('ExecutionAborted');
  });

  it('times out with States.Timeout when the execution TimeoutSeconds elapses', async () => {
    const result = await runForTest(
      { StartAt: 'W', TimeoutSeconds: 5, States: { W: { Type: 'Wait', Seconds: 60, End: true } } },
      {},
    );
    expect(result).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(result.events.at(-1)).toMatchObject({ type: 'ExecutionTimedOut', error: 'States.Timeout' });
  });

  it('exposes the context object to paths', async () => {
    const result = await runForTest(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Pass',
            Parameters: {
              'name.$': '$$.Execution.Name',
              'state.$': '$$.State.Name',
              'start.$': '$$.Execution.StartTime',
              'input.$': '$$.Execution.Input',
              'retry.$': '$$.State.RetryCount',
            },
            End: true,
          },
        },
      },
      { k: 1 },
    );
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { name: 'test-execution', state: 'P', start: '2024-01-01T00:00:00.000Z', input: { k: 1 }, retry: 0 },
    });
  });
});
