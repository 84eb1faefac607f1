import { describe, expect, it } from 'vitest';
import { errorMatches, retryDelayMs } from './retry-catch.ts';
import { namedError, runForTest } from './test-support.ts';
import { sequenceRandom } from './virtual-clock.ts';

function flaky(failures: number, name = 'Flaky.Error') {
  let calls = 0;
  return {
    calls: () => calls,
    handler: () => {
      calls++;
      if (calls <= failures) throw namedError(name, `failure ${calls}`);
      return { ok: calls };
    },
  };
}

describe('error matching', () => {
  it('States.ALL matches everything catchable; States.TaskFailed all but States.Timeout', () => {
    expect(errorMatches(['States.ALL'], 'Any.Error')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'Any.Error')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout')).toBe(false);
    expect(errorMatches(['States.ALL'], 'States.Timeout')).toBe(true);
    expect(errorMatches(['States.ALL'], 'States.Runtime')).toBe(false);
    expect(errorMatches(['States.ALL'], 'States.DataLimitExceeded')).toBe(false);
    expect(errorMatches(['A', 'B'], 'B')).toBe(true);
  });

  it('computes backoff with MaxDelaySeconds and jitter', () => {
    const retrier = { ErrorEquals: ['X'], IntervalSeconds: 2, BackoffRate: 3, MaxDelaySeconds: 10 };
    expect([0, 1, 2].map((done) => retryDelayMs(retrier, done, () => 0))).toEqual([2000, 6000, 10000]);
    expect(retryDelayMs({ ...retrier, JitterStrategy: 'FULL' }, 1, () => 0.5)).toBe(3000);
    expect(retryDelayMs({ ErrorEquals: ['X'] }, 0, () => 0)).toBe(1000);
  });
});

describe('Retry and Catch', () => {
  it('retries with defaults on the virtual clock and records RetryCount', async () => {
    const task = flaky(2);
    const result = await runForTest(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'f',
            Retry: [{ ErrorEquals: ['Flaky.Error'] }],
            ResultSelector: { 'ok.$': '$.ok', 'retries.$': '$$.State.RetryCount' },
            End: true,
          },
        },
      },
      {},
      { f: task.handler },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { ok: 3, retries: 2 } });
    expect(result.clock.sleeps).toEqual([1000, 2000]);
  });

  it('gives up after MaxAttempts and stops at the first matching retrier', async () => {
    const task = flaky(10);
    const result = await runForTest(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'f',
            Retry: [
              { ErrorEquals: ['Flaky.Error'], MaxAttempts: 1, IntervalSeconds: 1 },
              { ErrorEquals: ['States.ALL'], MaxAttempts: 5 },
            ],
            End: true,
          },
        },
      },
      {},
      { f: task.handler },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'Flaky.Error' });
    expect(task.calls()).toBe(2);
  });

  it('MaxAttempts 0 never retries; FULL jitter uses the injected random', async () => {
    const never = flaky(1);
    const none = await runForTest(
      {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: 'f', Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }], End: true },
        },
      },
      {},
      { f: never.handler },
    );
    expect(none.status).toBe('FAILED');
    const jitter = await runForTest(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'f',
            Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, JitterStrategy: 'FULL' }],
            End: true,
          },
        },
      },
      {},
      { f: flaky(1).handler },
      { random: sequenceRandom([0.25]) },
    );
    expect(jitter.clock.sleeps).toEqual([2500]);
  });

  it('Catch routes to Next with the error output at ResultPath', async () => {
    const result = await runForTest(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'f',
            Catch: [
              { ErrorEquals: ['Other'], Next: 'Wrong' },
              { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.err', Next: 'Handled' },
            ],
            End: true,
          },
          Wrong: { Type: 'Fail', Error: 'Wrong' },
          Handled: { Type: 'Pass', End: true },
        },
      },
      { keep: true },
      { f: flaky(5, 'Boom').handler },
    );
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { keep: true, err: { Error: 'Boom', Cause: 'failure 1' } },
    });
  });

  it('TimeoutSeconds fails the attempt with States.Timeout, which States.TaskFailed does not catch', async () => {
    const definition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'slow',
          TimeoutSecondsPath: '$.timeout',
          Catch: [
            { ErrorEquals: ['States.TaskFailed'], Next: 'Task' },
            { ErrorEquals: ['States.Timeout'], Next: 'Timeout' },
          ],
          End: true,
        },
        Task: { Type: 'Pass', Result: 'task', End: true },
        Timeout: { Type: 'Pass', Result: 'timeout', End: true },
      },
    };
    let aborted = false;
    const result = await runForTest(
      definition,
      { timeout: 3 },
      {
        slow: (_input, context) =>
          new Promise((_resolve, reject) =>
            context.signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            }),
          ),
      },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'timeout' });
    expect(aborted).toBe(true);
    expect(result.clock.now() - Date.parse('2024-01-01T00:00:00Z')).toBe(3000);
  });

  it('States.Runtime is not caught by States.ALL', async () => {
    const result = await runForTest(
      {
        StartAt: 'P',
        States: {
          P: { Type: 'Pass', InputPath: '$.nope', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }], End: true },
          X: { Type: 'Succeed' },
        },
      },
      {},
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});
