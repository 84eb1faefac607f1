import type { HistoryReplay } from './replay.ts';

/**
 * Execution history events. Every step of an execution goes through `EventSink`, numbered in emission order
 * per execution, so a durable history can be written and replayed later. Events carry JSON-safe payloads only.
 */

export type ExecutionEventBody =
  | { type: 'ExecutionStarted'; input: unknown; name: string; startTime: string }
  | { type: 'ExecutionSucceeded'; output: unknown }
  | { type: 'ExecutionFailed'; error: string; cause: string }
  | { type: 'ExecutionAborted' }
  | { type: 'ExecutionTimedOut'; error: string; cause: string }
  | { type: 'StateEntered'; state: string; stateType: string; input: unknown }
  /** `next` and `assigned` let a replay skip the finished state without running it again. */
  | {
      type: 'StateExited';
      state: string;
      stateType: string;
      output: unknown;
      next?: string;
      assigned?: Record<string, unknown>;
    }
  | { type: 'StateFailed'; state: string; stateType: string; error: string; cause: string }
  | { type: 'StateRetried'; state: string; retryCount: number; delayMs: number }
  | { type: 'StateCaught'; state: string; error: string; next: string }
  | {
      type: 'TaskScheduled';
      state: string;
      resource: string;
      input: unknown;
      attempt: number;
      timeoutMs?: number;
      taskToken?: string;
    }
  | { type: 'TaskSucceeded'; state: string; resource: string; output: unknown }
  | { type: 'TaskFailed'; state: string; resource: string; error: string; cause: string }
  | { type: 'TaskTimedOut'; state: string; resource: string }
  | { type: 'WaitStarted'; state: string; untilMs: number }
  | { type: 'ParallelBranchStarted'; state: string; branch: number }
  | { type: 'ParallelBranchSucceeded'; state: string; branch: number }
  | { type: 'ParallelBranchFailed'; state: string; branch: number; error: string; cause: string }
  | { type: 'MapIterationStarted'; state: string; index: number }
  | { type: 'MapIterationSucceeded'; state: string; index: number }
  | { type: 'MapIterationFailed'; state: string; index: number; error: string; cause: string };

/** `id` is 1-based, unique per execution; `path` locates nested branches/iterations (e.g. `Fan/1`, `Each/3`). */
export type ExecutionEvent = ExecutionEventBody & { id: number; timestamp: string; path: string };

export type EventSink = (event: ExecutionEvent) => void;

/**
 * Numbers events; nested branches share the counter so ids are a total order over the execution.
 *
 * With a replay (a resumed execution), an event that the history already holds at this point of its path is
 * returned from the history instead of being emitted again: only events past the history reach the sink,
 * numbered after the last historical id.
 */
export class EventRecorder {
  #next: number;
  readonly #sink: EventSink | undefined;
  readonly #now: () => number;
  readonly replay: HistoryReplay | undefined;

  readonly #interrupt: (error: unknown) => Error;

  /** `interrupt` ends the execution when the history does not match (returns the error to throw). */
  constructor(
    sink: EventSink | undefined,
    now: () => number,
    replay?: HistoryReplay,
    interrupt: (error: unknown) => Error = (error) => error as Error,
  ) {
    this.#sink = sink;
    this.#now = now;
    this.replay = replay;
    this.#interrupt = interrupt;
    this.#next = (replay?.lastId ?? 0) + 1;
  }

  #lastMs = Number.NaN;
  #lastIso = '';

  /** ISO time of now; events within one millisecond share the formatted string. */
  #timestamp(): string {
    const ms = this.#now();
    if (ms !== this.#lastMs) {
      this.#lastMs = ms;
      this.#lastIso = new Date(ms).toISOString();
    }
    return this.#lastIso;
  }

  emit(path: string, body: ExecutionEventBody): ExecutionEvent {
    if (this.replay) {
      let recorded: ExecutionEvent | undefined;
      try {
        recorded = this.replay.take(path, body);
      } catch (error) {
        throw this.#interrupt(error);
      }
      if (recorded) return recorded;
    }
    const event = { ...body, id: this.#next++, timestamp: this.#timestamp(), path } as ExecutionEvent;
    this.#sink?.(event);
    return event;
  }
}
