import type { TokenUsage } from '../../agent/usage.ts';
import { AgentryError, type AgentryErrorJSON } from '../../errors.ts';
import type { Page } from '../conversations.ts';
import type { WriteOptions } from '../durability.ts';
import {
  type JournalEntry,
  type JournalRecord,
  RUN_SCHEMA_VERSION,
  type RunRecord,
  type RunStore,
  type StoredRunStatus,
} from '../runs.ts';
import type { Scope } from '../scope.ts';
import { decodeCursor, encodeCursor, journalConflict, leaseLost, pageSize, runNotFound } from '../validation.ts';
import type { SqlClient } from './sql-client.ts';
import { RELAXED_COMMIT } from './sql-durability.ts';
import { checkSchemaVersion, isObject, isTimePosition, parseJson, toIso, toNumber } from './sql-rows.ts';

export const RUN_COLUMNS =
  'id, tenant_id, user_id, agent, conversation_id, query, status, created_at, updated_at, ' +
  'lease_owner, lease_expires_at, text, usage, error, schema_version';

const CREATE = `
  INSERT INTO runs (${RUN_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
  ON CONFLICT (id) DO NOTHING
  RETURNING 1 AS created`;

const GET = `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1 AND tenant_id = $2 AND user_id = $3`;
const GET_BY_ID = `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`;

/** Keyset pages on runs_by_scope / runs_by_conversation; the first page starts at 'infinity'. */
const LIST = `
  SELECT ${RUN_COLUMNS} FROM runs
  WHERE tenant_id = $1 AND user_id = $2 AND (created_at, id) < ($3::timestamptz, $4::text)
  ORDER BY created_at DESC, id DESC
  LIMIT $5`;
const LIST_IN_CONVERSATION = `
  SELECT ${RUN_COLUMNS} FROM runs
  WHERE tenant_id = $1 AND user_id = $2 AND conversation_id = $6 AND (created_at, id) < ($3::timestamptz, $4::text)
  ORDER BY created_at DESC, id DESC
  LIMIT $5`;

/** Every scope, keyset-paged on the primary key; byte order (COLLATE "C"). */
const LIST_ALL_FIRST = `SELECT ${RUN_COLUMNS} FROM runs ORDER BY id LIMIT $1`;
const LIST_ALL_AFTER = `SELECT ${RUN_COLUMNS} FROM runs WHERE id > $2 ORDER BY id LIMIT $1`;

/**
 * Conditional journal append in one statement, like the message append: `bumped` moves
 * journal_seq only while `owner` holds the lease and the journal still ends at the expected seq
 * (the row lock makes the check and the move atomic against other appenders and lease takers);
 * `inserted` writes the entries only then. The last two columns, read from the statement
 * snapshot, tell RUN_NOT_FOUND, RUN_LEASE_LOST and RUN_CONFLICT apart on failure.
 */
const appendJournalSql = (relaxed: boolean) => `
  WITH bumped AS (
    UPDATE runs SET journal_seq = journal_seq + cardinality($4::text[])
    WHERE id = $1 AND lease_owner = $2 AND journal_seq = $3
    RETURNING journal_seq
  ), inserted AS (
    INSERT INTO run_journal (run_id, seq, body, created_at, schema_version)
    SELECT $1, $3 + e.ord, e.body, $5, $6
    FROM bumped, unnest($4::text[]) WITH ORDINALITY AS e (body, ord)
  )
  SELECT (SELECT journal_seq FROM bumped) AS new_seq, r.lease_owner, r.journal_seq${relaxed ? `, ${RELAXED_COMMIT}` : ''}
  FROM (SELECT 1) AS one LEFT JOIN runs r ON r.id = $1`;
const APPEND_JOURNAL = appendJournalSql(false);
const APPEND_JOURNAL_RELAXED = appendJournalSql(true);

const RUN_STATE = 'SELECT lease_owner, journal_seq FROM runs WHERE id = $1';

const LOAD_JOURNAL = 'SELECT seq, body, created_at, schema_version FROM run_journal WHERE run_id = $1 ORDER BY seq';

/** Takes the lease if free, expired or already ours, on a running run; `present` tells "not ours" from "no run". */
const ACQUIRE_LEASE = `
  WITH taken AS (
    UPDATE runs SET lease_owner = $2, lease_expires_at = $3::bigint + $4::bigint, updated_at = $5
    WHERE id = $1 AND status = 'running'
      AND (lease_owner IS NULL OR lease_owner = $2 OR coalesce(lease_expires_at, 0) <= $3::bigint)
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM taken) AS taken, EXISTS (SELECT 1 FROM runs WHERE id = $1) AS present`;

/** Absent patch fields (null parameters) keep their stored values, as Object.assign would. */
const FINISH = `
  WITH finished AS (
    UPDATE runs SET status = $3, text = coalesce($4, text), usage = coalesce($5, usage), error = coalesce($6, error),
      updated_at = $7, lease_owner = NULL, lease_expires_at = NULL
    WHERE id = $1 AND lease_owner = $2
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM finished) AS finished, EXISTS (SELECT 1 FROM runs WHERE id = $1) AS present`;

/** Marks a running run of the scope; an earlier mark stays. */
const REQUEST_CANCEL = `
  UPDATE runs SET cancel_requested_at = coalesce(cancel_requested_at, $4)
  WHERE id = $1 AND tenant_id = $2 AND user_id = $3 AND status = 'running'
  RETURNING 1 AS marked`;
const CANCEL_REQUESTED = 'SELECT cancel_requested_at IS NOT NULL AS requested FROM runs WHERE id = $1';

/** Served by the partial index runs_abandoned. */
const LIST_ABANDONED = `
  SELECT ${RUN_COLUMNS} FROM runs
  WHERE status = 'running' AND coalesce(lease_expires_at, 0) <= $1::bigint
  ORDER BY coalesce(lease_expires_at, 0)
  LIMIT $2`;

interface RunRow {
  id: string;
  tenant_id: string;
  user_id: string;
  agent: string;
  conversation_id: string;
  query: string;
  status: string;
  created_at: unknown;
  updated_at: unknown;
  lease_owner: string | null;
  lease_expires_at: unknown;
  text: string | null;
  usage: string | null;
  error: string | null;
  schema_version: unknown;
}

interface JournalRow {
  seq: unknown;
  body: unknown;
  created_at: unknown;
  schema_version: unknown;
}

/** A listAllRuns cursor: the last item's [id]. */
const isIdPosition = (value: unknown): value is [string] =>
  Array.isArray(value) && value.length === 1 && typeof value[0] === 'string';

const isUsage = (value: unknown) => isObject(value) && typeof value['totalTokens'] === 'number';
const isErrorJson = (value: unknown) => isObject(value) && typeof value['code'] === 'string';
const isEntry = (value: unknown) => isObject(value) && typeof value['kind'] === 'string';

function toRun(row: RunRow): RunRecord {
  const key = `(${row.id})`;
  const run: RunRecord = {
    schemaVersion: checkSchemaVersion('runs', key, row.schema_version, RUN_SCHEMA_VERSION),
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    agent: row.agent,
    conversationId: row.conversation_id,
    query: row.query,
    status: row.status as StoredRunStatus,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
  if (row.lease_owner !== null) run.leaseOwner = row.lease_owner;
  if (row.lease_expires_at !== null) run.leaseExpiresAt = toNumber(row.lease_expires_at);
  if (row.text !== null) run.text = row.text;
  if (row.usage !== null) run.usage = parseJson<TokenUsage>('runs', key, 'usage', row.usage, isUsage);
  if (row.error !== null) run.error = parseJson<AgentryErrorJSON>('runs', key, 'error', row.error, isErrorJson);
  return run;
}

export const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** $1…$15 of an INSERT INTO runs (RUN_COLUMNS). */
export function runParams(run: Omit<RunRecord, 'schemaVersion'>): unknown[] {
  return [
    run.id,
    run.tenantId,
    run.userId,
    run.agent,
    run.conversationId,
    run.query,
    run.status,
    run.createdAt,
    run.updatedAt,
    run.leaseOwner ?? null,
    run.leaseExpiresAt ?? null,
    run.text ?? null,
    json(run.usage),
    json(run.error),
    RUN_SCHEMA_VERSION,
  ];
}

/**
 * Runs, leases and journals in PostgreSQL (server or PGlite); tables from 002_runs.sql. With
 * `relaxedCommits`, journal appends asked for `relaxed` durability commit asynchronously.
 */
export class SqlRunStore implements RunStore {
  constructor(
    private readonly db: SqlClient,
    private readonly now: () => Date = () => new Date(),
    private readonly relaxedCommits = false,
  ) {}

  async createRun(run: Omit<RunRecord, 'schemaVersion'>): Promise<void> {
    const { rows } = await this.db.query(CREATE, runParams(run));
    if (rows.length === 0) throw new AgentryError('RUN_CONFLICT', `Run ${run.id} already exists.`);
  }

  async getRun(scope: Scope, id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.db.query<RunRow>(GET, [id, scope.tenantId, scope.userId]);
    return rows[0] && toRun(rows[0]);
  }

  async getRunById(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.db.query<RunRow>(GET_BY_ID, [id]);
    return rows[0] && toRun(rows[0]);
  }

  async listRuns(
    scope: Scope,
    options: { limit?: number; cursor?: string; conversationId?: string } = {},
  ): Promise<{ items: RunRecord[]; nextCursor?: string }> {
    const limit = pageSize(options.limit);
    const [createdAt, id]: [string, string] = decodeCursor(options.cursor, isTimePosition) ?? ['infinity', ''];
    const params = [scope.tenantId, scope.userId, createdAt, id, limit + 1];
    const { rows } =
      options.conversationId === undefined
        ? await this.db.query<RunRow>(LIST, params)
        : await this.db.query<RunRow>(LIST_IN_CONVERSATION, [...params, options.conversationId]);
    const items = rows.slice(0, limit).map(toRun);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.createdAt, last.id]) } : { items };
  }

  async listAllRuns(options: { limit?: number; cursor?: string } = {}): Promise<Page<RunRecord>> {
    const limit = pageSize(options.limit);
    const after = decodeCursor(options.cursor, isIdPosition);
    const { rows } = after
      ? await this.db.query<RunRow>(LIST_ALL_AFTER, [limit + 1, after[0]])
      : await this.db.query<RunRow>(LIST_ALL_FIRST, [limit + 1]);
    const items = rows.slice(0, limit).map(toRun);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.id]) } : { items };
  }

  async appendJournal(
    runId: string,
    owner: string,
    expectedLastSeq: number,
    entries: readonly JournalEntry[],
    options: WriteOptions = {},
  ): Promise<void> {
    const relaxed = this.relaxedCommits && options.durability === 'relaxed';
    const { rows } = await this.db.query<{ new_seq: unknown; lease_owner: string | null; journal_seq: unknown }>(
      relaxed ? APPEND_JOURNAL_RELAXED : APPEND_JOURNAL,
      [
        runId,
        owner,
        expectedLastSeq,
        entries.map((entry) => JSON.stringify(entry)),
        this.now().toISOString(),
        RUN_SCHEMA_VERSION,
      ],
    );
    let row = rows[0];
    if (row && row.new_seq !== null) return;
    // The snapshot can predate the writer we lost to; read the committed state for the error.
    if (row && row.lease_owner === owner && toNumber(row.journal_seq) === expectedLastSeq) {
      const fresh = (await this.db.query<{ lease_owner: string | null; journal_seq: unknown }>(RUN_STATE, [runId]))
        .rows[0];
      row = fresh && { new_seq: null, ...fresh };
    }
    if (!row || row.journal_seq === null) throw runNotFound(runId);
    if (row.lease_owner !== owner) throw leaseLost(runId, owner);
    throw journalConflict(runId, expectedLastSeq, toNumber(row.journal_seq));
  }

  async loadJournal(runId: string): Promise<JournalRecord[]> {
    const { rows } = await this.db.query<JournalRow>(LOAD_JOURNAL, [runId]);
    return rows.map((row) => {
      const seq = toNumber(row.seq);
      const key = `(${runId}, ${seq})`;
      checkSchemaVersion('run_journal', key, row.schema_version, RUN_SCHEMA_VERSION);
      return {
        runId,
        seq,
        entry: parseJson<JournalEntry>('run_journal', key, 'body', row.body, isEntry),
        createdAt: toIso(row.created_at),
      };
    });
  }

  async acquireLease(runId: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const { rows } = await this.db.query<{ taken: boolean; present: boolean }>(ACQUIRE_LEASE, [
      runId,
      owner,
      now,
      ttlMs,
      this.now().toISOString(),
    ]);
    if (!rows[0]?.present) throw runNotFound(runId);
    return rows[0].taken;
  }

  async requestCancel(scope: Scope, runId: string): Promise<boolean> {
    const { rows } = await this.db.query(REQUEST_CANCEL, [
      runId,
      scope.tenantId,
      scope.userId,
      this.now().toISOString(),
    ]);
    return rows.length > 0;
  }

  async cancelRequested(runId: string): Promise<boolean> {
    const { rows } = await this.db.query<{ requested: boolean }>(CANCEL_REQUESTED, [runId]);
    return rows[0]?.requested === true;
  }

  async finishRun(runId: string, owner: string, patch: Parameters<RunStore['finishRun']>[2]): Promise<void> {
    const { rows } = await this.db.query<{ finished: boolean; present: boolean }>(FINISH, [
      runId,
      owner,
      patch.status,
      patch.text ?? null,
      json(patch.usage),
      json(patch.error),
      this.now().toISOString(),
    ]);
    if (!rows[0]?.present) throw runNotFound(runId);
    if (!rows[0].finished) throw leaseLost(runId, owner);
  }

  async listAbandonedRuns(now: number, limit = 100): Promise<RunRecord[]> {
    const { rows } = await this.db.query<RunRow>(LIST_ABANDONED, [now, Math.max(0, Math.floor(limit))]);
    return rows.map(toRun);
  }
}
