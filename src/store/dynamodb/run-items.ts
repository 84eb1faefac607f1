import type { TokenUsage } from '../../agent/usage.ts';
import type { AgentryErrorJSON } from '../../errors.ts';
import {
  type JournalEntry,
  type JournalRecord,
  RUN_SCHEMA_VERSION,
  type RunRecord,
  type StoredRunStatus,
} from '../runs.ts';
import { ItemReader, isRecord } from './item-reader.ts';
import { createdKey, runKey, scopeKey } from './keys.ts';

/**
 * Items of agent-sessions: the run at `timestamp` 0, journal entries at 1, 2, … (layout: keys.ts).
 *
 * Run items also carry the GSI keys: `scope_key`/`created_key` (listing a user's runs) and, only
 * while the run is `running`, `resumable` = 'running' and `resume_at` = lease expiry (0 when
 * unleased) for the sparse `by-lease` index of abandoned runs. `journal_seq` is the journal's last
 * seq, the value appendJournal is conditional on. Usage and error are JSON string attributes.
 */

export const SESSIONS_KEY_NAMES = ['session_id', 'timestamp'] as const;
export const RESUMABLE = 'running';

const STATUSES: readonly StoredRunStatus[] = [
  'running',
  'waiting_approval',
  'succeeded',
  'failed',
  'cancelled',
  'max_iterations',
];

export function runItem(run: Omit<RunRecord, 'schemaVersion'>): Record<string, unknown> {
  return {
    ...runKey(run.id),
    schema_version: RUN_SCHEMA_VERSION,
    tenant_id: run.tenantId,
    end_user_id: run.userId,
    agent: run.agent,
    conversation_id: run.conversationId,
    query: run.query,
    status: run.status,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    journal_seq: 0,
    scope_key: scopeKey({ tenantId: run.tenantId, userId: run.userId }),
    created_key: createdKey(run.createdAt, run.id),
    ...(run.leaseOwner === undefined ? {} : { lease_owner: run.leaseOwner }),
    ...(run.leaseExpiresAt === undefined ? {} : { lease_expires_at: run.leaseExpiresAt }),
    ...(run.status === 'running' ? { resumable: RESUMABLE, resume_at: run.leaseExpiresAt ?? 0 } : {}),
    ...(run.text === undefined ? {} : { text: run.text }),
    ...(run.usage === undefined ? {} : { usage: JSON.stringify(run.usage) }),
    ...(run.error === undefined ? {} : { error: JSON.stringify(run.error) }),
  };
}

const isUsage = (value: unknown): value is TokenUsage => isRecord(value);
const isErrorJson = (value: unknown): value is AgentryErrorJSON =>
  isRecord(value) && typeof value['code'] === 'string' && typeof value['message'] === 'string';

export function readRun(table: string, item: Record<string, unknown>): RunRecord {
  const reader = new ItemReader(table, item, SESSIONS_KEY_NAMES).checkSchemaVersion(RUN_SCHEMA_VERSION);
  const run: RunRecord = {
    schemaVersion: RUN_SCHEMA_VERSION,
    id: reader.string('session_id'),
    tenantId: reader.string('tenant_id'),
    userId: reader.string('end_user_id'),
    agent: reader.string('agent'),
    conversationId: reader.string('conversation_id'),
    query: reader.string('query'),
    status: reader.oneOf('status', STATUSES),
    createdAt: reader.string('created_at'),
    updatedAt: reader.string('updated_at'),
  };
  const leaseOwner = reader.optionalString('lease_owner');
  if (leaseOwner !== undefined) run.leaseOwner = leaseOwner;
  const leaseExpiresAt = reader.optionalNumber('lease_expires_at');
  if (leaseExpiresAt !== undefined) run.leaseExpiresAt = leaseExpiresAt;
  const text = reader.optionalString('text');
  if (text !== undefined) run.text = text;
  const usage = reader.optionalJson('usage', isUsage);
  if (usage !== undefined) run.usage = usage;
  const error = reader.optionalJson('error', isErrorJson);
  if (error !== undefined) run.error = error;
  return run;
}

/**
 * The run item's update that ends a run (finishRun, finishTurn): outcome fields, lease released;
 * a run left `running` stays listed as resumable at once (resume_at 0), any other leaves the index.
 * The caller adds its condition and `:owner`.
 */
export function finishUpdate(
  patch: Pick<RunRecord, 'status'> & Partial<Pick<RunRecord, 'text' | 'usage' | 'error'>>,
  at: string,
  set: string[] = [],
  values: Record<string, unknown> = {},
): { expression: string; names: Record<string, string>; values: Record<string, unknown> } {
  set.push('#status = :status', 'updated_at = :at');
  const remove = ['lease_owner', 'lease_expires_at'];
  const names: Record<string, string> = { '#status': 'status' };
  Object.assign(values, { ':status': patch.status, ':at': at });
  if (patch.status === 'running') {
    set.push('resumable = :resumable', 'resume_at = :zero');
    Object.assign(values, { ':resumable': RESUMABLE, ':zero': 0 });
  } else {
    remove.push('resumable', 'resume_at');
  }
  const fields = {
    text: patch.text,
    usage: patch.usage && JSON.stringify(patch.usage),
    error: patch.error && JSON.stringify(patch.error),
  };
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    set.push(`#${name} = :${name}`);
    names[`#${name}`] = name;
    values[`:${name}`] = value;
  }
  return { expression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`, names, values };
}

export function journalItem(runId: string, seq: number, body: string, at: string): Record<string, unknown> {
  return { session_id: runId, timestamp: seq, schema_version: RUN_SCHEMA_VERSION, body, created_at: at };
}

const KINDS = new Set(['model-step', 'tool-started', 'tool-result']);
const isJournalEntry = (value: unknown): value is JournalEntry =>
  isRecord(value) && KINDS.has(value['kind'] as string) && typeof value['step'] === 'number';

export function readJournal(table: string, item: Record<string, unknown>): JournalRecord {
  const reader = new ItemReader(table, item, SESSIONS_KEY_NAMES).checkSchemaVersion(RUN_SCHEMA_VERSION);
  return {
    runId: reader.string('session_id'),
    seq: reader.number('timestamp'),
    entry: reader.json('body', isJournalEntry),
    createdAt: reader.string('created_at'),
  };
}
