import { MAX_APPEND_BYTES, MAX_EVENTS_PER_APPEND } from '../store/workflow-validation.ts';
import type { ExecutionFinish, WorkflowStore } from '../store/workflows.ts';
import type { ExecutionEvent } from '../workflow/events.ts';

/** Events per store append: the store's limit (DynamoDB's 100 items per transaction, less the header). */
const BATCH_SIZE = Math.min(90, MAX_EVENTS_PER_APPEND);
/** Bytes per append, with room for the finish and the statement around the events. */
const BATCH_BYTES = MAX_APPEND_BYTES - 512 * 1024;

/**
 * Buffers an execution's history and writes it in order, in batches. The engine emits events
 * synchronously and asks for `flush()` only before side effects and sleeps, so a chain of Pass and Choice
 * states costs one write, not one per event. Writes are serialized on one chain: a failed write fails
 * every later flush (the history can no longer be continued by this process; the execution is resumed
 * from what was written).
 */
export class HistoryWriter {
  readonly #store: WorkflowStore;
  readonly #executionId: string;
  readonly #owner: string;
  #lastId: number;
  #pending: ExecutionEvent[] = [];
  #chain: Promise<void> = Promise.resolve();

  constructor(store: WorkflowStore, executionId: string, owner: string, lastId: number) {
    this.#store = store;
    this.#executionId = executionId;
    this.#owner = owner;
    this.#lastId = lastId;
  }

  add(event: ExecutionEvent): void {
    this.#pending.push(event);
    // Long runs without side effects still write as they go; a failure surfaces at the next flush.
    if (this.#pending.length >= BATCH_SIZE * 4) this.flush().catch(() => {});
  }

  /** Resolves once every event added so far is in the store. */
  flush(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#write());
    return this.#chain;
  }

  /** Writes what is left and ends the execution in the same (last) write. */
  finish(finish: ExecutionFinish): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      await this.#write(BATCH_SIZE);
      while (batchLength(this.#pending, this.#pending.length) < this.#pending.length) await this.#write(0, 1);
      const last = this.#pending.splice(0);
      await this.#store.appendEvents(this.#executionId, this.#owner, this.#lastId, last, finish);
      this.#lastId = last.at(-1)?.id ?? this.#lastId;
    });
    return this.#chain;
  }

  /**
   * Writes pending events in batches, leaving at most `keep` (for `finish` to write with the outcome);
   * `rounds` bounds how many batches are written.
   */
  async #write(keep = 0, rounds = Number.POSITIVE_INFINITY): Promise<void> {
    for (let round = 0; this.#pending.length > keep && round < rounds; round++) {
      const batch = this.#pending.splice(0, batchLength(this.#pending, this.#pending.length - keep));
      await this.#store.appendEvents(this.#executionId, this.#owner, this.#lastId, batch);
      this.#lastId = batch.at(-1)?.id ?? this.#lastId;
    }
  }
}

/** How many of the first `max` events fit one append (at least one: the store refuses a single oversized event). */
function batchLength(events: readonly ExecutionEvent[], max: number): number {
  const limit = Math.min(BATCH_SIZE, max);
  let bytes = 0;
  for (let index = 0; index < limit; index++) {
    bytes += Buffer.byteLength(JSON.stringify(events[index]) ?? '', 'utf8');
    if (bytes > BATCH_BYTES) return Math.max(1, index);
  }
  return limit;
}
