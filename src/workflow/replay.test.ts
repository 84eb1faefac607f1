import { describe, expect, it } from 'vitest';
import { isAgentryError } from '../errors.ts';
import { type ExecutionResult, runStateMachine } from './engine.ts';
import type { ExecutionEvent } from './events.ts';
import type { TaskContext } from './runtime.ts';
import type { StateMachineDefinition } from './types.ts';
import { VirtualClock } from './virtual-clock.ts';

/**
 * Resumption from a history: for every point at which a process could have died (every prefix of the
 * history, since histories are written in id order), a resumed execution must end like the uninterrupted
 * one, never re-run a task whose outcome was recorded, and continue the history without gaps.
 */

interface Attempt {
  resource: string;
  taskId: string;
}

interface Outcome {
  result: ExecutionResult;
  events: ExecutionEvent[];
  attempts: Attempt[];
}

/** Deterministic handlers: each output depends on the input only; `flaky` fails its first attempt per input. */
function handlers(attempts: Attempt[], failedOnce: Set<string>) {
  return async (resource: string, input: unknown, context: TaskContext): Promise<unknown> => {
    attempts.push({ resource, taskId: context.taskId });
    await new Promise((resolve) => setImmediate(resolve));
    switch (resource) {
      case 'echo':
        return { echoed: input };
      case 'score': {
        const round = (input as { round?: number }).round ?? 0;
        return { verdict: round >= 2 ? 'pass' : 'revise' };
      }
      case 'flaky': {
        const key = JSON.stringify(input);
        if (!failedOnce.has(key)) {
          failedOnce.add(key);
          throw Object.assign(new Error('try again'), { name: 'Flaky.Error' });
        }
        return { ok: input };
      }
      case 'broken':
        throw Object.assign(new Error('always'), { name: 'Broken.Error' });
      default:
        throw new Error(`unexpected resource ${resource}`);
    }
  };
}

async function execute(
  definition: unknown,
  input: unknown,
  history: ExecutionEvent[] = [],
  failedOnce = new Set<string>(),
): Promise<Outcome> {
  const clock = new VirtualClock();
  const events: ExecutionEvent[] = [];
  const attempts: Attempt[] = [];
  let checkpoints = 0;
  const result = await runStateMachine(definition as StateMachineDefinition, input, {
    handlers: handlers(attempts, failedOnce),
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.25,
    onEvent: (event) => events.push(event),
    checkpoint: async () => {
      checkpoints++;
    },
    newTaskToken: () => `token-${checkpoints}`,
    executionName: 'replay',
    history,
  });
  return { result, events, attempts };
}

const outcomeIds = (events: ExecutionEvent[]): Set<number> => {
  // The TaskScheduled event id an outcome belongs to: the last scheduled one before it on the same path.
  const ids = new Set<number>();
  const lastScheduled = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'TaskScheduled') lastScheduled.set(event.path, event.id);
    if (event.type === 'TaskSucceeded' || event.type === 'TaskFailed' || event.type === 'TaskTimedOut') {
      const id = lastScheduled.get(event.path);
      if (id !== undefined) ids.add(id);
    }
  }
  return ids;
};

const taskEventId = (taskId: string): number => Number(taskId.split('#').at(-1));

async function expectResumableEverywhere(definition: unknown, input: unknown): Promise<void> {
  const baseline = await execute(definition, input);
  expect(baseline.result.status).not.toBe('ABORTED');
  const sorted = [...baseline.events].sort((a, b) => a.id - b.id);
  expect(sorted.map((event) => event.id)).toEqual(sorted.map((_, index) => index + 1));
  let skippedTasks = 0;
  for (let cut = 1; cut < sorted.length; cut++) {
    const prefix = sorted.slice(0, cut);
    // A flaky task that failed in the prefix has used up its failure; one that did not will fail again.
    const failedOnce = new Set(
      prefix
        .filter((event) => event.type === 'TaskFailed' && event.error === 'Flaky.Error')
        .map((event) => {
          const scheduled = [...prefix]
            .reverse()
            .find((candidate) => candidate.type === 'TaskScheduled' && candidate.path === event.path);
          return JSON.stringify(scheduled?.type === 'TaskScheduled' ? scheduled.input : undefined);
        }),
    );
    const resumed = await execute(definition, input, prefix, failedOnce);
    expect(resumed.result, `cut after event ${cut}`).toEqual(baseline.result);
    const finished = outcomeIds(prefix);
    for (const attempt of resumed.attempts) {
      expect(finished.has(taskEventId(attempt.taskId)), `re-ran a finished task (cut ${cut})`).toBe(false);
    }
    const ids = [...prefix, ...resumed.events].map((event) => event.id);
    expect(ids, `history ids (cut ${cut})`).toEqual(ids.map((_, index) => index + 1));
    expect(resumed.events.some((event) => prefix.some((old) => old.id === event.id))).toBe(false);
    skippedTasks += baseline.attempts.length - resumed.attempts.length;
  }
  // The later the cut, the fewer tasks a resumption runs: replay did skip recorded work.
  expect(skippedTasks).toBeGreaterThan(sorted.length / 4);
}

describe('resuming an execution from its history', () => {
  it('a task chain resumes at every event', async () => {
    await expectResumableEverywhere(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Task', Resource: 'echo', ResultPath: '$.a', Next: 'Prep' },
          Prep: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()', 'a.$': '$.a' }, Next: 'B' },
          B: { Type: 'Task', Resource: 'echo', Next: 'Done' },
          Done: { Type: 'Succeed' },
        },
      },
      { q: 'hello' },
    );
  });

  it('an evaluator loop with variables resumes at every event', async () => {
    await expectResumableEverywhere(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { round: 0 }, Next: 'Score' },
          Score: {
            Type: 'Task',
            Resource: 'score',
            Arguments: { round: '{% $round %}' },
            Assign: { round: '{% $round + 1 %}', verdict: '{% $states.result.verdict %}' },
            Next: 'Check',
          },
          Check: {
            Type: 'Choice',
            Choices: [{ Condition: "{% $verdict = 'pass' or $round >= 5 %}", Next: 'Done' }],
            Default: 'Score',
          },
          Done: { Type: 'Pass', Output: { rounds: '{% $round %}' }, End: true },
        },
      },
      {},
    );
  });

  it('Parallel branches and a Map with retries and a wait resume at every event', async () => {
    await expectResumableEverywhere(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Parallel',
            Branches: [
              {
                StartAt: 'Each',
                States: {
                  Each: {
                    Type: 'Map',
                    ItemsPath: '$.items',
                    MaxConcurrency: 2,
                    ItemProcessor: {
                      StartAt: 'Flaky',
                      States: {
                        Flaky: {
                          Type: 'Task',
                          Resource: 'flaky',
                          Retry: [{ ErrorEquals: ['Flaky.Error'], IntervalSeconds: 2, MaxAttempts: 2 }],
                          End: true,
                        },
                      },
                    },
                    End: true,
                  },
                },
              },
              {
                StartAt: 'Nap',
                States: {
                  Nap: { Type: 'Wait', Seconds: 5, Next: 'Broken' },
                  Broken: {
                    Type: 'Task',
                    Resource: 'broken',
                    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'After' }],
                    End: true,
                  },
                  After: { Type: 'Task', Resource: 'echo', End: true },
                },
              },
            ],
            End: true,
          },
        },
      },
      { items: [1, 2, 3] },
    );
  });

  it('a loop through a Parallel state replays each visit with its own branch events', async () => {
    await expectResumableEverywhere(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { n: 0 }, Next: 'Fan' },
          Fan: {
            Type: 'Parallel',
            Arguments: { round: '{% $n %}' },
            Branches: [{ StartAt: 'E', States: { E: { Type: 'Task', Resource: 'echo', End: true } } }],
            Assign: { n: '{% $n + 1 %}' },
            Next: 'Again',
          },
          Again: { Type: 'Choice', Choices: [{ Condition: '{% $n < 3 %}', Next: 'Fan' }], Default: 'Done' },
          Done: { Type: 'Succeed' },
        },
      },
      {},
    );
  });

  it('keeps the values of finished nondeterministic states', async () => {
    const definition = {
      StartAt: 'Id',
      States: {
        Id: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()' }, Next: 'Use' },
        Use: { Type: 'Task', Resource: 'echo', End: true },
      },
    } as StateMachineDefinition;
    const first = await runStateMachine(definition, {}, { handlers: async (_r, input) => input, executionName: 'x' });
    const history: ExecutionEvent[] = [];
    await runStateMachine(
      definition,
      {},
      {
        handlers: async (_r, input) => input,
        executionName: 'x',
        onEvent: (event) => history.push(event),
      },
    );
    const exited = history.findIndex((event) => event.type === 'StateExited');
    const resumed = await runStateMachine(
      definition,
      {},
      {
        handlers: async (_r, input) => input,
        executionName: 'x',
        history: history.slice(0, exited + 1),
      },
    );
    const original = history.find((event) => event.type === 'ExecutionSucceeded');
    expect(resumed).toEqual({
      status: 'SUCCEEDED',
      output: original?.type === 'ExecutionSucceeded' && original.output,
    });
    expect(resumed).not.toEqual(first); // a fresh run draws another UUID: the replay did not recompute it
  });

  it('a Wait resumed later fires at the recorded wall-clock time', async () => {
    const definition = {
      StartAt: 'Nap',
      States: { Nap: { Type: 'Wait', Seconds: 60, End: true } },
    } as StateMachineDefinition;
    const history: ExecutionEvent[] = [];
    const clock = new VirtualClock();
    const abort = new AbortController();
    const first = runStateMachine(
      definition,
      {},
      {
        handlers: async () => null,
        now: clock.now,
        sleep: (_ms, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', reject)),
        onEvent: (event) => history.push(event),
        signal: abort.signal,
      },
    );
    await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    await first;
    const waited = history.filter((event) => event.type !== 'ExecutionAborted');
    const later = new VirtualClock(clock.now() + 45_000); // the process restarts 45 s later
    const resumed = await runStateMachine(
      definition,
      {},
      {
        handlers: async () => null,
        now: later.now,
        sleep: later.sleep,
        history: waited,
      },
    );
    expect(resumed.status).toBe('SUCCEEDED');
    expect(later.sleeps).toEqual([15_000]);
  });

  it('a history that does not match the definition interrupts the execution with a coded error', async () => {
    const history: ExecutionEvent[] = [];
    await runStateMachine(
      { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
      {},
      {
        handlers: async () => null,
        onEvent: (event) => history.push(event),
      },
    );
    const changed = { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } } as StateMachineDefinition;
    const error = await runStateMachine(changed, {}, { handlers: async () => null, history: history.slice(0, 2) }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isAgentryError(error) && error.code).toBe('EXECUTION_HISTORY_MISMATCH');
  });

  it('a failing checkpoint interrupts the execution before the task runs', async () => {
    let ran = false;
    const error = await runStateMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'x', End: true } } },
      {},
      {
        handlers: async () => {
          ran = true;
          return null;
        },
        checkpoint: () => Promise.reject(new Error('database went away')),
      },
    ).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isAgentryError(error) && error.code).toBe('STORE_UNAVAILABLE');
    expect(ran).toBe(false);
  });
});
