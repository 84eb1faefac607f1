import type { ExecutionEvent } from '../../workflow/events.ts';
import {
  EXECUTION_SCHEMA_VERSION,
  type ExecutionRecord,
  type ExecutionStatus,
  type TaskTokenRecord,
  type TaskTokenStatus,
} from '../workflows.ts';
import { checkSchemaVersion, isObject, parseJson, storeCorrupt, toIso, toNumber } from './sql-rows.ts';

/**
 * Rows of 005_workflows.sql and back. Results (output, error, cause) are one JSON object column, so error
 * texts may hold NUL like any other data, and an absent output stays absent.
 */

export const EXECUTION_COLUMNS =
  'id, tenant_id, user_id, workflow, name, definition, input, status, started_at, updated_at, stopped_at, ' +
  'result, last_event_id, lease_owner, lease_expires_at, schema_version';

export const TOKEN_COLUMNS =
  'token, execution_id, tenant_id, state_name, status, created_at, completed_at, result, schema_version';

export interface ExecutionRow {
  id: string;
  tenant_id: string;
  user_id: string;
  workflow: string;
  name: string;
  definition: string;
  input: string | null;
  status: string;
  started_at: unknown;
  updated_at: unknown;
  stopped_at: unknown;
  result: string | null;
  last_event_id: unknown;
  lease_owner: string | null;
  lease_expires_at: unknown;
  schema_version: unknown;
}

export interface TokenRow {
  token: string;
  execution_id: string;
  tenant_id: string;
  state_name: string;
  status: string;
  created_at: unknown;
  completed_at: unknown;
  result: string | null;
  schema_version: unknown;
}

export interface EventRow {
  id: unknown;
  body: unknown;
  schema_version: unknown;
}

interface Result {
  output?: unknown;
  error?: string;
  cause?: string;
}

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const TOKEN_STATUSES: readonly TaskTokenStatus[] = ['waiting', 'succeeded', 'failed'];

const isResult = (value: unknown) =>
  isObject(value) &&
  (value['error'] === undefined || typeof value['error'] === 'string') &&
  (value['cause'] === undefined || typeof value['cause'] === 'string');

/** The result column's JSON: `output` is already JSON text (or absent). */
export function resultJson(output: string | undefined, error: string | undefined, cause: string | undefined) {
  if (output === undefined && error === undefined && cause === undefined) return null;
  const parts = [];
  if (output !== undefined) parts.push(`"output":${output}`);
  if (error !== undefined) parts.push(`"error":${JSON.stringify(error)}`);
  if (cause !== undefined) parts.push(`"cause":${JSON.stringify(cause)}`);
  return `{${parts.join(',')}}`;
}

function applyResult(target: Result, table: string, key: string, text: string | null): void {
  if (text === null) return;
  const result = parseJson<Result>(table, key, 'result', text, isResult);
  if ('output' in result) target.output = result.output;
  if (result.error !== undefined) target.error = result.error;
  if (result.cause !== undefined) target.cause = result.cause;
}

function oneOf<T extends string>(table: string, key: string, column: string, value: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(value))
    throw storeCorrupt(table, key, `column ${column} has unknown value`);
  return value as T;
}

export function toExecution(row: ExecutionRow): ExecutionRecord {
  const table = 'workflow_executions';
  const key = `(${row.id})`;
  const execution: ExecutionRecord = {
    schemaVersion: checkSchemaVersion(table, key, row.schema_version, EXECUTION_SCHEMA_VERSION),
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    workflow: row.workflow,
    name: row.name,
    definition: row.definition,
    input: row.input === null ? undefined : parseJson<unknown>(table, key, 'input', row.input, () => true),
    status: oneOf(table, key, 'status', row.status, STATUSES),
    startedAt: toIso(row.started_at),
    updatedAt: toIso(row.updated_at),
    lastEventId: toNumber(row.last_event_id),
  };
  if (row.stopped_at !== null) execution.stoppedAt = toIso(row.stopped_at);
  applyResult(execution, table, key, row.result);
  if (row.lease_owner !== null) execution.leaseOwner = row.lease_owner;
  if (row.lease_expires_at !== null) execution.leaseExpiresAt = toNumber(row.lease_expires_at);
  return execution;
}

export function toTaskToken(row: TokenRow): TaskTokenRecord {
  const table = 'workflow_task_tokens';
  // The token is a secret: name the row by its execution and state instead.
  const key = `(token of ${row.execution_id}, ${row.state_name})`;
  const token: TaskTokenRecord = {
    schemaVersion: checkSchemaVersion(table, key, row.schema_version, EXECUTION_SCHEMA_VERSION),
    token: row.token,
    executionId: row.execution_id,
    tenantId: row.tenant_id,
    stateName: row.state_name,
    status: oneOf(table, key, 'status', row.status, TOKEN_STATUSES),
    createdAt: toIso(row.created_at),
  };
  if (row.completed_at !== null) token.completedAt = toIso(row.completed_at);
  applyResult(token, table, key, row.result);
  return token;
}

export function toEvent(executionId: string, row: EventRow): ExecutionEvent {
  const id = toNumber(row.id);
  const key = `(${executionId}, ${id})`;
  checkSchemaVersion('workflow_events', key, row.schema_version, EXECUTION_SCHEMA_VERSION);
  const isEvent = (value: unknown) => isObject(value) && value['id'] === id && typeof value['type'] === 'string';
  return parseJson<ExecutionEvent>('workflow_events', key, 'body', row.body, isEvent);
}
