import type { ToolCallBlock, ToolResultBlock } from '../agent/messages.ts';
import type { TokenUsage } from '../agent/usage.ts';
import type { AgentryErrorJSON } from '../errors.ts';
import type { Page } from './conversations.ts';
import type { WriteOptions } from './durability.ts';
import type { Scope } from './scope.ts';

export const RUN_SCHEMA_VERSION = 1;

export type StoredRunStatus = 'running' | 'waiting_approval' | 'succeeded' | 'failed' | 'cancelled' | 'max_iterations';

export interface RunRecord {
  schemaVersion: number;
  id: string;
  tenantId: string;
  userId: string;
  agent: string;
  conversationId: string;
  query: string;
  status: StoredRunStatus;
  createdAt: string;
  updatedAt: string;
  /** Which process may write the journal, and until when (ms since epoch). */
  leaseOwner?: string;
  leaseExpiresAt?: number;
  text?: string;
  usage?: TokenUsage;
  error?: AgentryErrorJSON;
}

/** One durable step of a run. A resumed run replays these instead of repeating them. */
export type JournalEntry =
  | {
      kind: 'model-step';
      step: number;
      text: string;
      toolCalls: (ToolCallBlock & { inputError?: string })[];
      finishReason: string;
      usage: TokenUsage;
    }
  /** Written before the tool runs: a resume that finds it without a result knows the call was interrupted. */
  | { kind: 'tool-started'; step: number; toolCallId: string; toolName: string }
  | { kind: 'tool-result'; step: number; result: ToolResultBlock; durationMs: number };

export interface JournalRecord {
  runId: string;
  /** 1, 2, 3… per run, without gaps. */
  seq: number;
  entry: JournalEntry;
  createdAt: string;
}

export interface RunStore {
  /** Creates the run holding a lease for `owner`. Fails with RUN_CONFLICT if the id exists. */
  createRun(run: Omit<RunRecord, 'schemaVersion'>): Promise<void>;
  getRun(scope: Scope, id: string): Promise<RunRecord | undefined>;
  /** Any scope: for the resumer, which acts for the system. */
  getRunById(id: string): Promise<RunRecord | undefined>;
  listRuns(
    scope: Scope,
    options?: { limit?: number; cursor?: string; conversationId?: string },
  ): Promise<{ items: RunRecord[]; nextCursor?: string }>;
  /** Every run of every tenant and user, in a stable backend-defined order, cursor-paged: for backups. */
  listAllRuns(options?: { limit?: number; cursor?: string }): Promise<Page<RunRecord>>;
  /**
   * Appends journal entries as seq `expectedLastSeq + 1…` if the journal still ends at
   * `expectedLastSeq` and `owner` holds the lease; otherwise RUN_CONFLICT or RUN_LEASE_LOST.
   * Holding means being `leaseOwner`, whatever the run's status (an import writes the journal of a
   * finished run this way); expiry matters only to acquireLease. `durability` defaults to `flush`.
   */
  appendJournal(
    runId: string,
    owner: string,
    expectedLastSeq: number,
    entries: readonly JournalEntry[],
    options?: WriteOptions,
  ): Promise<void>;
  loadJournal(runId: string): Promise<JournalRecord[]>;
  /**
   * Takes the lease if it is free, expired (`leaseExpiresAt <= now`) or already `owner`'s, and the
   * run is still `running`. Returns false when someone else holds it.
   */
  acquireLease(runId: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  /**
   * Ends the run: sets the final fields and releases the lease, if `owner` still holds it. With
   * status `running` the run stays running, unleased: listAbandonedRuns lists it at once.
   */
  finishRun(
    runId: string,
    owner: string,
    patch: Pick<RunRecord, 'status'> & Partial<Pick<RunRecord, 'text' | 'usage' | 'error'>>,
  ): Promise<void>;
  /** Runs still `running` whose lease expired at `now`: candidates for resumption. */
  listAbandonedRuns(now: number, limit?: number): Promise<RunRecord[]>;
  /**
   * Asks whichever process runs the run to cancel it: marks a `running` run of this scope (a mark
   * already there stays). Returns false, marking nothing, when the scope has no such run or it is
   * not running. The lease holder polls `cancelRequested`; a process resuming the run checks it first.
   */
  requestCancel(scope: Scope, runId: string): Promise<boolean>;
  /** Whether cancellation of the run was requested (false for an unknown run). */
  cancelRequested(runId: string): Promise<boolean>;
}
