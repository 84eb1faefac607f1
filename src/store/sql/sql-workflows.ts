import type { ExecutionEvent } from '../../workflow/events.ts';
import type { Page } from '../conversations.ts';
import type { Scope } from '../scope.ts';
import { decodeCursor, encodeCursor } from '../validation.ts';
import {
  checkNewTaskToken,
  encodeEvents,
  encodeFinish,
  encodeNewExecution,
  encodeOutcome,
  executionConflict,
  executionIdTaken,
  executionLeaseLost,
  executionNotFound,
  executionPageSize,
  taskTokenCompleted,
  taskTokenInvalid,
} from '../workflow-validation.ts';
import {
  EXECUTION_SCHEMA_VERSION,
  type ExecutionFinish,
  type ExecutionRecord,
  type ExecutionStatus,
  type TaskTokenOutcome,
  type TaskTokenRecord,
  type WorkflowStore,
} from '../workflows.ts';
import type { SqlClient } from './sql-client.ts';
import { isTimePosition, toNumber } from './sql-rows.ts';
import {
  type EventRow,
  EXECUTION_COLUMNS,
  type ExecutionRow,
  resultJson,
  TOKEN_COLUMNS,
  type TokenRow,
  toEvent,
  toExecution,
  toTaskToken,
} from './sql-workflow-rows.ts';

/** Inserts unless the id or the (tenant, user, workflow, name) key exists; RETURNING is empty then. */
const CREATE = `
  INSERT INTO workflow_executions (${EXECUTION_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15)
  ON CONFLICT DO NOTHING
  RETURNING ${EXECUTION_COLUMNS}`;

const GET = `SELECT ${EXECUTION_COLUMNS} FROM workflow_executions WHERE id = $1 AND tenant_id = $2 AND user_id = $3`;
const GET_BY_ID = `SELECT ${EXECUTION_COLUMNS} FROM workflow_executions WHERE id = $1`;
const GET_BY_NAME = `
  SELECT ${EXECUTION_COLUMNS} FROM workflow_executions
  WHERE tenant_id = $1 AND user_id = $2 AND workflow = $3 AND name = $4`;

/**
 * Keyset pages on workflow_executions_by_scope / _by_workflow; the first page starts at 'infinity'. The
 * status filter ($6, NULL for any) is applied while walking the index.
 */
const LIST = `
  SELECT ${EXECUTION_COLUMNS} FROM workflow_executions
  WHERE tenant_id = $1 AND user_id = $2 AND (started_at, id) < ($3::timestamptz, $4::text)
    AND ($6::text IS NULL OR status = $6)
  ORDER BY started_at DESC, id DESC
  LIMIT $5`;
const LIST_IN_WORKFLOW = `
  SELECT ${EXECUTION_COLUMNS} FROM workflow_executions
  WHERE tenant_id = $1 AND user_id = $2 AND workflow = $7 AND (started_at, id) < ($3::timestamptz, $4::text)
    AND ($6::text IS NULL OR status = $6)
  ORDER BY started_at DESC, id DESC
  LIMIT $5`;

/**
 * Conditional history append in one statement, like the run journal's: `bumped` moves last_event_id only
 * while `owner` holds the lease and the history still ends at the expected id (the row lock makes the check
 * and the move atomic against other appenders and lease takers); `inserted` writes the events only then. The
 * last two columns, read from the statement snapshot, tell EXECUTION_NOT_FOUND, EXECUTION_LEASE_LOST and
 * EXECUTION_CONFLICT apart on failure.
 */
const appendStatement = (finishing: string) => `
  WITH bumped AS (
    UPDATE workflow_executions SET last_event_id = $3 + cardinality($4::text[]), updated_at = $5${finishing}
    WHERE id = $1 AND lease_owner = $2 AND last_event_id = $3
    RETURNING last_event_id
  ), inserted AS (
    INSERT INTO workflow_events (execution_id, id, body, schema_version)
    SELECT $1, $3 + e.ord, e.body, $6
    FROM bumped, unnest($4::text[]) WITH ORDINALITY AS e (body, ord)
  )
  SELECT (SELECT last_event_id FROM bumped) AS new_id, x.lease_owner, x.last_event_id
  FROM (SELECT 1) AS one LEFT JOIN workflow_executions x ON x.id = $1`;
const APPEND = appendStatement('');
/** The same, ending the execution in the same row update: status, result, lease released. */
const APPEND_AND_FINISH = appendStatement(
  ', status = $7, stopped_at = $8, result = $9, lease_owner = NULL, lease_expires_at = NULL',
);

const EXECUTION_STATE = 'SELECT lease_owner, last_event_id FROM workflow_executions WHERE id = $1';

/** LIMIT NULL reads to the end. */
const LOAD_EVENTS = `
  SELECT id, body, schema_version FROM workflow_events
  WHERE execution_id = $1 AND id > $2
  ORDER BY id
  LIMIT $3`;

/** Takes the lease if free, expired or already ours, on a running execution; `present` tells "not ours" from "none". */
const ACQUIRE_LEASE = `
  WITH taken AS (
    UPDATE workflow_executions SET lease_owner = $2, lease_expires_at = $3::bigint + $4::bigint, updated_at = $5
    WHERE id = $1 AND status = 'RUNNING'
      AND (lease_owner IS NULL OR lease_owner = $2 OR coalesce(lease_expires_at, 0) <= $3::bigint)
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM taken) AS taken, EXISTS (SELECT 1 FROM workflow_executions WHERE id = $1) AS present`;

/** Served by the partial index workflow_executions_abandoned. */
const LIST_ABANDONED = `
  SELECT ${EXECUTION_COLUMNS} FROM workflow_executions
  WHERE status = 'RUNNING' AND coalesce(lease_expires_at, 0) <= $1::bigint
  ORDER BY coalesce(lease_expires_at, 0), id
  LIMIT $2`;

const CREATE_TOKEN = `
  INSERT INTO workflow_task_tokens (${TOKEN_COLUMNS})
  VALUES ($1, $2, $3, $4, 'waiting', $5, NULL, NULL, $6)
  ON CONFLICT (token) DO NOTHING
  RETURNING ${TOKEN_COLUMNS}`;
const GET_TOKEN_ANY_TENANT = `SELECT ${TOKEN_COLUMNS} FROM workflow_task_tokens WHERE token = $1`;
const GET_TOKEN = `SELECT ${TOKEN_COLUMNS} FROM workflow_task_tokens WHERE token = $1 AND tenant_id = $2`;

/**
 * Completes a waiting token. When the update matches nothing, the second branch returns the token as the
 * snapshot saw it (if it exists in this tenant), marked not completed: a token is never deleted, so its
 * existence tells TASK_TOKEN_ALREADY_COMPLETED from TASK_TOKEN_INVALID even when a concurrent completer won.
 */
const COMPLETE_TOKEN = `
  WITH done AS (
    UPDATE workflow_task_tokens SET status = $3, completed_at = $4, result = $5
    WHERE token = $1 AND tenant_id = $2 AND status = 'waiting'
    RETURNING ${TOKEN_COLUMNS}
  )
  SELECT ${TOKEN_COLUMNS}, true AS completed FROM done
  UNION ALL
  SELECT ${TOKEN_COLUMNS}, false AS completed FROM workflow_task_tokens
  WHERE token = $1 AND tenant_id = $2 AND NOT EXISTS (SELECT 1 FROM done)`;

/** A listExecutions cursor: the last item's [startedAt, id]. */
type Position = [string, string];

/** Marks a RUNNING execution of the scope; an earlier mark stays. */
const REQUEST_STOP = `
  UPDATE workflow_executions SET stop_requested_at = coalesce(stop_requested_at, $4)
  WHERE id = $1 AND tenant_id = $2 AND user_id = $3 AND status = 'RUNNING'
  RETURNING 1 AS marked`;
const STOP_REQUESTED = 'SELECT stop_requested_at IS NOT NULL AS requested FROM workflow_executions WHERE id = $1';

/** Workflow executions, histories and task tokens in PostgreSQL (server or PGlite); tables from 005_workflows.sql. */
export class SqlWorkflowStore implements WorkflowStore {
  constructor(
    private readonly db: SqlClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createExecution(
    record: Omit<ExecutionRecord, 'schemaVersion' | 'lastEventId'>,
  ): Promise<{ created: boolean; execution: ExecutionRecord }> {
    const encoded = encodeNewExecution(record);
    const { rows } = await this.db.query<ExecutionRow>(CREATE, [
      record.id,
      record.tenantId,
      record.userId,
      record.workflow,
      record.name,
      record.definition,
      encoded.input ?? null,
      record.status,
      record.startedAt,
      record.updatedAt,
      record.stoppedAt ?? null,
      resultJson(encoded.output, encoded.error, encoded.cause),
      record.leaseOwner ?? null,
      record.leaseExpiresAt ?? null,
      EXECUTION_SCHEMA_VERSION,
    ]);
    if (rows[0]) return { created: true, execution: toExecution(rows[0]) };
    // A conflict: read with a fresh snapshot (ON CONFLICT waited for the other inserter to commit).
    const existing = await this.db.query<ExecutionRow>(GET_BY_NAME, [
      record.tenantId,
      record.userId,
      record.workflow,
      record.name,
    ]);
    if (existing.rows[0]) return { created: false, execution: toExecution(existing.rows[0]) };
    throw executionIdTaken(record.id);
  }

  async getExecution(scope: Scope, id: string): Promise<ExecutionRecord | undefined> {
    const { rows } = await this.db.query<ExecutionRow>(GET, [id, scope.tenantId, scope.userId]);
    return rows[0] && toExecution(rows[0]);
  }

  async getExecutionById(id: string): Promise<ExecutionRecord | undefined> {
    const { rows } = await this.db.query<ExecutionRow>(GET_BY_ID, [id]);
    return rows[0] && toExecution(rows[0]);
  }

  async listExecutions(
    scope: Scope,
    options: { workflow?: string; status?: ExecutionStatus; limit?: number; cursor?: string } = {},
  ): Promise<Page<ExecutionRecord>> {
    const limit = executionPageSize(options.limit);
    const [startedAt, id]: Position = decodeCursor(options.cursor, isTimePosition) ?? ['infinity', ''];
    const params = [scope.tenantId, scope.userId, startedAt, id, limit + 1, options.status ?? null];
    const { rows } =
      options.workflow === undefined
        ? await this.db.query<ExecutionRow>(LIST, params)
        : await this.db.query<ExecutionRow>(LIST_IN_WORKFLOW, [...params, options.workflow]);
    const items = rows.slice(0, limit).map(toExecution);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.startedAt, last.id]) } : { items };
  }

  async appendEvents(
    executionId: string,
    owner: string,
    expectedLastId: number,
    events: readonly ExecutionEvent[],
    finish?: ExecutionFinish,
  ): Promise<void> {
    const bodies = encodeEvents(expectedLastId, events);
    const params: unknown[] = [
      executionId,
      owner,
      expectedLastId,
      bodies,
      this.now().toISOString(),
      EXECUTION_SCHEMA_VERSION,
    ];
    if (finish) {
      const ended = encodeFinish(finish);
      params.push(ended.status, ended.stoppedAt, resultJson(ended.output, ended.error, ended.cause));
    }
    const { rows } = await this.db.query<{ new_id: unknown; lease_owner: string | null; last_event_id: unknown }>(
      finish ? APPEND_AND_FINISH : APPEND,
      params,
    );
    let row = rows[0];
    if (row && row.new_id !== null) return;
    // The snapshot can predate the writer we lost to; read the committed state for the error.
    if (row && row.lease_owner === owner && toNumber(row.last_event_id) === expectedLastId) {
      const fresh = (
        await this.db.query<{ lease_owner: string | null; last_event_id: unknown }>(EXECUTION_STATE, [executionId])
      ).rows[0];
      row = fresh && { new_id: null, ...fresh };
    }
    if (!row || row.last_event_id === null) throw executionNotFound(executionId);
    if (row.lease_owner !== owner) throw executionLeaseLost(executionId, owner);
    throw executionConflict(executionId, expectedLastId, toNumber(row.last_event_id));
  }

  async loadEvents(executionId: string, options: { afterId?: number; limit?: number } = {}): Promise<ExecutionEvent[]> {
    const afterId = Math.max(0, Math.floor(options.afterId ?? 0));
    const limit = options.limit === undefined ? null : Math.max(0, Math.floor(options.limit));
    const { rows } = await this.db.query<EventRow>(LOAD_EVENTS, [executionId, afterId, limit]);
    return rows.map((row) => toEvent(executionId, row));
  }

  async acquireLease(executionId: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const { rows } = await this.db.query<{ taken: boolean; present: boolean }>(ACQUIRE_LEASE, [
      executionId,
      owner,
      now,
      ttlMs,
      this.now().toISOString(),
    ]);
    if (!rows[0]?.present) throw executionNotFound(executionId);
    return rows[0].taken;
  }

  async requestStop(scope: Scope, executionId: string): Promise<boolean> {
    const { rows } = await this.db.query(REQUEST_STOP, [
      executionId,
      scope.tenantId,
      scope.userId,
      this.now().toISOString(),
    ]);
    return rows.length > 0;
  }

  async stopRequested(executionId: string): Promise<boolean> {
    const { rows } = await this.db.query<{ requested: boolean }>(STOP_REQUESTED, [executionId]);
    return rows[0]?.requested === true;
  }

  async listAbandonedExecutions(now: number, limit = 100): Promise<ExecutionRecord[]> {
    const { rows } = await this.db.query<ExecutionRow>(LIST_ABANDONED, [now, Math.max(0, Math.floor(limit))]);
    return rows.map(toExecution);
  }

  async createTaskToken(
    record: Omit<TaskTokenRecord, 'schemaVersion' | 'status' | 'completedAt' | 'output' | 'error' | 'cause'>,
  ): Promise<{ created: boolean; token: TaskTokenRecord }> {
    checkNewTaskToken(record);
    const { rows } = await this.db.query<TokenRow>(CREATE_TOKEN, [
      record.token,
      record.executionId,
      record.tenantId,
      record.stateName,
      record.createdAt,
      EXECUTION_SCHEMA_VERSION,
    ]);
    if (rows[0]) return { created: true, token: toTaskToken(rows[0]) };
    const existing = (await this.db.query<TokenRow>(GET_TOKEN_ANY_TENANT, [record.token])).rows[0];
    // Tokens are never deleted, so the conflicting row is still there.
    if (!existing) throw taskTokenInvalid();
    return { created: false, token: toTaskToken(existing) };
  }

  async getTaskToken(scope: Pick<Scope, 'tenantId'>, token: string): Promise<TaskTokenRecord | undefined> {
    const { rows } = await this.db.query<TokenRow>(GET_TOKEN, [token, scope.tenantId]);
    return rows[0] && toTaskToken(rows[0]);
  }

  async completeTaskToken(
    scope: Pick<Scope, 'tenantId'>,
    token: string,
    outcome: TaskTokenOutcome,
    completedAt: string,
  ): Promise<TaskTokenRecord> {
    const result = encodeOutcome(outcome);
    const { rows } = await this.db.query<TokenRow & { completed: boolean }>(COMPLETE_TOKEN, [
      token,
      scope.tenantId,
      outcome.status,
      completedAt,
      resultJson(result.output, result.error, result.cause),
    ]);
    const row = rows[0];
    if (!row) throw taskTokenInvalid();
    if (!row.completed) throw taskTokenCompleted();
    return toTaskToken(row);
  }
}
