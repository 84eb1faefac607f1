/**
 * Execution history events. Every step of an execution goes through `EventSink`, numbered in emission order
 * per execution, so a durable history can be written and replayed later. Events carry JSON-safe payloads only.
 */

export type ExecutionEventBody =
  | { type: 'ExecutionStarted'; input: unknown; name: string; startTime: string }
  | { type: 'ExecutionSucceeded'; output: unknown }
  | { type: 'ExecutionFailed'; error: string; cause: string }
  | { type: 'ExecutionAborted' }
  | { type: 'StateEntered'; state: string; stateType: string; input: unknown }
  | { type: 'StateExited'; state: string; stateType: string; output: unknown }
  | { type: 'StateFailed'; state: string; stateType: string; error: string; cause: string }
  | { type: 'StateRetried'; state: string; retryCount: number; delayMs: number }
  | { type: 'StateCaught'; state: string; error: string; next: string }
  | { type: 'TaskScheduled'; state: string; resource: string; input: unknown; attempt: number; timeoutMs?: number }
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

/** Numbers events; nested branches share the counter so ids are a total order over the execution. */
export class EventRecorder {
  #next = 1;
  readonly #sink: EventSink | undefined;
  readonly #now: () => number;

  constructor(sink: EventSink | undefined, now: () => number) {
    this.#sink = sink;
    this.#now = now;
  }

  emit(path: string, body: ExecutionEventBody): void {
    const event = { ...body, id: this.#next++, timestamp: new Date(this.#now()).toISOString(), path };
    this.#sink?.(event);
  }
}
