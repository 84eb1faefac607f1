import { AgentryError } from '../errors.ts';
import type { Conversation } from '../store/conversations.ts';
import type { RunRecord } from '../store/runs.ts';
import type { Scope } from '../store/scope.ts';
import type { Store } from '../store/store.ts';
import { EXPORT_SCHEMA_VERSION, type ExportCounts, type ExportRecord, emptyCounts } from './export-records.ts';

/** Receives one JSON line, without its newline; awaited, so a slow sink slows the export down. */
export type WriteLine = (line: string) => void | Promise<void>;

export interface ExportOptions {
  now?: () => Date;
}

/** Conversations and runs read per listing request (the stores' largest page). */
const LIST_PAGE = 100;
/** Messages read per request: a long conversation is streamed, never loaded whole. */
const MESSAGE_PAGE = 500;

/**
 * Writes every conversation (with its messages and summary) and every run (with its journal) of
 * the store, across all tenants and users, as JSON lines (format: export-records.ts).
 *
 * Not a snapshot: each conversation is exported up to the lastSeq it had when listed, and records
 * written meanwhile may or may not appear. Stop writers (or use the backend's own backup, see
 * docs/OPERATIONS.md) for a point-in-time copy. A conversation that loses messages while it is
 * read (deleted concurrently) fails the export with CONVERSATION_CONFLICT: run it again.
 */
export async function exportStore(store: Store, write: WriteLine, options: ExportOptions = {}): Promise<ExportCounts> {
  const counts = emptyCounts();
  const emit = async (record: ExportRecord) => write(JSON.stringify(record));
  const exportedAt = (options.now?.() ?? new Date()).toISOString();
  await emit({ type: 'agentry-export', schemaVersion: EXPORT_SCHEMA_VERSION, exportedAt });

  let cursor: string | undefined;
  do {
    const page = await store.conversations.listAllConversations({ limit: LIST_PAGE, ...(cursor ? { cursor } : {}) });
    for (const conversation of page.items) {
      await emit(conversationLine(conversation));
      counts.conversations++;
      counts.messages += await exportMessages(store, conversation, emit);
      const scope: Scope = { tenantId: conversation.tenantId, userId: conversation.userId };
      const summary = await store.conversations.getSummary(scope, conversation.id);
      if (summary) {
        await emit({
          type: 'summary',
          ...scope,
          conversationId: conversation.id,
          schemaVersion: summary.schemaVersion,
          throughSeq: summary.throughSeq,
          text: summary.text,
          createdAt: summary.createdAt,
        });
        counts.summaries++;
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);

  cursor = undefined;
  do {
    const page = await store.runs.listAllRuns({ limit: LIST_PAGE, ...(cursor ? { cursor } : {}) });
    for (const run of page.items) {
      await emit(runLine(run));
      counts.runs++;
      // Journals have no paged read; they grow with a run's steps, not with its conversation.
      for (const record of await store.runs.loadJournal(run.id)) {
        await emit({
          type: 'journal',
          runId: run.id,
          seq: record.seq,
          entry: record.entry,
          createdAt: record.createdAt,
        });
        counts.journalEntries++;
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);

  await emit({ type: 'end', counts: { ...counts } });
  return counts;
}

/** Messages 1..lastSeq (as listed), in pages; a gap means the conversation changed under us. */
async function exportMessages(
  store: Store,
  conversation: Conversation,
  emit: (record: ExportRecord) => Promise<void>,
): Promise<number> {
  const scope: Scope = { tenantId: conversation.tenantId, userId: conversation.userId };
  let seq = 0;
  while (seq < conversation.lastSeq) {
    const beforeSeq = Math.min(conversation.lastSeq, seq + MESSAGE_PAGE) + 1;
    const page = await store.conversations.loadMessages(scope, conversation.id, { afterSeq: seq, beforeSeq });
    if (page.length === 0) throw changedDuringExport(conversation, seq + 1);
    for (const stored of page) {
      if (stored.seq !== seq + 1) throw changedDuringExport(conversation, seq + 1);
      seq = stored.seq;
      await emit({
        type: 'message',
        ...scope,
        conversationId: conversation.id,
        seq: stored.seq,
        message: stored.message,
        ...(stored.runId === undefined ? {} : { runId: stored.runId }),
        createdAt: stored.createdAt,
      });
    }
  }
  return seq;
}

/** Fields in a fixed order, whatever order the backend built them in, so exports diff cleanly. */
function conversationLine(conversation: Conversation): ExportRecord {
  return {
    type: 'conversation',
    schemaVersion: conversation.schemaVersion,
    id: conversation.id,
    tenantId: conversation.tenantId,
    userId: conversation.userId,
    title: conversation.title,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    lastSeq: conversation.lastSeq,
  };
}

function runLine(run: RunRecord): ExportRecord {
  return {
    type: 'run',
    schemaVersion: run.schemaVersion,
    id: run.id,
    tenantId: run.tenantId,
    userId: run.userId,
    agent: run.agent,
    conversationId: run.conversationId,
    query: run.query,
    status: run.status,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    ...(run.leaseOwner === undefined ? {} : { leaseOwner: run.leaseOwner }),
    ...(run.leaseExpiresAt === undefined ? {} : { leaseExpiresAt: run.leaseExpiresAt }),
    ...(run.text === undefined ? {} : { text: run.text }),
    ...(run.usage === undefined ? {} : { usage: run.usage }),
    ...(run.error === undefined ? {} : { error: run.error }),
  };
}

function changedDuringExport(conversation: Conversation, missingSeq: number): AgentryError {
  return new AgentryError(
    'CONVERSATION_CONFLICT',
    `Conversation ${conversation.id} (tenant ${conversation.tenantId}, user ${conversation.userId}) changed during ` +
      `the export: message ${missingSeq} of ${conversation.lastSeq} is gone. Run the export again.`,
    { retryable: true, details: { conversationId: conversation.id, missingSeq } },
  );
}
