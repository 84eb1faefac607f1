import type { Message } from '../../agent/messages.ts';
import {
  CONVERSATION_SCHEMA_VERSION,
  type Conversation,
  type ConversationStore,
  type ConversationSummary,
  type Page,
  type StoredMessage,
} from '../conversations.ts';
import type { Scope } from '../scope.ts';
import {
  checkMessageSizes,
  conversationConflict,
  conversationNotFound,
  decodeCursor,
  encodeCursor,
  pageSize,
} from '../validation.ts';
import type { SqlClient } from './sql-client.ts';
import { checkSchemaVersion, isObject, isTimePosition, MAX_INT, parseJson, toIso, toNumber } from './sql-rows.ts';

const CONVERSATION_COLUMNS = 'tenant_id, user_id, id, title, created_at, updated_at, last_seq, schema_version';

/**
 * Creates or finds in one statement. The SELECT branch reads the statement's snapshot, so a row
 * inserted concurrently by another transaction (our INSERT then does nothing) can be invisible to
 * both branches: the caller falls back to a plain read.
 */
const ENSURE = `
  WITH inserted AS (
    INSERT INTO conversations (${CONVERSATION_COLUMNS})
    VALUES ($1, $2, $3, $4, $5, $5, 0, $6)
    ON CONFLICT (tenant_id, user_id, id) DO NOTHING
    RETURNING ${CONVERSATION_COLUMNS}
  )
  SELECT ${CONVERSATION_COLUMNS} FROM inserted
  UNION ALL
  SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE tenant_id = $1 AND user_id = $2 AND id = $3
  LIMIT 1`;

const GET = `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE tenant_id = $1 AND user_id = $2 AND id = $3`;

/** Keyset page on the (tenant_id, user_id, updated_at DESC, id DESC) index; the first page starts at 'infinity'. */
const LIST = `
  SELECT ${CONVERSATION_COLUMNS} FROM conversations
  WHERE tenant_id = $1 AND user_id = $2 AND (updated_at, id) < ($3::timestamptz, $4::text)
  ORDER BY updated_at DESC, id DESC
  LIMIT $5`;

/** Every scope, keyset-paged on the primary key (tenant_id, user_id, id); byte order (COLLATE "C"). */
const LIST_ALL_FIRST = `
  SELECT ${CONVERSATION_COLUMNS} FROM conversations
  ORDER BY tenant_id, user_id, id
  LIMIT $1`;
const LIST_ALL_AFTER = `
  SELECT ${CONVERSATION_COLUMNS} FROM conversations
  WHERE (tenant_id, user_id, id) > ($2, $3, $4)
  ORDER BY tenant_id, user_id, id
  LIMIT $1`;

const DELETE = 'DELETE FROM conversations WHERE tenant_id = $1 AND user_id = $2 AND id = $3 RETURNING 1 AS deleted';

/**
 * The conditional append, one statement (so one round trip and atomic on its own):
 * - `bumped` moves last_seq only if it still equals the expected seq. Concurrent appenders queue
 *   on the row lock; under READ COMMITTED the loser re-checks the condition against the winner's
 *   committed row and updates nothing.
 * - `inserted` writes the messages only when `bumped` produced a row (cross join).
 * - `current_seq` reads the statement snapshot: on failure it tells NOT_FOUND (null) from
 *   CONFLICT, but can lag a writer that committed while we waited for the lock.
 */
const APPEND = `
  WITH bumped AS (
    UPDATE conversations SET last_seq = last_seq + cardinality($5::text[]), updated_at = $6
    WHERE tenant_id = $1 AND user_id = $2 AND id = $3 AND last_seq = $4
    RETURNING last_seq
  ), inserted AS (
    INSERT INTO messages (tenant_id, user_id, conversation_id, seq, body, run_id, created_at, schema_version)
    SELECT $1, $2, $3, $4 + m.ord, m.body, $7, $6, $8
    FROM bumped, unnest($5::text[]) WITH ORDINALITY AS m (body, ord)
  )
  SELECT
    (SELECT last_seq FROM bumped) AS new_seq,
    (SELECT last_seq FROM conversations WHERE tenant_id = $1 AND user_id = $2 AND id = $3) AS current_seq`;

const LAST_SEQ = 'SELECT last_seq FROM conversations WHERE tenant_id = $1 AND user_id = $2 AND id = $3';

export const MESSAGE_COLUMNS = 'seq, body, run_id, created_at, schema_version';

/** Window read: walks the primary key backwards from `beforeSeq` and stops after `last` rows. */
const LOAD_WINDOW = `
  SELECT ${MESSAGE_COLUMNS} FROM messages
  WHERE tenant_id = $1 AND user_id = $2 AND conversation_id = $3 AND seq > $4 AND seq < $5
  ORDER BY seq DESC
  LIMIT $6`;

const LOAD_RANGE = `
  SELECT ${MESSAGE_COLUMNS} FROM messages
  WHERE tenant_id = $1 AND user_id = $2 AND conversation_id = $3 AND seq > $4 AND seq < $5
  ORDER BY seq`;

const GET_SUMMARY = `
  SELECT through_seq, summary, created_at, schema_version FROM conversation_summaries
  WHERE tenant_id = $1 AND user_id = $2 AND conversation_id = $3`;

/** Upsert only if the conversation exists in this scope (the SELECT yields no row otherwise). */
const SAVE_SUMMARY = `
  INSERT INTO conversation_summaries (tenant_id, user_id, conversation_id, through_seq, summary, created_at, schema_version)
  SELECT tenant_id, user_id, id, $4, $5, $6, $7 FROM conversations WHERE tenant_id = $1 AND user_id = $2 AND id = $3
  ON CONFLICT (tenant_id, user_id, conversation_id) DO UPDATE SET
    through_seq = excluded.through_seq, summary = excluded.summary,
    created_at = excluded.created_at, schema_version = excluded.schema_version
  RETURNING 1 AS saved`;

interface ConversationRow {
  tenant_id: string;
  user_id: string;
  id: string;
  title: string;
  created_at: unknown;
  updated_at: unknown;
  last_seq: unknown;
  schema_version: unknown;
}

export interface MessageRow {
  seq: unknown;
  body: unknown;
  run_id: string | null;
  created_at: unknown;
  schema_version: unknown;
}

interface SummaryRow {
  through_seq: unknown;
  summary: string;
  created_at: unknown;
  schema_version: unknown;
}

/** A listAllConversations cursor: the last item's [tenantId, userId, id]. */
const isKeyPosition = (value: unknown): value is [string, string, string] =>
  Array.isArray(value) && value.length === 3 && value.every((part) => typeof part === 'string');

const isMessage = (value: unknown): boolean =>
  isObject(value) && typeof value['role'] === 'string' && Array.isArray(value['content']);

function toConversation(row: ConversationRow): Conversation {
  const key = `(${row.tenant_id}, ${row.user_id}, ${row.id})`;
  return {
    schemaVersion: checkSchemaVersion('conversations', key, row.schema_version, CONVERSATION_SCHEMA_VERSION),
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    title: row.title,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    lastSeq: toNumber(row.last_seq),
  };
}

export function readMessageRow(scope: Scope, conversationId: string, row: MessageRow): StoredMessage {
  const seq = toNumber(row.seq);
  const key = `(${scope.tenantId}, ${scope.userId}, ${conversationId}, ${seq})`;
  const stored: StoredMessage = {
    schemaVersion: checkSchemaVersion('messages', key, row.schema_version, CONVERSATION_SCHEMA_VERSION),
    conversationId,
    seq,
    message: parseJson<Message>('messages', key, 'body', row.body, isMessage),
    createdAt: toIso(row.created_at),
  };
  if (row.run_id !== null) stored.runId = row.run_id;
  return stored;
}

/** Conversations, messages and summaries in PostgreSQL (server or PGlite); tables from 001_conversations.sql. */
export class SqlConversationStore implements ConversationStore {
  constructor(
    private readonly db: SqlClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async ensureConversation(scope: Scope, id: string, title = ''): Promise<Conversation> {
    const at = this.now().toISOString();
    const { rows } = await this.db.query<ConversationRow>(ENSURE, [
      scope.tenantId,
      scope.userId,
      id,
      title,
      at,
      CONVERSATION_SCHEMA_VERSION,
    ]);
    const row = rows[0] ?? (await this.db.query<ConversationRow>(GET, [scope.tenantId, scope.userId, id])).rows[0];
    // Only reachable if the conversation was deleted between our insert attempt and the re-read.
    if (!row) return this.ensureConversation(scope, id, title);
    return toConversation(row);
  }

  async getConversation(scope: Scope, id: string): Promise<Conversation | undefined> {
    const { rows } = await this.db.query<ConversationRow>(GET, [scope.tenantId, scope.userId, id]);
    return rows[0] && toConversation(rows[0]);
  }

  async listConversations(
    scope: Scope,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<Conversation>> {
    const limit = pageSize(options.limit);
    const [updatedAt, id]: [string, string] = decodeCursor(options.cursor, isTimePosition) ?? ['infinity', ''];
    const { rows } = await this.db.query<ConversationRow>(LIST, [
      scope.tenantId,
      scope.userId,
      updatedAt,
      id,
      limit + 1,
    ]);
    const items = rows.slice(0, limit).map(toConversation);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextCursor: encodeCursor([last.updatedAt, last.id]) } : { items };
  }

  async listAllConversations(options: { limit?: number; cursor?: string } = {}): Promise<Page<Conversation>> {
    const limit = pageSize(options.limit);
    const after = decodeCursor(options.cursor, isKeyPosition);
    const { rows } = after
      ? await this.db.query<ConversationRow>(LIST_ALL_AFTER, [limit + 1, ...after])
      : await this.db.query<ConversationRow>(LIST_ALL_FIRST, [limit + 1]);
    const items = rows.slice(0, limit).map(toConversation);
    const last = items.at(-1);
    return rows.length > limit && last
      ? { items, nextCursor: encodeCursor([last.tenantId, last.userId, last.id]) }
      : { items };
  }

  async deleteConversation(scope: Scope, id: string): Promise<boolean> {
    const { rows } = await this.db.query(DELETE, [scope.tenantId, scope.userId, id]);
    return rows.length > 0;
  }

  async appendMessages(
    scope: Scope,
    conversationId: string,
    expectedLastSeq: number,
    messages: readonly Message[],
    runId?: string,
  ): Promise<{ lastSeq: number }> {
    const bodies = checkMessageSizes(messages);
    const key = [scope.tenantId, scope.userId, conversationId];
    const { rows } = await this.db.query<{ new_seq: unknown; current_seq: unknown }>(APPEND, [
      ...key,
      expectedLastSeq,
      bodies,
      this.now().toISOString(),
      runId ?? null,
      CONVERSATION_SCHEMA_VERSION,
    ]);
    const row = rows[0];
    if (row && row.new_seq !== null) return { lastSeq: toNumber(row.new_seq) };
    let current = row?.current_seq ?? null;
    // The snapshot can predate the writer we lost to; read the committed value for the error.
    if (current !== null && toNumber(current) === expectedLastSeq) {
      current = (await this.db.query<{ last_seq: unknown }>(LAST_SEQ, key)).rows[0]?.last_seq ?? null;
    }
    if (current === null) throw conversationNotFound(conversationId);
    throw conversationConflict(conversationId, expectedLastSeq, toNumber(current));
  }

  async loadMessages(
    scope: Scope,
    conversationId: string,
    options: { last?: number; beforeSeq?: number; afterSeq?: number } = {},
  ): Promise<StoredMessage[]> {
    const range = [
      scope.tenantId,
      scope.userId,
      conversationId,
      Math.max(0, options.afterSeq ?? 0),
      Math.min(MAX_INT, options.beforeSeq ?? MAX_INT),
    ];
    const rows =
      options.last === undefined
        ? (await this.db.query<MessageRow>(LOAD_RANGE, range)).rows
        : (
            await this.db.query<MessageRow>(LOAD_WINDOW, [...range, Math.max(0, Math.floor(options.last))])
          ).rows.reverse();
    return rows.map((row) => readMessageRow(scope, conversationId, row));
  }

  async getSummary(scope: Scope, conversationId: string): Promise<ConversationSummary | undefined> {
    const { rows } = await this.db.query<SummaryRow>(GET_SUMMARY, [scope.tenantId, scope.userId, conversationId]);
    const row = rows[0];
    if (!row) return undefined;
    const key = `(${scope.tenantId}, ${scope.userId}, ${conversationId})`;
    return {
      schemaVersion: checkSchemaVersion('conversation_summaries', key, row.schema_version, CONVERSATION_SCHEMA_VERSION),
      throughSeq: toNumber(row.through_seq),
      text: row.summary,
      createdAt: toIso(row.created_at),
    };
  }

  async saveSummary(
    scope: Scope,
    conversationId: string,
    summary: Omit<ConversationSummary, 'schemaVersion'>,
  ): Promise<void> {
    const { rows } = await this.db.query(SAVE_SUMMARY, [
      scope.tenantId,
      scope.userId,
      conversationId,
      summary.throughSeq,
      summary.text,
      summary.createdAt,
      CONVERSATION_SCHEMA_VERSION,
    ]);
    if (rows.length === 0) throw conversationNotFound(conversationId);
  }
}
