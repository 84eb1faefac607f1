import { AgentryError } from '../../errors.ts';
import type { ExecutionEvent } from '../../workflow/events.ts';
import type { EncodedExecution, EncodedResult } from '../workflow-validation.ts';
import {
  EXECUTION_SCHEMA_VERSION,
  type ExecutionRecord,
  type ExecutionStatus,
  type TaskTokenRecord,
  type TaskTokenStatus,
} from '../workflows.ts';
import { MAX_BODY_BYTES } from './item-limits.ts';
import { ItemReader, isRecord } from './item-reader.ts';
import { decodeKeyPart, scopeKey } from './keys.ts';
import { BODY_STEP, executionKey, executionNameKey, HEADER_STEP, startedKey, taskTokenKey } from './workflow-keys.ts';

/**
 * Items of agent-workflows (layout: workflow-keys.ts). Data is kept as JSON string attributes (`input`,
 * `output`, `body`), so NUL characters, empty strings and key order survive as they are; `error` and `cause`
 * are plain strings.
 *
 * Headers also carry the GSI keys: `scope_key`/`started_key` (listing a user's executions) and, only while
 * the execution is RUNNING, `resumable` = 'RUNNING' and `resume_at` = lease expiry (0 when unleased).
 */

export const WORKFLOWS_KEY_NAMES = ['workflow_id', 'step_number'] as const;
export const RESUMABLE: ExecutionStatus = 'RUNNING';

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const TOKEN_STATUSES: readonly TaskTokenStatus[] = ['waiting', 'succeeded', 'failed'];

type NewExecution = Omit<ExecutionRecord, 'schemaVersion' | 'lastEventId'>;

export function headerKey(executionId: string): Record<string, unknown> {
  return { workflow_id: executionKey(executionId), step_number: HEADER_STEP };
}

/** The result attributes of a header or token: output JSON, error, cause (absent ones left out). */
export function resultAttributes(result: EncodedResult): Record<string, string> {
  return {
    ...(result.output === undefined ? {} : { output: result.output }),
    ...(result.error === undefined ? {} : { error: result.error }),
    ...(result.cause === undefined ? {} : { cause: result.cause }),
  };
}

export function headerItem(record: NewExecution, encoded: EncodedExecution): Record<string, unknown> {
  return {
    ...headerKey(record.id),
    schema_version: EXECUTION_SCHEMA_VERSION,
    tenant_id: record.tenantId,
    end_user_id: record.userId,
    workflow: record.workflow,
    name: record.name,
    status: record.status,
    started_at: record.startedAt,
    updated_at: record.updatedAt,
    last_event_id: 0,
    scope_key: scopeKey({ tenantId: record.tenantId, userId: record.userId }),
    started_key: startedKey(record.startedAt, record.id),
    ...(record.stoppedAt === undefined ? {} : { stopped_at: record.stoppedAt }),
    ...resultAttributes(encoded),
    ...(record.leaseOwner === undefined ? {} : { lease_owner: record.leaseOwner }),
    ...(record.leaseExpiresAt === undefined ? {} : { lease_expires_at: record.leaseExpiresAt }),
    ...(record.status === 'RUNNING' ? { resumable: RESUMABLE, resume_at: record.leaseExpiresAt ?? 0 } : {}),
  };
}

/**
 * The never-updated part of an execution. Its input is within the shared data limit, but definition and
 * input share one item here: together they must fit in it (EXECUTION_DATA_TOO_LARGE otherwise).
 */
export function bodyItem(record: NewExecution, encoded: EncodedExecution): Record<string, unknown> {
  const size =
    Buffer.byteLength(record.definition) + (encoded.input === undefined ? 0 : Buffer.byteLength(encoded.input));
  if (size > MAX_BODY_BYTES) {
    throw new AgentryError(
      'EXECUTION_DATA_TOO_LARGE',
      `The definition and input are ${size} bytes together; on DynamoDB they must fit in ${MAX_BODY_BYTES}.`,
      { details: { limit: MAX_BODY_BYTES, size, unit: 'bytes' } },
    );
  }
  return {
    workflow_id: executionKey(record.id),
    step_number: BODY_STEP,
    schema_version: EXECUTION_SCHEMA_VERSION,
    definition: record.definition,
    ...(encoded.input === undefined ? {} : { input: encoded.input }),
  };
}

export function nameItem(record: NewExecution): Record<string, unknown> {
  return {
    workflow_id: executionNameKey(record),
    step_number: HEADER_STEP,
    schema_version: EXECUTION_SCHEMA_VERSION,
    execution_id: record.id,
  };
}

export function eventItem(executionId: string, id: number, body: string): Record<string, unknown> {
  return { workflow_id: executionKey(executionId), step_number: id, schema_version: EXECUTION_SCHEMA_VERSION, body };
}

export function tokenItem(
  record: Pick<TaskTokenRecord, 'token' | 'executionId' | 'tenantId' | 'stateName' | 'createdAt'>,
): Record<string, unknown> {
  return {
    workflow_id: taskTokenKey(record.token),
    step_number: HEADER_STEP,
    schema_version: EXECUTION_SCHEMA_VERSION,
    execution_id: record.executionId,
    tenant_id: record.tenantId,
    state_name: record.stateName,
    status: 'waiting',
    created_at: record.createdAt,
  };
}

const anyJson = (_value: unknown): _value is unknown => true;

function readResult(reader: ItemReader, target: { output?: unknown; error?: string; cause?: string }): void {
  if (reader.has('output')) target.output = reader.json('output', anyJson);
  const error = reader.optionalString('error');
  if (error !== undefined) target.error = error;
  const cause = reader.optionalString('cause');
  if (cause !== undefined) target.cause = cause;
}

/** An execution from its header and body items (one Query of steps -1..0). */
export function readExecution(
  table: string,
  header: Record<string, unknown>,
  body: Record<string, unknown> | undefined,
): ExecutionRecord {
  const reader = new ItemReader(table, header, WORKFLOWS_KEY_NAMES).checkSchemaVersion(EXECUTION_SCHEMA_VERSION);
  const id = decodeKeyPart(reader.string('workflow_id'));
  if (id === undefined) throw reader.corrupt('its partition key is not an execution key');
  if (!body) throw reader.corrupt('the execution has no body item');
  const bodyReader = new ItemReader(table, body, WORKFLOWS_KEY_NAMES).checkSchemaVersion(EXECUTION_SCHEMA_VERSION);
  const execution: ExecutionRecord = {
    schemaVersion: EXECUTION_SCHEMA_VERSION,
    id,
    tenantId: reader.string('tenant_id'),
    userId: reader.string('end_user_id'),
    workflow: reader.string('workflow'),
    name: reader.string('name'),
    definition: bodyReader.string('definition'),
    input: bodyReader.has('input') ? bodyReader.json('input', anyJson) : undefined,
    status: reader.oneOf('status', STATUSES),
    startedAt: reader.string('started_at'),
    updatedAt: reader.string('updated_at'),
    lastEventId: reader.number('last_event_id'),
  };
  const stoppedAt = reader.optionalString('stopped_at');
  if (stoppedAt !== undefined) execution.stoppedAt = stoppedAt;
  readResult(reader, execution);
  const leaseOwner = reader.optionalString('lease_owner');
  if (leaseOwner !== undefined) execution.leaseOwner = leaseOwner;
  const leaseExpiresAt = reader.optionalNumber('lease_expires_at');
  if (leaseExpiresAt !== undefined) execution.leaseExpiresAt = leaseExpiresAt;
  return execution;
}

export function readEvent(table: string, item: Record<string, unknown>): ExecutionEvent {
  const reader = new ItemReader(table, item, WORKFLOWS_KEY_NAMES).checkSchemaVersion(EXECUTION_SCHEMA_VERSION);
  const id = reader.number('step_number');
  const isEvent = (value: unknown): value is ExecutionEvent =>
    isRecord(value) && value['id'] === id && typeof value['type'] === 'string';
  return reader.json('body', isEvent);
}

/** The token is passed in: it is the (escaped) partition key, which errors must not echo. */
export function readTaskToken(table: string, item: Record<string, unknown>, token: string): TaskTokenRecord {
  const reader = new ItemReader(table, { ...item, workflow_id: 'token#…' }, WORKFLOWS_KEY_NAMES).checkSchemaVersion(
    EXECUTION_SCHEMA_VERSION,
  );
  const record: TaskTokenRecord = {
    schemaVersion: EXECUTION_SCHEMA_VERSION,
    token,
    executionId: reader.string('execution_id'),
    tenantId: reader.string('tenant_id'),
    stateName: reader.string('state_name'),
    status: reader.oneOf('status', TOKEN_STATUSES),
    createdAt: reader.string('created_at'),
  };
  const completedAt = reader.optionalString('completed_at');
  if (completedAt !== undefined) record.completedAt = completedAt;
  readResult(reader, record);
  return record;
}

/** The execution id a name item points to. */
export function readNameItem(table: string, item: Record<string, unknown>): string {
  return new ItemReader(table, item, WORKFLOWS_KEY_NAMES)
    .checkSchemaVersion(EXECUTION_SCHEMA_VERSION)
    .string('execution_id');
}
