import type { Message } from '../agent/messages.ts';
import { AgentryError, isAgentryError } from '../errors.ts';
import type { JournalEntry, RunRecord } from '../store/runs.ts';
import type { Scope } from '../store/scope.ts';
import type { Store } from '../store/store.ts';
import { Batch, sizeOf } from './batch.ts';
import {
  EXPORT_SCHEMA_VERSION,
  type ExportCounts,
  emptyCounts,
  type ParsedRecord,
  type RecordType,
} from './export-records.ts';
import { invalidLine, parseRecord } from './parse-record.ts';

type Parsed<T extends RecordType> = Extract<ParsedRecord, { type: T }>;

/** Lease owner of runs while their journal is imported. */
export const IMPORT_LEASE_OWNER = 'agentry-import';
/** Long enough for one run's journal; an interrupted import's runs are parked anyway (see openRun). */
const IMPORT_LEASE_MS = 10 * 60_000;

export interface ImportOptions {
  /**
   * Leave conversations that already have messages, and runs that already exist, as they are
   * (with their records in the file) instead of failing.
   */
  skipExisting?: boolean;
  /** Clock for the import's leases, in ms since the epoch. */
  now?: () => number;
}

export interface ImportResult {
  /** Records written. */
  imported: ExportCounts;
  /** Conversations and runs left as they were (skipExisting). */
  skipped: { conversations: number; runs: number };
}

interface ConversationContext {
  kind: 'conversation';
  line: number;
  record: Parsed<'conversation'>;
  scope: Scope;
  skipped: boolean;
  /** Seq of the last message read from the file. */
  seenSeq: number;
  /** The store's lastSeq: messages up to here are written. */
  storedSeq: number;
  batch: Batch<Message>;
}

interface RunContext {
  kind: 'run';
  line: number;
  record: Parsed<'run'>;
  skipped: boolean;
  seenSeq: number;
  storedSeq: number;
  batch: Batch<JournalEntry>;
}

/**
 * Reads an export (export-records.ts) into `store`, whatever its backend. Every line is validated
 * before it is used, and records must come in export order (a message right after its
 * conversation, a journal entry right after its run). Messages and journal entries are appended
 * in batches at their exported seqs, so the seqs come out identical or the import fails.
 *
 * Existing data is never merged into: a conversation that already has messages, or a run id that
 * exists, fails the import (CONVERSATION_CONFLICT, RUN_CONFLICT) unless `skipExisting`.
 *
 * Not atomic: a failure leaves what was imported before it. A file without its end record (cut
 * short) fails at the end, after importing what it held.
 */
export async function importStore(
  store: Store,
  lines: AsyncIterable<string>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const importer = new Importer(store, options);
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    await importer.accept(parseRecord(text, line), line);
  }
  return importer.finish(line);
}

class Importer {
  private readonly result: ImportResult = { imported: emptyCounts(), skipped: { conversations: 0, runs: 0 } };
  /** Records read, imported or skipped: checked against the end record. */
  private readonly read = emptyCounts();
  private started = false;
  private ended = false;
  private context: ConversationContext | RunContext | undefined;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly options: ImportOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async accept(record: ParsedRecord, line: number): Promise<void> {
    if (!this.started) {
      if (record.type !== 'agentry-export') {
        throw invalidLine(line, 'the input does not start with an agentry-export header; is it an Agentry export?');
      }
      if (record.schemaVersion > EXPORT_SCHEMA_VERSION) {
        throw invalidLine(
          line,
          `the export was written by a newer Agentry (export schema version ${record.schemaVersion}; this release ` +
            `reads up to ${EXPORT_SCHEMA_VERSION}). Import it with that release or newer.`,
          { schemaVersion: record.schemaVersion },
        );
      }
      this.started = true;
      return;
    }
    if (this.ended) throw invalidLine(line, `a ${record.type} record after the end record.`);
    switch (record.type) {
      case 'agentry-export':
        throw invalidLine(line, 'a second agentry-export header.');
      case 'conversation':
        await this.close();
        return this.openConversation(record, line);
      case 'message':
        return this.message(record, line);
      case 'summary':
        return this.summary(record, line);
      case 'run':
        await this.close();
        return this.openRun(record, line);
      case 'journal':
        return this.journal(record, line);
      case 'end':
        await this.close();
        this.ended = true;
        for (const [key, expected] of Object.entries(record.counts)) {
          const actual = this.read[key as keyof ExportCounts];
          if (actual !== expected) {
            throw invalidLine(line, `the end record counts ${expected} ${key} but the export holds ${actual}.`);
          }
        }
    }
  }

  finish(lines: number): ImportResult {
    if (!this.started) throw invalidLine(Math.max(1, lines), 'the input is empty: no agentry-export header.');
    if (!this.ended) {
      throw invalidLine(
        lines,
        'the export ends without its end record: it was cut short. What it held up to here was imported.',
      );
    }
    return this.result;
  }

  private async openConversation(record: Parsed<'conversation'>, line: number): Promise<void> {
    const scope: Scope = { tenantId: record.tenantId, userId: record.userId };
    this.read.conversations++;
    const existing = await atLine(line, this.store.conversations.ensureConversation(scope, record.id, record.title));
    const skipped = existing.lastSeq > 0;
    if (skipped && !this.options.skipExisting) {
      throw new AgentryError(
        'CONVERSATION_CONFLICT',
        `Line ${line}: conversation ${record.id} (tenant ${record.tenantId}, user ${record.userId}) already exists ` +
          `with ${existing.lastSeq} messages; the import does not merge into it. Import into an empty store, or ` +
          'skip existing records (agentry import --skip-existing).',
        { details: { line, conversationId: record.id, lastSeq: existing.lastSeq } },
      );
    }
    if (skipped) this.result.skipped.conversations++;
    else this.result.imported.conversations++;
    this.context = {
      kind: 'conversation',
      line,
      record,
      scope,
      skipped,
      seenSeq: 0,
      storedSeq: 0,
      batch: new Batch(),
    };
  }

  private async message(record: Parsed<'message'>, line: number): Promise<void> {
    const context = this.context;
    if (!isCurrentConversation(context, record)) {
      throw invalidLine(
        line,
        `a message of conversation ${record.conversationId} that does not follow its conversation.`,
      );
    }
    expectSeq(line, 'message', record.seq, context.seenSeq, context.record.lastSeq);
    context.seenSeq = record.seq;
    this.read.messages++;
    if (context.skipped) return;
    const size = sizeOf(record.message);
    if (!context.batch.fits(size, record.runId)) await this.flushMessages(context);
    context.batch.add(record.message, size, record.runId, line);
  }

  private async summary(record: Parsed<'summary'>, line: number): Promise<void> {
    const context = this.context;
    if (!isCurrentConversation(context, record)) {
      throw invalidLine(
        line,
        `a summary of conversation ${record.conversationId} that does not follow its conversation.`,
      );
    }
    this.read.summaries++;
    if (context.skipped) return;
    await this.flushMessages(context);
    const summary = { throughSeq: record.throughSeq, text: record.text, createdAt: record.createdAt };
    await atLine(line, this.store.conversations.saveSummary(context.scope, context.record.id, summary));
    this.result.imported.summaries++;
  }

  /**
   * The run is created holding a lease for IMPORT_LEASE_OWNER, so its journal can be appended.
   * A `running` run is parked as `waiting_approval` meanwhile: no resumer may take it while its
   * journal is incomplete (it would repeat the steps not imported yet), not even after an
   * interrupted import. Closing the run sets the exported status and releases the lease.
   */
  private async openRun(record: Parsed<'run'>, line: number): Promise<void> {
    this.read.runs++;
    const { type: _type, schemaVersion: _version, leaseOwner: _owner, leaseExpiresAt: _expires, ...fields } = record;
    const run: Omit<RunRecord, 'schemaVersion'> = {
      ...fields,
      status: record.status === 'running' ? 'waiting_approval' : record.status,
      leaseOwner: IMPORT_LEASE_OWNER,
      leaseExpiresAt: this.now() + IMPORT_LEASE_MS,
    };
    let skipped = false;
    try {
      await this.store.runs.createRun(run);
    } catch (error) {
      if (!isAgentryError(error) || error.code !== 'RUN_CONFLICT') throw withLine(line, error);
      if (!this.options.skipExisting) {
        throw new AgentryError(
          'RUN_CONFLICT',
          `Line ${line}: run ${record.id} already exists; the import does not overwrite it. Import into an empty ` +
            'store, or skip existing records (agentry import --skip-existing).',
          { details: { line, runId: record.id } },
        );
      }
      skipped = true;
    }
    if (skipped) this.result.skipped.runs++;
    else this.result.imported.runs++;
    this.context = { kind: 'run', line, record, skipped, seenSeq: 0, storedSeq: 0, batch: new Batch() };
  }

  private async journal(record: Parsed<'journal'>, line: number): Promise<void> {
    const context = this.context;
    if (context?.kind !== 'run' || context.record.id !== record.runId) {
      throw invalidLine(line, `a journal entry of run ${record.runId} that does not follow its run.`);
    }
    expectSeq(line, 'journal entry', record.seq, context.seenSeq);
    context.seenSeq = record.seq;
    this.read.journalEntries++;
    if (context.skipped) return;
    const size = sizeOf(record.entry);
    if (!context.batch.fits(size, undefined)) await this.flushJournal(context);
    context.batch.add(record.entry, size, undefined, line);
  }

  /** Ends the current conversation or run: writes what is pending and checks it is complete. */
  private async close(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    if (context?.kind === 'conversation') {
      if (context.seenSeq !== context.record.lastSeq) {
        throw invalidLine(
          context.line,
          `conversation ${context.record.id} has lastSeq ${context.record.lastSeq} but the export holds ` +
            `${context.seenSeq} of its messages.`,
        );
      }
      if (!context.skipped) await this.flushMessages(context);
    } else if (context?.kind === 'run' && !context.skipped) {
      await this.flushJournal(context);
      const { record } = context;
      const patch: Parameters<Store['runs']['finishRun']>[2] = {
        status: record.status,
        ...(record.text === undefined ? {} : { text: record.text }),
        ...(record.usage === undefined ? {} : { usage: record.usage }),
        ...(record.error === undefined ? {} : { error: record.error }),
      };
      await atLine(context.line, this.store.runs.finishRun(record.id, IMPORT_LEASE_OWNER, patch));
    }
  }

  private async flushMessages(context: ConversationContext): Promise<void> {
    const { items, key: runId, firstLine } = context.batch.take();
    if (items.length === 0) return;
    const expected = context.storedSeq + items.length;
    const { lastSeq } = await atLine(
      firstLine,
      this.store.conversations.appendMessages(context.scope, context.record.id, context.storedSeq, items, runId),
    );
    if (lastSeq !== expected) {
      throw new AgentryError(
        'STORE_CORRUPT',
        `Line ${firstLine}: messages of conversation ${context.record.id} landed at seqs up to ${lastSeq}, ` +
          `not ${expected} as exported. The import stopped.`,
        { details: { line: firstLine, conversationId: context.record.id, expected, lastSeq } },
      );
    }
    context.storedSeq = lastSeq;
    this.result.imported.messages += items.length;
  }

  private async flushJournal(context: RunContext): Promise<void> {
    const { items, firstLine } = context.batch.take();
    if (items.length === 0) return;
    // Conditional on the journal's last seq: entries land exactly at their exported seqs or fail.
    await atLine(
      firstLine,
      this.store.runs.appendJournal(context.record.id, IMPORT_LEASE_OWNER, context.storedSeq, items),
    );
    context.storedSeq += items.length;
    this.result.imported.journalEntries += items.length;
  }
}

function isCurrentConversation(
  context: ConversationContext | RunContext | undefined,
  record: { tenantId: string; userId: string; conversationId: string },
): context is ConversationContext {
  return (
    context?.kind === 'conversation' &&
    context.record.id === record.conversationId &&
    context.record.tenantId === record.tenantId &&
    context.record.userId === record.userId
  );
}

/** Seqs run 1, 2, 3… without gaps, and messages stop at the conversation's lastSeq. */
function expectSeq(line: number, what: string, seq: number, previous: number, last?: number): void {
  if (seq !== previous + 1)
    throw invalidLine(line, `${what} seq ${seq} follows seq ${previous}; expected ${previous + 1}.`);
  if (last !== undefined && seq > last) throw invalidLine(line, `${what} seq ${seq} is beyond lastSeq ${last}.`);
}

/** Store failures keep their code (MESSAGE_TOO_LARGE, STORE_UNAVAILABLE…) and gain the line number. */
function withLine(line: number, error: unknown): unknown {
  if (!isAgentryError(error)) return error;
  return new AgentryError(error.code, `Line ${line}: ${error.message}`, {
    retryable: error.retryable,
    cause: error,
    details: { ...error.details, line },
  });
}

async function atLine<T>(line: number, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw withLine(line, error);
  }
}
