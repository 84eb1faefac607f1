import type { ExecutionFinish, WorkflowStore } from '../store/workflows.ts';
import type { ExecutionEvent } from '../workflow/events.ts';

/** Events per store append: under DynamoDB's 100 items per transaction, with room for the header. */
const BATCH_SIZE = 90;

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
      const last = this.#pending.splice(0);
      await this.#store.appendEvents(this.#executionId, this.#owner, this.#lastId, last, finish);
      this.#lastId = last.at(-1)?.id ?? this.#lastId;
    });
    return this.#chain;
  }

  /** Writes pending events in batches, leaving at most `keep` (for `finish` to write with the outcome). */
  async #write(keep = 0): Promise<void> {
    while (this.#pending.length > keep) {
      const batch = this.#pending.splice(0, Math.min(BATCH_SIZE, this.#pending.length - keep));
      await this.#store.appendEvents(this.#executionId, this.#owner, this.#lastId, batch);
      this.#lastId = batch.at(-1)?.id ?? this.#lastId;
    }
  }
}
