import type { EventRecorder } from './events.ts';
import type { ExecutionInfo } from './paths/context-object.ts';
import type { QueryLanguage, SubMachine } from './types.ts';
import type { VariableScope } from './variables.ts';

/** What a task handler receives besides its input. `signal` aborts on timeout, failure elsewhere, or abort. */
export interface TaskContext {
  signal: AbortSignal;
  taskToken?: string;
  stateName: string;
  /**
   * Stable across a resumption: the same scheduled attempt gets the same id when an execution is resumed and
   * the attempt is run again (it was in flight when its process died). Handlers use it as an idempotency key.
   */
  taskId: string;
}

export type TaskHandler = (resource: string, input: unknown, context: TaskContext) => Promise<unknown>;

/** Sleeps `ms` milliseconds of (possibly virtual) time; must reject promptly when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Execution-wide services, injected so tests control time, randomness and side effects. */
export interface Runtime {
  handlers: TaskHandler;
  now: () => number;
  sleep: Sleep;
  random: () => number;
  events: EventRecorder;
  execution: ExecutionInfo;
  /**
   * Makes every event emitted so far durable. Awaited before a side effect (a task handler runs) and before a
   * sleep (Wait, retry delay), so a resumed execution knows what was started and until when it waits.
   */
  checkpoint: () => Promise<void>;
  /** A fresh, unguessable task token. */
  newTaskToken: () => string;
}

/** One running (sub)machine: the top level, a Parallel branch or a Map iteration. */
export interface Frame {
  machine: SubMachine;
  queryLanguage: QueryLanguage;
  variables: VariableScope;
  /** Event path: `` for the top level, `Fan/0` for branch 0 of Parallel state Fan, `Each/3` for item 3. */
  path: string;
  signal: AbortSignal;
}

/** Runs a nested machine (Parallel branch, Map iteration); provided by the engine to avoid an import cycle. */
export type RunSubMachine = (frame: Frame, input: unknown, runtime: Runtime) => Promise<unknown>;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Rejects with the signal's reason as soon as it aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
