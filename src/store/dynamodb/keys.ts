import { AgentryError } from '../../errors.ts';
import type { Scope } from '../scope.ts';

/**
 * Key layout of the DynamoDB tables. Composite keys join components with `#`; every component is
 * escaped first (`%` → `%25`, `#` → `%23`), so no component contains the separator and the joins
 * are unambiguous: ids `c1`, `c1#x` and `c10` get sort keys `c1`, `c1%23x` and `c10`, and the range
 * `c1#…` of c1's messages contains none of the others' items.
 *
 * agent-memory, partition `user_id` = `<tenant>#<user>`, sort `conversation_id`:
 *   `<conversation>`                      the conversation header (carries `updated_key` for the GSI)
 *   `<conversation>#<seq, 10 digits>`     one item per message: messages never overwrite each other
 *   `<conversation>#summary`              the summary; `s` sorts after every digit, outside the seq range
 * agent-sessions, partition `session_id` = `<runId>`, sort `timestamp`: 0 is the run, 1, 2, … its journal.
 */

export const SEPARATOR = '#';
export const SEQ_DIGITS = 10;
/** Largest message or journal seq the zero-padded sort key can hold. */
export const MAX_SEQ = 10 ** SEQ_DIGITS - 1;
/** Encoded id components stay well inside DynamoDB's key limits (1,024 bytes for a sort key, GSIs included). */
export const MAX_ID_BYTES = 512;

const SUMMARY_SUFFIX = 'summary';
const LONE_SURROGATE = /\p{Cs}/u;

function invalidId(field: string, problem: string): AgentryError {
  return new AgentryError('INPUT_INVALID', `${field} ${problem}.`, { details: { field } });
}

/**
 * Escapes one id component. Ids must be non-empty and well-formed Unicode: a lone surrogate would
 * be replaced by U+FFFD on the wire, so two different ids could share one key.
 */
export function encodeKeyPart(value: string, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidId(field, 'must be a non-empty string');
  if (LONE_SURROGATE.test(value)) throw invalidId(field, 'must be well-formed Unicode');
  const encoded = value.replace(/[%#]/g, (char) => (char === '%' ? '%25' : '%23'));
  if (Buffer.byteLength(encoded) > MAX_ID_BYTES) throw invalidId(field, `must be at most ${MAX_ID_BYTES} bytes`);
  return encoded;
}

/** Inverse of encodeKeyPart; undefined for text encodeKeyPart cannot have produced. */
export function decodeKeyPart(encoded: string): string | undefined {
  if (encoded.length === 0 || encoded.includes(SEPARATOR) || /%(?!23|25)/.test(encoded)) return undefined;
  return encoded.replace(/%2[35]/g, (sequence) => (sequence === '%23' ? '#' : '%'));
}

/** `user_id` of agent-memory and `scope_key` of agent-sessions. */
export function scopeKey(scope: Scope): string {
  return `${encodeKeyPart(scope.tenantId, 'tenantId')}${SEPARATOR}${encodeKeyPart(scope.userId, 'userId')}`;
}

/** Inverse of scopeKey; undefined for a partition key scopeKey cannot have produced. */
export function scopeOfKey(key: string): Scope | undefined {
  const parts = key.split(SEPARATOR);
  if (parts.length !== 2) return undefined;
  const [tenantId, userId] = parts.map(decodeKeyPart);
  return tenantId === undefined || userId === undefined ? undefined : { tenantId, userId };
}

export function conversationKey(conversationId: string): string {
  return encodeKeyPart(conversationId, 'conversationId');
}

export function checkSeq(seq: number, field: string): number {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq > MAX_SEQ) {
    throw invalidId(field, `must be an integer from 0 to ${MAX_SEQ}`);
  }
  return seq;
}

export function messageKey(conversationId: string, seq: number): string {
  return `${conversationKey(conversationId)}${SEPARATOR}${String(checkSeq(seq, 'seq')).padStart(SEQ_DIGITS, '0')}`;
}

export function summaryKey(conversationId: string): string {
  return `${conversationKey(conversationId)}${SEPARATOR}${SUMMARY_SUFFIX}`;
}

/** Prefix of every item of the conversation except its header: messages and summary. */
export function conversationItemsPrefix(conversationId: string): string {
  return `${conversationKey(conversationId)}${SEPARATOR}`;
}

/**
 * Inclusive seq bounds of a message read, clamped to 1..MAX_SEQ; undefined when empty. Fractional
 * bounds behave like the memory store's comparisons (`seq > afterSeq`, `seq < beforeSeq`).
 */
export function seqBounds(options: { afterSeq?: number; beforeSeq?: number }): [number, number] | undefined {
  const from = options.afterSeq === undefined ? 1 : Math.max(1, Math.floor(options.afterSeq) + 1);
  const to = options.beforeSeq === undefined ? MAX_SEQ : Math.min(MAX_SEQ, Math.ceil(options.beforeSeq) - 1);
  return Number.isFinite(from) && Number.isFinite(to) && from <= to ? [from, to] : undefined;
}

/** GSI `by-updated` sort key of a conversation header: newest first when read backwards. */
export function updatedKey(updatedAt: string, conversationId: string): string {
  return `${updatedAt}${SEPARATOR}${conversationKey(conversationId)}`;
}

/** The conversation id of a header's sort key, or undefined if it is not a header's key. */
export function conversationIdOfKey(sortKey: string): string | undefined {
  return decodeKeyPart(sortKey);
}

export function runKey(runId: string): { session_id: string; timestamp: number } {
  encodeKeyPart(runId, 'runId');
  return { session_id: runId, timestamp: 0 };
}

/** GSI `by-scope` sort key of a run: newest first when read backwards. */
export function createdKey(createdAt: string, runId: string): string {
  return `${createdAt}${SEPARATOR}${encodeKeyPart(runId, 'runId')}`;
}
