import { randomUUID } from 'node:crypto';
import { QUERY_LANGUAGE } from './defaults.ts';
import { StatesError, StatesErrors, toStatesError } from './errors.ts';
import { EventRecorder, type EventSink } from './events.ts';
import type { Frame, RunSubMachine, Runtime, Sleep, TaskHandler } from './runtime.ts';
import { iso } from './runtime.ts';
import { runState } from './state-runner.ts';
import type { StateMachineDefinition } from './types.ts';
import { VariableScope } from './variables.ts';

export interface RunOptions {
  handlers: TaskHandler;
  /** Epoch milliseconds. Defaults to `Date.now`. */
  now?: () => number;
  /** Defaults to a real timer; tests inject a virtual clock. */
  sleep?: Sleep;
  /** Uniform in [0, 1); used for retry jitter and intrinsics such as States.UUID/States.MathRandom. */
  random?: () => number;
  onEvent?: EventSink;
  signal?: AbortSignal;
  executionName?: string;
  stateMachineName?: string;
}

export type ExecutionResult =
  | { status: 'SUCCEEDED'; output: unknown }
  | { status: 'FAILED'; error: string; cause: string }
  | { status: 'ABORTED'; error: string; cause: string };

/** Aborts the execution: the reason recognized by `runStateMachine` for ABORTED. */
class ExecutionAborted extends Error {
  override readonly name = 'ExecutionAborted';
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Runs states from StartAt until a terminal state; returns the final output or throws a StatesError. */
export const runMachine: RunSubMachine = async (frame, input, runtime) => {
  let name: string | undefined = frame.machine.StartAt;
  let current = input;
  while (name !== undefined) {
    const state = frame.machine.States[name];
    if (!state) throw new StatesError(StatesErrors.Runtime, `State '${name}' does not exist`);
    const transition = await runState(name, state, current, frame, runtime, runMachine);
    current = transition.output;
    name = transition.next;
  }
  return current;
};

/**
 * Executes a state machine in memory. Time, randomness and task handlers are injected; every step goes through
 * `onEvent`. The definition is assumed valid (see `validateDefinition`).
 */
export async function runStateMachine(
  definition: StateMachineDefinition,
  input: unknown,
  options: RunOptions,
): Promise<ExecutionResult> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const executionName = options.executionName ?? randomUUID();
  const stateMachineName = options.stateMachineName ?? 'StateMachine';
  const stateMachineId = `arn:aws:states:local:000000000000:stateMachine:${stateMachineName}`;
  const events = new EventRecorder(options.onEvent, now);
  const startTime = iso(now());
  const runtime: Runtime = {
    handlers: options.handlers,
    now,
    sleep,
    random,
    events,
    execution: {
      executionId: `arn:aws:states:local:000000000000:execution:${stateMachineName}:${executionName}`,
      executionName,
      executionInput: input,
      startTime,
      stateMachineId,
      stateMachineName,
    },
  };
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(new ExecutionAborted('Execution aborted'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timeout = startExecutionTimeout(definition.TimeoutSeconds, sleep, controller);
  const frame: Frame = {
    machine: definition,
    queryLanguage: definition.QueryLanguage ?? QUERY_LANGUAGE,
    variables: new VariableScope(),
    path: '',
    signal: controller.signal,
  };
  events.emit('', { type: 'ExecutionStarted', input, name: executionName, startTime });
  try {
    const output = await runMachine(frame, input, runtime);
    events.emit('', { type: 'ExecutionSucceeded', output });
    return { status: 'SUCCEEDED', output };
  } catch (thrown) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : thrown;
    if (reason instanceof ExecutionAborted) {
      events.emit('', { type: 'ExecutionAborted' });
      return { status: 'ABORTED', error: 'ExecutionAborted', cause: reason.message };
    }
    const error = toStatesError(reason);
    events.emit('', { type: 'ExecutionFailed', error: error.name, cause: error.cause });
    return { status: 'FAILED', error: error.name, cause: error.cause };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    timeout.abort();
  }
}

/** Top-level TimeoutSeconds: fails the whole execution with States.Timeout on the injected clock. */
function startExecutionTimeout(seconds: number | undefined, sleep: Sleep, execution: AbortController): AbortController {
  const timer = new AbortController();
  if (seconds !== undefined) {
    sleep(seconds * 1000, timer.signal).then(
      () => execution.abort(new StatesError(StatesErrors.Timeout, `Execution timed out after ${seconds} seconds`)),
      () => undefined,
    );
  }
  return timer;
}
