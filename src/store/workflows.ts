import type { ExecutionEvent } from '../workflow/events.ts';
import type { Page } from './conversations.ts';
import type { Scope } from './scope.ts';

export const EXECUTION_SCHEMA_VERSION = 1;

/** Step Functions' execution statuses. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  schemaVersion: number;
  /** Opaque, unique across tenants. */
  id: string;
  tenantId: string;
  userId: string;
  /** The workflow's name (its file name without `.asl.json`). */
  workflow: string;
  /** Unique per tenant, user and workflow: starting the same name twice finds the first execution. */
  name: string;
  /** The definition as it was at start (JSON text), so a resumed execution runs what it started with. */
  definition: string;
  input: unknown;
  status: ExecutionStatus;
  startedAt: string;
  updatedAt: string;
  stoppedAt?: string;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Id of the last history event written; 0 before the first. */
  lastEventId: number;
  /** Which process may append history, and until when (ms since epoch). */
  leaseOwner?: string;
  leaseExpiresAt?: number;
}

export interface ExecutionFinish {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  stoppedAt: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

export type TaskTokenStatus = 'waiting' | 'succeeded' | 'failed';

/**
 * A `.waitForTaskToken` callback. The token is a random secret; whoever completes it must be in the
 * execution's tenant. Completing is conditional on `waiting`, so a token completes once.
 */
export interface TaskTokenRecord {
  schemaVersion: number;
  token: string;
  executionId: string;
  tenantId: string;
  /** The Task state waiting on it, for people reading a list of pending approvals. */
  stateName: string;
  status: TaskTokenStatus;
  createdAt: string;
  completedAt?: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

export type TaskTokenOutcome =
  | { status: 'succeeded'; output: unknown }
  | { status: 'failed'; error: string; cause: string };

export interface WorkflowStore {
  /**
   * Creates the execution holding a lease for `owner`, or, when one with the same tenant, user, workflow
   * and name exists, returns that one unchanged with `created: false` (the caller decides whether its input
   * matches). `lastEventId` of a new record is 0.
   */
  createExecution(
    record: Omit<ExecutionRecord, 'schemaVersion' | 'lastEventId'>,
  ): Promise<{ created: boolean; execution: ExecutionRecord }>;
  /** Undefined outside the scope: another user's execution id is not found, like a missing one. */
  getExecution(scope: Scope, id: string): Promise<ExecutionRecord | undefined>;
  /** Any scope: for the resumer, which acts for the system. */
  getExecutionById(id: string): Promise<ExecutionRecord | undefined>;
  /** Newest first. Filters are optional; `limit` defaults to 50. */
  listExecutions(
    scope: Scope,
    options?: { workflow?: string; status?: ExecutionStatus; limit?: number; cursor?: string },
  ): Promise<Page<ExecutionRecord>>;
  /**
   * Appends history events (ids `expectedLastId + 1…`, without gaps; the caller numbers them) if the
   * history still ends at `expectedLastId` and `owner` holds the lease; otherwise EXECUTION_CONFLICT or
   * EXECUTION_LEASE_LOST, writing nothing. With `finish`, the execution ends in the same write: status and
   * result set, lease released. Events and finish land together or not at all.
   */
  appendEvents(
    executionId: string,
    owner: string,
    expectedLastId: number,
    events: readonly ExecutionEvent[],
    finish?: ExecutionFinish,
  ): Promise<void>;
  /** History in id order, from `afterId + 1`, at most `limit` (default: all). */
  loadEvents(executionId: string, options?: { afterId?: number; limit?: number }): Promise<ExecutionEvent[]>;
  /**
   * Takes the lease if it is free, expired (`leaseExpiresAt <= now`) or already `owner`'s, and the
   * execution is still RUNNING. Returns false when someone else holds it. `ttlMs` 0 hands it over at once.
   */
  acquireLease(executionId: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  /** RUNNING executions whose lease expired at `now`: candidates for resumption, oldest first. */
  listAbandonedExecutions(now: number, limit?: number): Promise<ExecutionRecord[]>;
  /**
   * StopExecution from any process: marks a RUNNING execution of this scope (a mark already there
   * stays). Returns false, marking nothing, when the scope has no such execution or it is not
   * RUNNING. The lease holder polls `stopRequested`; a process resuming the execution checks it first.
   */
  requestStop(scope: Scope, executionId: string): Promise<boolean>;
  /** Whether a stop of the execution was requested (false for an unknown execution). */
  stopRequested(executionId: string): Promise<boolean>;

  /** Records a waiting token. Idempotent: an existing token is returned unchanged with `created: false`. */
  createTaskToken(
    record: Omit<TaskTokenRecord, 'schemaVersion' | 'status' | 'completedAt' | 'output' | 'error' | 'cause'>,
  ): Promise<{ created: boolean; token: TaskTokenRecord }>;
  /** The token in this tenant, or undefined (also for another tenant's token). */
  getTaskToken(scope: Pick<Scope, 'tenantId'>, token: string): Promise<TaskTokenRecord | undefined>;
  /**
   * Completes a waiting token in this tenant: TASK_TOKEN_INVALID when it does not exist there,
   * TASK_TOKEN_ALREADY_COMPLETED when it is no longer waiting. Returns the completed record.
   */
  completeTaskToken(
    scope: Pick<Scope, 'tenantId'>,
    token: string,
    outcome: TaskTokenOutcome,
    completedAt: string,
  ): Promise<TaskTokenRecord>;
}
