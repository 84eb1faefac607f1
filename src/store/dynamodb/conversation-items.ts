import type { Message } from '../../agent/messages.ts';
import {
  CONVERSATION_SCHEMA_VERSION,
  type Conversation,
  type ConversationSummary,
  type StoredMessage,
} from '../conversations.ts';
import type { Scope } from '../scope.ts';
import { ItemReader, isRecord } from './item-reader.ts';
import {
  conversationIdOfKey,
  conversationKey,
  MAX_SEQ,
  messageKey,
  scopeKey,
  scopeOfKey,
  summaryKey,
  updatedKey,
} from './keys.ts';

/**
 * Items of agent-memory (layout in keys.ts). Attributes are snake_case like the reference design's
 * keys. Message bodies are one JSON string attribute (`body`): it keeps NUL characters, empty
 * strings and any JSON value as is, and DynamoDB's 400 KB item limit is above MAX_MESSAGE_CHARS.
 *
 * A header being deleted carries `deleting` = <the deleter's token> and no `updated_key`: it is
 * invisible to reads and listings and refuses appends while its items are removed (see purge in
 * dynamodb-conversations.ts).
 */

export const MEMORY_KEY_NAMES = ['user_id', 'conversation_id'] as const;

export function headerItem(scope: Scope, id: string, title: string, at: string): Record<string, unknown> {
  return {
    user_id: scopeKey(scope),
    conversation_id: conversationKey(id),
    schema_version: CONVERSATION_SCHEMA_VERSION,
    title,
    created_at: at,
    updated_at: at,
    updated_key: updatedKey(at, id),
    last_seq: 0,
  };
}

export function isDeleting(item: Record<string, unknown>): boolean {
  return item['deleting'] !== undefined;
}

export function readHeader(table: string, item: Record<string, unknown>, scope: Scope): Conversation {
  const reader = new ItemReader(table, item, MEMORY_KEY_NAMES).checkSchemaVersion(CONVERSATION_SCHEMA_VERSION);
  const id = conversationIdOfKey(reader.string('conversation_id'));
  if (id === undefined) throw reader.corrupt('its sort key is not a conversation header key');
  return {
    schemaVersion: CONVERSATION_SCHEMA_VERSION,
    id,
    tenantId: scope.tenantId,
    userId: scope.userId,
    title: reader.string('title'),
    createdAt: reader.string('created_at'),
    updatedAt: reader.string('updated_at'),
    lastSeq: reader.number('last_seq'),
  };
}

/** A header found by a Scan, outside any scope: the scope comes from its partition key. */
export function readScannedHeader(table: string, item: Record<string, unknown>): Conversation {
  const reader = new ItemReader(table, item, MEMORY_KEY_NAMES);
  const scope = scopeOfKey(reader.string('user_id'));
  if (!scope) throw reader.corrupt('its partition key is not a <tenant>#<user> key');
  return readHeader(table, item, scope);
}

export function messageItem(
  scope: Scope,
  conversationId: string,
  seq: number,
  body: string,
  at: string,
  runId: string | undefined,
): Record<string, unknown> {
  return {
    user_id: scopeKey(scope),
    conversation_id: messageKey(conversationId, seq),
    schema_version: CONVERSATION_SCHEMA_VERSION,
    seq,
    body,
    created_at: at,
    ...(runId === undefined ? {} : { run_id: runId }),
  };
}

const ROLES = new Set(['user', 'assistant', 'tool']);

function isMessage(value: unknown): value is Message {
  return isRecord(value) && ROLES.has(value['role'] as string) && Array.isArray(value['content']);
}

export function readMessage(table: string, item: Record<string, unknown>, conversationId: string): StoredMessage {
  const reader = new ItemReader(table, item, MEMORY_KEY_NAMES).checkSchemaVersion(CONVERSATION_SCHEMA_VERSION);
  const seq = reader.number('seq');
  const matchesKey = Number.isSafeInteger(seq) && seq >= 1 && seq <= MAX_SEQ;
  if (!matchesKey || reader.string('conversation_id') !== messageKey(conversationId, seq)) {
    throw reader.corrupt(`attribute seq ${seq} does not match its sort key`);
  }
  const stored: StoredMessage = {
    schemaVersion: CONVERSATION_SCHEMA_VERSION,
    conversationId,
    seq,
    message: reader.json('body', isMessage),
    createdAt: reader.string('created_at'),
  };
  const runId = reader.optionalString('run_id');
  if (runId !== undefined) stored.runId = runId;
  return stored;
}

export function summaryItem(
  scope: Scope,
  conversationId: string,
  summary: Omit<ConversationSummary, 'schemaVersion'>,
): Record<string, unknown> {
  return {
    user_id: scopeKey(scope),
    conversation_id: summaryKey(conversationId),
    schema_version: CONVERSATION_SCHEMA_VERSION,
    through_seq: summary.throughSeq,
    text: summary.text,
    created_at: summary.createdAt,
  };
}

export function readSummary(table: string, item: Record<string, unknown>): ConversationSummary {
  const reader = new ItemReader(table, item, MEMORY_KEY_NAMES).checkSchemaVersion(CONVERSATION_SCHEMA_VERSION);
  return {
    schemaVersion: CONVERSATION_SCHEMA_VERSION,
    throughSeq: reader.number('through_seq'),
    text: reader.string('text'),
    createdAt: reader.string('created_at'),
  };
}
