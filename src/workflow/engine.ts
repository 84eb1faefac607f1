import { randomBytes, randomUUID } from 'node:crypto';
import { type AgentryError, toAgentryError } from '../errors.ts';
import { QUERY_LANGUAGE } from './defaults.ts';
import { StatesError, StatesErrors, toStatesError } from './errors.ts';
import { EventRecorder, type EventSink, type ExecutionEvent } from './events.ts';
import { HistoryReplay } from './replay.ts';
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
  /**
   * The history of an earlier attempt of this execution (a resumption): the engine replays it instead of
   * repeating finished work, and `onEvent` receives only the events after it.
   */
  history?: readonly ExecutionEvent[];
  /**
   * Makes the events given to `onEvent` so far durable; awaited before every task runs and every sleep.
   * A rejection ends the execution: `runStateMachine` rejects with that error (as an AgentryError).
   */
  checkpoint?: () => Promise<void>;
  /** Defaults to 32 random bytes, base64url. */
  newTaskToken?: () => string;
  /**
   * Stops the execution without an outcome (unlike `signal`, which aborts it): `runStateMachine` rejects
   * with the signal's reason, and the history stays resumable. For a process that shuts down.
   */
  interrupt?: AbortSignal;
}

export type ExecutionResult =
  | { status: 'SUCCEEDED'; output: unknown }
  | { status: 'FAILED'; error: string; cause: string }
  | { status: 'ABORTED'; error: string; cause: string }
  /** The machine's TimeoutSeconds elapsed (Step Functions' TIMED_OUT; `error` is States.Timeout). */
  | { status: 'TIMED_OUT'; error: string; cause: string };

/** Aborts the execution: the reason recognized by `runStateMachine` for ABORTED. */
class ExecutionAborted extends Error {
  override readonly name = 'ExecutionAborted';
}

/** The machine-level TimeoutSeconds: the execution ends TIMED_OUT, not FAILED. */
class ExecutionTimedOut extends StatesError {}

/**
 * Ends the execution without a Step Functions outcome: its history no longer matches the definition, or it
 * could not be made durable. `runStateMachine` rejects with the wrapped error; the execution is not failed.
 */
class ExecutionInterrupted extends Error {
  override readonly name = 'ExecutionInterrupted';
  readonly error: AgentryError;
  constructor(error: AgentryError) {
    super(error.message);
    this.error = error;
  }
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
  const controller = new AbortController();
  const interrupt = (error: unknown): ExecutionInterrupted => {
    const reason = new ExecutionInterrupted(toAgentryError(error, 'STORE_UNAVAILABLE'));
    if (!controller.signal.aborted) controller.abort(reason);
    return reason;
  };
  const replay = options.history && options.history.length > 0 ? new HistoryReplay(options.history) : undefined;
  const events = new EventRecorder(options.onEvent, now, replay, interrupt);
  const started = events.emit('', { type: 'ExecutionStarted', input, name: executionName, startTime: iso(now()) });
  const startTime = started.type === 'ExecutionStarted' ? started.startTime : started.timestamp;
  const checkpoint = options.checkpoint;
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
    checkpoint: checkpoint
      ? () =>
          checkpoint().catch((error: unknown) => {
            throw interrupt(error);
          })
      : () => Promise.resolve(),
    newTaskToken: options.newTaskToken ?? (() => randomBytes(32).toString('base64url')),
  };
  const onAbort = (): void => controller.abort(new ExecutionAborted('Execution aborted'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const onInterrupt = (): void => void interrupt(options.interrupt?.reason);
  if (options.interrupt?.aborted) onInterrupt();
  options.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  const elapsedMs = now() - Date.parse(startTime);
  const timeout = startExecutionTimeout(definition.TimeoutSeconds, elapsedMs, sleep, controller);
  const frame: Frame = {
    machine: definition,
    queryLanguage: definition.QueryLanguage ?? QUERY_LANGUAGE,
    variables: new VariableScope(),
    path: '',
    signal: controller.signal,
  };
  try {
    const output = await runMachine(frame, input, runtime);
    events.emit('', { type: 'ExecutionSucceeded', output });
    return { status: 'SUCCEEDED', output };
  } catch (thrown) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : thrown;
    if (reason instanceof ExecutionInterrupted) throw reason.error;
    if (reason instanceof ExecutionAborted) {
      events.emit('', { type: 'ExecutionAborted' });
      return { status: 'ABORTED', error: 'ExecutionAborted', cause: reason.message };
    }
    if (reason instanceof ExecutionTimedOut) {
      events.emit('', { type: 'ExecutionTimedOut', error: reason.name, cause: reason.cause });
      return { status: 'TIMED_OUT', error: reason.name, cause: reason.cause };
    }
    const error = toStatesError(reason);
    events.emit('', { type: 'ExecutionFailed', error: error.name, cause: error.cause });
    return { status: 'FAILED', error: error.name, cause: error.cause };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    options.interrupt?.removeEventListener('abort', onInterrupt);
    timeout?.abort();
  }
}

/** Top-level TimeoutSeconds: fails the whole execution with States.Timeout on the injected clock. */
function startExecutionTimeout(
  seconds: number | undefined,
  elapsedMs: number,
  sleep: Sleep,
  execution: AbortController,
): AbortController | undefined {
  if (seconds === undefined) return undefined;
  const timer = new AbortController();
  sleep(Math.max(0, seconds * 1000 - elapsedMs), timer.signal).then(
    () => execution.abort(new ExecutionTimedOut(StatesErrors.Timeout, `Execution timed out after ${seconds} seconds`)),
    () => undefined,
  );
  return timer;
}
