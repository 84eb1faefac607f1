import type { Message } from '../agent/messages.ts';
import type { StoredMessage } from './conversations.ts';
import type { WriteOptions } from './durability.ts';
import type { JournalEntry, RunRecord } from './runs.ts';
import type { Scope } from './scope.ts';

/** The start of a run on a conversation. */
export interface TurnStartInput {
  /** The new run: `running`, leased to its owner. Its tenant and user are the conversation's scope. */
  run: Omit<RunRecord, 'schemaVersion'>;
  /** The conversation's title if this call creates it. */
  title: string;
  /** How many of the conversation's newest messages to read (a window read, never the whole conversation). */
  last: number;
}

export interface TurnStart {
  /** The newest `last` messages before the run, oldest first. */
  messages: StoredMessage[];
}

/** The end of a run: its remaining journal entries, its messages and its outcome, in one commit. */
export interface TurnFinishInput {
  /** Must be the run's scope and conversation; another scope or conversation finds no run. */
  scope: Scope;
  conversationId: string;
  runId: string;
  /** Must still hold the run's lease. */
  owner: string;
  /** Journal entries not written yet (the final model step), appended as seq `expectedLastSeq + 1…`. */
  journal: { expectedLastSeq: number; entries: readonly JournalEntry[] };
  /** The run's messages (none for a failed run), appended as seq `expectedLastSeq + 1…` with the run's id. */
  messages: { expectedLastSeq: number; messages: readonly Message[] };
  outcome: Pick<RunRecord, 'status'> & Partial<Pick<RunRecord, 'text' | 'usage' | 'error'>>;
}

/**
 * A turn = one run on one conversation, seen from both sides: the operations that touch the
 * conversation and the run together, each one store call (one statement or transaction), so a
 * durable turn waits on as few round trips as possible.
 */
export interface TurnStore {
  /**
   * Creates the run, ensures its conversation exists (created with `title`, or the existing one in
   * the run's scope: idempotent like ensureConversation) and reads the conversation's newest `last`
   * messages. RUN_CONFLICT if the run id exists; then nothing is written.
   */
  startTurn(input: TurnStartInput, options?: WriteOptions): Promise<TurnStart>;
  /**
   * Atomically, all or nothing: checks that `owner` holds the lease, that the journal still ends at
   * `journal.expectedLastSeq` and, when there are messages, that the conversation still ends at
   * `messages.expectedLastSeq`; then appends the entries and the messages and ends the run as
   * finishRun does (outcome set, lease released). Always flushed (`durability` does not apply):
   * this is what the caller is told succeeded.
   *
   * Failures, in this order of precedence, writing nothing: RUN_NOT_FOUND (no such run in this scope
   * and conversation), RUN_LEASE_LOST, RUN_CONFLICT (journal), CONVERSATION_NOT_FOUND,
   * CONVERSATION_CONFLICT (retryable; `details.lastSeq` is the conversation's last seq when known:
   * retry with it), MESSAGE_TOO_LARGE.
   */
  finishTurn(input: TurnFinishInput): Promise<{ lastSeq: number | undefined }>;
}
