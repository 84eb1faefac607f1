import { z } from 'zod';
import type { Message } from '../agent/messages.ts';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';
import { CONVERSATION_SCHEMA_VERSION, type Conversation, type ConversationSummary } from '../store/conversations.ts';
import { type JournalEntry, RUN_SCHEMA_VERSION, type RunRecord } from '../store/runs.ts';

/**
 * The export format: JSON lines, one record each, in this order:
 *
 *   agentry-export                     the header: format version and when it was written
 *   conversation                       per conversation, then its records:
 *     message…                           its messages in seq order, 1..lastSeq
 *     summary                            its summary, if any
 *   run                                per run, then:
 *     journal…                           its journal entries in seq order
 *   end                                counts of every record type: a file without it is truncated
 *
 * Envelopes are strict (an unknown field is refused, not dropped); message content, journal
 * entries, usage and error details pass through with any extra fields they carry, so nothing of a
 * stored value is lost. Bump EXPORT_SCHEMA_VERSION on any change a previous release cannot read.
 */
export const EXPORT_SCHEMA_VERSION = 1;

export const RECORD_TYPES = ['agentry-export', 'conversation', 'message', 'summary', 'run', 'journal', 'end'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface ExportCounts {
  conversations: number;
  messages: number;
  summaries: number;
  runs: number;
  journalEntries: number;
}

export const emptyCounts = (): ExportCounts => ({
  conversations: 0,
  messages: 0,
  summaries: 0,
  runs: 0,
  journalEntries: 0,
});

const id = z.string().min(1);
const timestamp = z.iso.datetime({ offset: true });
const count = z.number().int().min(0);
const recordVersion = (supported: number) =>
  z
    .number()
    .int()
    .min(1)
    .max(supported, { error: `is newer than this release reads (up to ${supported}); upgrade Agentry` });

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const toolCallBlock = z.looseObject({
  type: z.literal('tool-call'),
  toolCallId: z.string(),
  toolName: z.string(),
  input: z.unknown(),
});
const toolResultBlock = z.looseObject({
  type: z.literal('tool-result'),
  toolCallId: z.string(),
  toolName: z.string(),
  output: z.unknown(),
  isError: z.boolean(),
});

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('user'), content: z.array(textBlock) }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.array(z.discriminatedUnion('type', [textBlock, toolCallBlock])),
  }),
  z.looseObject({ role: z.literal('tool'), content: z.array(toolResultBlock) }),
]);

const usage = z.looseObject({
  inputTokens: z.number(),
  outputTokens: z.number(),
  totalTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
});

const journalEntry = z.discriminatedUnion('kind', [
  z.looseObject({
    kind: z.literal('model-step'),
    step: z.number(),
    text: z.string(),
    toolCalls: z.array(toolCallBlock.extend({ inputError: z.string().exactOptional() })),
    finishReason: z.string(),
    usage,
  }),
  z.looseObject({ kind: z.literal('tool-started'), step: z.number(), toolCallId: z.string(), toolName: z.string() }),
  z.looseObject({ kind: z.literal('tool-result'), step: z.number(), result: toolResultBlock, durationMs: z.number() }),
]);

const errorCode = z.custom<ErrorCode>((value) => typeof value === 'string' && Object.hasOwn(ERROR_CODES, value), {
  error: 'is not an Agentry error code',
});

const errorJson = z.strictObject({
  code: errorCode,
  message: z.string(),
  retryable: z.boolean(),
  details: z.record(z.string(), z.unknown()).exactOptional(),
});

export const headerRecord = z.strictObject({
  type: z.literal('agentry-export'),
  schemaVersion: z.number().int().min(1),
  exportedAt: timestamp,
});

export const conversationRecord = z.strictObject({
  type: z.literal('conversation'),
  schemaVersion: recordVersion(CONVERSATION_SCHEMA_VERSION),
  id,
  tenantId: id,
  userId: id,
  title: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
  lastSeq: count,
});

export const messageRecord = z.strictObject({
  type: z.literal('message'),
  tenantId: id,
  userId: id,
  conversationId: id,
  seq: z.number().int().min(1),
  message,
  runId: id.exactOptional(),
  createdAt: timestamp,
});

export const summaryRecord = z.strictObject({
  type: z.literal('summary'),
  tenantId: id,
  userId: id,
  conversationId: id,
  schemaVersion: recordVersion(CONVERSATION_SCHEMA_VERSION),
  throughSeq: count,
  text: z.string(),
  createdAt: timestamp,
});

export const runRecord = z.strictObject({
  type: z.literal('run'),
  schemaVersion: recordVersion(RUN_SCHEMA_VERSION),
  id,
  tenantId: id,
  userId: id,
  agent: z.string(),
  conversationId: id,
  query: z.string(),
  status: z.enum(['running', 'waiting_approval', 'succeeded', 'failed', 'cancelled', 'max_iterations']),
  createdAt: timestamp,
  updatedAt: timestamp,
  leaseOwner: z.string().exactOptional(),
  leaseExpiresAt: z.number().exactOptional(),
  text: z.string().exactOptional(),
  usage: usage.exactOptional(),
  error: errorJson.exactOptional(),
});

export const journalRecord = z.strictObject({
  type: z.literal('journal'),
  runId: id,
  seq: z.number().int().min(1),
  entry: journalEntry,
  createdAt: timestamp,
});

export const endRecord = z.strictObject({
  type: z.literal('end'),
  counts: z.strictObject({
    conversations: count,
    messages: count,
    summaries: count,
    runs: count,
    journalEntries: count,
  }),
});

export const RECORD_SCHEMAS = {
  'agentry-export': headerRecord,
  conversation: conversationRecord,
  message: messageRecord,
  summary: summaryRecord,
  run: runRecord,
  journal: journalRecord,
  end: endRecord,
} as const satisfies Record<RecordType, z.ZodType>;

/** A line as read back and validated (nested values keep any extra fields they carry). */
export type ParsedRecord = { [K in RecordType]: z.infer<(typeof RECORD_SCHEMAS)[K]> }[RecordType];

/** A line as the exporter writes it, from the stores' own types. */
export type ExportRecord =
  | { type: 'agentry-export'; schemaVersion: number; exportedAt: string }
  | ({ type: 'conversation' } & Conversation)
  | {
      type: 'message';
      tenantId: string;
      userId: string;
      conversationId: string;
      seq: number;
      message: Message;
      runId?: string;
      createdAt: string;
    }
  | ({ type: 'summary'; tenantId: string; userId: string; conversationId: string } & ConversationSummary)
  | ({ type: 'run' } & RunRecord)
  | { type: 'journal'; runId: string; seq: number; entry: JournalEntry; createdAt: string }
  | { type: 'end'; counts: ExportCounts };
