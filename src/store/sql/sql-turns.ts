import { AgentryError } from '../../errors.ts';
import { CONVERSATION_SCHEMA_VERSION } from '../conversations.ts';
import type { WriteOptions } from '../durability.ts';
import { RUN_SCHEMA_VERSION } from '../runs.ts';
import type { TurnFinishInput, TurnStart, TurnStartInput, TurnStore } from '../turns.ts';
import {
  checkMessageSizes,
  conversationConflict,
  conversationNotFound,
  journalConflict,
  leaseLost,
  runNotFound,
} from '../validation.ts';
import type { SqlClient } from './sql-client.ts';
import { MESSAGE_COLUMNS, type MessageRow, readMessageRow } from './sql-conversations.ts';
import { RELAXED_COMMIT } from './sql-durability.ts';
import { toNumber } from './sql-rows.ts';
import { json, RUN_COLUMNS, runParams } from './sql-runs.ts';

/**
 * The start of a turn in one statement: the run (nothing else if its id exists), the conversation
 * (only if the run was created; an existing one is left as is) and the window read, which walks
 * the messages' primary key backwards. The window reads the statement's snapshot: it cannot see
 * messages appended after the statement began, exactly as a separate read made first would not.
 * The LEFT JOIN yields one row even when the window is empty.
 */
const startSql = (relaxed: boolean) => `
  WITH run AS (
    INSERT INTO runs (${RUN_COLUMNS})
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
    ON CONFLICT (id) DO NOTHING
    RETURNING 1
  ), conversation AS (
    INSERT INTO conversations (tenant_id, user_id, id, title, created_at, updated_at, last_seq, schema_version)
    SELECT $2, $3, $5, $16, $8, $8, 0, $17 FROM run
    ON CONFLICT (tenant_id, user_id, id) DO NOTHING
  ), recent AS (
    SELECT ${MESSAGE_COLUMNS} FROM messages
    WHERE tenant_id = $2 AND user_id = $3 AND conversation_id = $5
    ORDER BY seq DESC
    LIMIT $18
  )
  SELECT EXISTS (SELECT 1 FROM run) AS created, m.seq, m.body, m.run_id, m.created_at, m.schema_version${relaxed ? `, ${RELAXED_COMMIT}` : ''}
  FROM (SELECT 1) AS one LEFT JOIN recent AS m ON true
  ORDER BY m.seq`;
const START = startSql(false);
const START_RELAXED = startSql(true);

/**
 * The end of a turn in one statement, all or nothing:
 * - `run` finds the run by its primary key alone (the scope and conversation are checked after, so
 *   the planner has one index to choose), and with `conversation` locks the two rows (FOR UPDATE returns their newest committed versions,
 *   waiting for concurrent writers), so the checks in `ok` cannot be overtaken before the commit.
 *   The conversation is locked only when there are messages to append.
 * - every write is conditional on `ok`, so either all happen or none does.
 * - the UPDATEs start from the statement snapshot, which may predate a writer that committed before
 *   the lock; READ COMMITTED then re-reads the newest version, which is the locked, checked one.
 * Lock order is run, then conversation; other statements lock one of the two only.
 */
const FINISH = `
  WITH run AS (
    SELECT lease_owner, journal_seq, (tenant_id = $3 AND user_id = $4 AND conversation_id = $5) AS mine
    FROM runs WHERE id = $1
    FOR UPDATE
  ), conversation AS (
    SELECT last_seq FROM conversations
    WHERE tenant_id = $3 AND user_id = $4 AND id = $5 AND cardinality($9::text[]) > 0
    FOR UPDATE
  ), ok AS (
    SELECT 1 FROM run
    WHERE run.mine AND run.lease_owner = $2 AND run.journal_seq = $6
      AND (cardinality($9::text[]) = 0 OR EXISTS (SELECT 1 FROM conversation WHERE last_seq = $8))
  ), finished AS (
    UPDATE runs SET status = $10, text = coalesce($11, text), usage = coalesce($12, usage),
      error = coalesce($13, error), updated_at = $14, lease_owner = NULL, lease_expires_at = NULL,
      journal_seq = journal_seq + cardinality($7::text[])
    WHERE id = $1 AND EXISTS (SELECT 1 FROM ok)
    RETURNING 1
  ), journal AS (
    INSERT INTO run_journal (run_id, seq, body, created_at, schema_version)
    SELECT $1, $6 + e.ord, e.body, $14, $15
    FROM ok, unnest($7::text[]) WITH ORDINALITY AS e (body, ord)
  ), bumped AS (
    UPDATE conversations SET last_seq = last_seq + cardinality($9::text[]), updated_at = $14
    WHERE tenant_id = $3 AND user_id = $4 AND id = $5 AND cardinality($9::text[]) > 0 AND EXISTS (SELECT 1 FROM ok)
    RETURNING last_seq
  ), appended AS (
    INSERT INTO messages (tenant_id, user_id, conversation_id, seq, body, run_id, created_at, schema_version)
    SELECT $3, $4, $5, $8 + m.ord, m.body, $1, $14, $16
    FROM ok, unnest($9::text[]) WITH ORDINALITY AS m (body, ord)
  )
  SELECT EXISTS (SELECT 1 FROM ok) AS ok, (SELECT last_seq FROM bumped) AS new_seq,
    r.mine, r.lease_owner, r.journal_seq, (SELECT last_seq FROM conversation) AS last_seq
  FROM (SELECT 1) AS one LEFT JOIN run AS r ON true`;

interface StartRow extends MessageRow {
  created: boolean;
}

interface FinishRow {
  ok: boolean;
  mine: boolean | null;
  new_seq: unknown;
  lease_owner: string | null;
  journal_seq: unknown;
  last_seq: unknown;
}

/** Turns in PostgreSQL (server or PGlite): one statement per operation, so one round trip. */
export class SqlTurnStore implements TurnStore {
  constructor(
    private readonly db: SqlClient,
    private readonly now: () => Date = () => new Date(),
    private readonly relaxedCommits = false,
  ) {}

  async startTurn({ run, title, last }: TurnStartInput, options: WriteOptions = {}): Promise<TurnStart> {
    const relaxed = this.relaxedCommits && options.durability === 'relaxed';
    const { rows } = await this.db.query<StartRow>(relaxed ? START_RELAXED : START, [
      ...runParams(run),
      title,
      CONVERSATION_SCHEMA_VERSION,
      Math.max(0, Math.floor(last)),
    ]);
    if (!rows[0]?.created) throw new AgentryError('RUN_CONFLICT', `Run ${run.id} already exists.`);
    const scope = { tenantId: run.tenantId, userId: run.userId };
    return {
      messages: rows.filter((row) => row.seq !== null).map((row) => readMessageRow(scope, run.conversationId, row)),
    };
  }

  async finishTurn(input: TurnFinishInput): Promise<{ lastSeq: number | undefined }> {
    const { scope, conversationId, runId, owner, journal, messages, outcome } = input;
    const bodies = checkMessageSizes(messages.messages);
    const { rows } = await this.db.query<FinishRow>(FINISH, [
      runId,
      owner,
      scope.tenantId,
      scope.userId,
      conversationId,
      journal.expectedLastSeq,
      journal.entries.map((entry) => JSON.stringify(entry)),
      messages.expectedLastSeq,
      bodies,
      outcome.status,
      outcome.text ?? null,
      json(outcome.usage),
      json(outcome.error),
      this.now().toISOString(),
      RUN_SCHEMA_VERSION,
      CONVERSATION_SCHEMA_VERSION,
    ]);
    const row = rows[0];
    if (row?.ok) return { lastSeq: row.new_seq === null ? undefined : toNumber(row.new_seq) };
    // The locked rows are the newest versions: no re-read needed to name the failure.
    if (!row?.mine) throw runNotFound(runId);
    if (row.lease_owner !== owner) throw leaseLost(runId, owner);
    const journalSeq = toNumber(row.journal_seq);
    if (journalSeq !== journal.expectedLastSeq) throw journalConflict(runId, journal.expectedLastSeq, journalSeq);
    if (row.last_seq === null) throw conversationNotFound(conversationId);
    throw conversationConflict(conversationId, messages.expectedLastSeq, toNumber(row.last_seq));
  }
}
