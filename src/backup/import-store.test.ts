import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS } from '../store/conversations.ts';
import { createMemoryStore } from '../store/memory/memory-store.ts';
import type { Store } from '../store/store.ts';
import { MAX_BATCH_ITEMS } from './batch.ts';
import { IMPORT_LEASE_OWNER, type ImportOptions, importStore } from './import-store.ts';
import {
  ALICE,
  AWKWARD,
  BOB,
  CAROL,
  comparable,
  exportLines,
  fillStore,
  linesOf,
  user,
} from './testing/backup-fixtures.ts';

async function filledExport(options: { longConversation?: number } = {}): Promise<string[]> {
  const source = createMemoryStore();
  await fillStore(source, options);
  return exportLines(source);
}

const importInto = (store: Store, lines: readonly string[], options?: ImportOptions) =>
  importStore(store, linesOf(lines), options);

/** Replaces line `index` (0-based) by `edit` applied to its parsed record. */
function editLine(
  lines: readonly string[],
  index: number,
  edit: (record: Record<string, unknown>) => unknown,
): string[] {
  const copy = [...lines];
  copy[index] = JSON.stringify(edit(JSON.parse(lines[index]!) as Record<string, unknown>));
  return copy;
}

const indexOfType = (lines: readonly string[], type: string) =>
  lines.findIndex((line) => (JSON.parse(line) as { type: string }).type === type);

describe('importStore', () => {
  it('round-trips a store exactly, apart from the timestamps stores assign', async () => {
    const lines = await filledExport();
    const target = createMemoryStore();
    const result = await importInto(target, lines);
    expect(result).toEqual({
      imported: { conversations: 4, messages: 8, summaries: 1, runs: 4, journalEntries: 7 },
      skipped: { conversations: 0, runs: 0 },
    });
    expect(comparable(await exportLines(target))).toEqual(comparable(lines));
    const [stored] = await target.conversations.loadMessages(ALICE, 'c1', { afterSeq: 4 });
    expect(stored?.message).toEqual(user(AWKWARD));
  });

  it('imports runs in their exported state: finished, waiting, and running ones resumable at once', async () => {
    const target = createMemoryStore();
    await importInto(target, await filledExport());
    expect(await target.runs.getRunById('run-ok')).toMatchObject({ status: 'succeeded', text: '25 × 47 = 1175.' });
    expect((await target.runs.getRunById('run-failed'))?.error).toEqual({
      code: 'MODEL_THROTTLED',
      message: 'Slow down.',
      retryable: true,
      details: { attempts: 3 },
    });
    expect((await target.runs.getRunById('run-waiting'))?.status).toBe('waiting_approval');
    const running = await target.runs.getRunById('run-running');
    expect(running?.status).toBe('running');
    expect(running?.leaseOwner).toBeUndefined();
    const abandoned = await target.runs.listAbandonedRuns(Date.now());
    expect(abandoned.map((run) => run.id)).toEqual(['run-running']);
    expect(await target.runs.acquireLease('run-running', 'resumer', Date.now(), 1_000)).toBe(true);
    expect((await target.runs.loadJournal('run-running')).map((record) => record.entry.kind)).toEqual([
      'model-step',
      'tool-started',
    ]);
    // Nothing is left leased to the importer.
    for (const id of ['run-ok', 'run-failed', 'run-waiting']) {
      expect((await target.runs.getRunById(id))?.leaseOwner).not.toBe(IMPORT_LEASE_OWNER);
    }
  });

  it('appends a long conversation in batches DynamoDB accepts, at identical seqs, split where the run changes', async () => {
    const lines = await filledExport({ longConversation: 250 });
    const target = createMemoryStore();
    const sizes: number[] = [];
    const append = target.conversations.appendMessages.bind(target.conversations);
    target.conversations.appendMessages = async (scope, id, expected, messages, runId) => {
      if (id === 'long') sizes.push(messages.length);
      return append(scope, id, expected, messages, runId);
    };
    await importInto(target, lines);
    // Runs `run-0`, `run-100`, `run-200` wrote 50 messages each; the 50 after each have no run.
    expect(sizes).toEqual([50, 50, 50, 50, 50]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_BATCH_ITEMS);
    const messages = await target.conversations.loadMessages(CAROL, 'long');
    expect(messages.map((stored) => stored.seq)).toEqual(Array.from({ length: 250 }, (_, index) => index + 1));
    expect(messages[120]?.message).toEqual(user('message 121'));
    expect(messages[100]?.runId).toBe('run-100');
    expect(messages[150]?.runId).toBeUndefined();
  });

  it('never puts more than 99 messages in one append', async () => {
    const source = createMemoryStore();
    await source.conversations.ensureConversation(ALICE, 'big');
    await source.conversations.appendMessages(
      ALICE,
      'big',
      0,
      Array.from({ length: 250 }, (_, index) => user(`m${index + 1}`)),
    );
    const target = createMemoryStore();
    const sizes: number[] = [];
    const append = target.conversations.appendMessages.bind(target.conversations);
    target.conversations.appendMessages = async (scope, id, expected, messages, runId) => {
      sizes.push(messages.length);
      return append(scope, id, expected, messages, runId);
    };
    await importInto(target, await exportLines(source));
    expect(sizes).toEqual([99, 99, 52]);
  });

  describe('refuses bad input with the line number and the field', () => {
    it('a line that is not JSON', async () => {
      const lines = await filledExport();
      lines.splice(2, 0, '{"type":"message",');
      await expect(importInto(createMemoryStore(), lines)).rejects.toMatchObject({
        code: 'INPUT_INVALID',
        message: expect.stringMatching(/^Line 3: not valid JSON/),
        details: { line: 3 },
      });
    });

    it('an unknown record type, or none', async () => {
      const lines = await filledExport();
      const unknown = editLine(lines, 1, (record) => ({ ...record, type: 'frobnicate' }));
      await expect(importInto(createMemoryStore(), unknown)).rejects.toThrow(
        /^Line 2: unknown record type "frobnicate"; expected one of agentry-export, conversation/,
      );
      const missing = editLine(lines, 1, ({ type: _type, ...record }) => record);
      await expect(importInto(createMemoryStore(), missing)).rejects.toThrow('Line 2: field type is missing.');
    });

    it('fields of the wrong type, missing or unknown', async () => {
      const lines = await filledExport();
      const message = indexOfType(lines, 'message');
      const wrongSeq = editLine(lines, message, (record) => ({ ...record, seq: '1' }));
      await expect(importInto(createMemoryStore(), wrongSeq)).rejects.toThrow(
        new RegExp(`^Line ${message + 1}: invalid message record: seq: .*expected number, received string`),
      );
      const badBlock = editLine(lines, message, (record) => ({
        ...record,
        message: { role: 'user', content: [{ type: 'text', text: 42 }] },
      }));
      await expect(importInto(createMemoryStore(), badBlock)).rejects.toThrow(/message\.content\.0\.text: /);
      const run = indexOfType(lines, 'run');
      const badStatus = editLine(lines, run, (record) => ({ ...record, status: 'exploded', extra: true }));
      const error = await importInto(createMemoryStore(), badStatus).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'INPUT_INVALID', details: { line: run + 1, type: 'run' } });
      expect(String((error as Error).message)).toMatch(/status: /);
      expect(String((error as Error).message)).toMatch(/Unrecognized key: "extra"/);
      const noTitle = editLine(lines, 1, ({ title: _title, ...record }) => record);
      await expect(importInto(createMemoryStore(), noTitle)).rejects.toThrow(
        /^Line 2: invalid conversation record: title: /,
      );
      const badDate = editLine(lines, 1, (record) => ({ ...record, createdAt: 'yesterday' }));
      await expect(importInto(createMemoryStore(), badDate)).rejects.toThrow(/createdAt: /);
    });

    it('an export from a newer Agentry, before writing anything', async () => {
      const lines = await filledExport();
      const target = createMemoryStore();
      const newer = editLine(lines, 0, (record) => ({ ...record, schemaVersion: 2 }));
      await expect(importInto(target, newer)).rejects.toThrow(
        'Line 1: the export was written by a newer Agentry (export schema version 2; this release reads up to 1).',
      );
      expect((await target.conversations.listAllConversations()).items).toEqual([]);
      const newerRecord = editLine(lines, 1, (record) => ({ ...record, schemaVersion: 2 }));
      await expect(importInto(target, newerRecord)).rejects.toThrow(
        /^Line 2: invalid conversation record: schemaVersion: is newer than this release reads \(up to 1\)/,
      );
    });

    it('a file that does not start with the header, or is empty', async () => {
      const lines = await filledExport();
      await expect(importInto(createMemoryStore(), lines.slice(1))).rejects.toThrow(
        'Line 1: the input does not start with an agentry-export header',
      );
      await expect(importInto(createMemoryStore(), [])).rejects.toThrow('the input is empty');
      await expect(importInto(createMemoryStore(), [...lines, lines[0]!])).rejects.toThrow(/after the end record/);
    });

    it('a file cut short', async () => {
      const lines = await filledExport();
      await expect(importInto(createMemoryStore(), lines.slice(0, -1))).rejects.toThrow(
        `Line ${lines.length - 1}: the export ends without its end record: it was cut short.`,
      );
      const counts = editLine(lines, lines.length - 1, (record) => ({
        ...record,
        counts: { ...(record['counts'] as object), messages: 99 },
      }));
      await expect(importInto(createMemoryStore(), counts)).rejects.toThrow(/end record counts 99 messages/);
    });

    it('messages out of order, missing, or away from their conversation', async () => {
      const lines = await filledExport();
      const first = indexOfType(lines, 'message');
      const swapped = [...lines];
      [swapped[first], swapped[first + 1]] = [lines[first + 1]!, lines[first]!];
      await expect(importInto(createMemoryStore(), swapped)).rejects.toThrow(
        `Line ${first + 1}: message seq 2 follows seq 0; expected 1.`,
      );
      const missing = lines.filter((_, index) => index !== first + 4);
      await expect(importInto(createMemoryStore(), missing)).rejects.toThrow(/has lastSeq 5 but the export holds 4/);
      const stray = editLine(lines, first, (record) => ({ ...record, userId: 'mallory' }));
      await expect(importInto(createMemoryStore(), stray)).rejects.toThrow(/does not follow its conversation/);
    });

    it('a message the store refuses, with the store error code and the line', async () => {
      const lines = await filledExport();
      const first = indexOfType(lines, 'message');
      const huge = editLine(lines, first, (record) => ({ ...record, message: user('x'.repeat(MAX_MESSAGE_CHARS)) }));
      await expect(importInto(createMemoryStore(), huge)).rejects.toMatchObject({
        code: 'MESSAGE_TOO_LARGE',
        message: expect.stringMatching(new RegExp(`^Line ${first + 1}: Message 1 is`)),
      });
    });
  });

  describe('existing data', () => {
    it('refuses to import twice, naming the conversation', async () => {
      const lines = await filledExport();
      const target = createMemoryStore();
      await importInto(target, lines);
      await expect(importInto(target, lines)).rejects.toMatchObject({
        code: 'CONVERSATION_CONFLICT',
        message: expect.stringMatching(
          /^Line 2: conversation c1 \(tenant acme, user alice\) already exists with 5 messages/,
        ),
      });
      expect((await target.conversations.getConversation(ALICE, 'c1'))?.lastSeq).toBe(5);
    });

    it('refuses an existing run id', async () => {
      const lines = await filledExport();
      const target = createMemoryStore();
      await target.runs.createRun({
        id: 'run-ok',
        ...BOB,
        agent: 'other',
        conversationId: 'x',
        query: 'q',
        status: 'succeeded',
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      });
      await expect(importInto(target, lines)).rejects.toMatchObject({
        code: 'RUN_CONFLICT',
        message: expect.stringContaining('run run-ok already exists'),
      });
    });

    it('with skipExisting, leaves existing records as they are and imports the rest', async () => {
      const lines = await filledExport();
      const target = createMemoryStore();
      await target.conversations.ensureConversation(ALICE, 'c1', 'mine');
      await target.conversations.appendMessages(ALICE, 'c1', 0, [user('already here')]);
      const result = await importInto(target, lines, { skipExisting: true });
      expect(result.skipped).toEqual({ conversations: 1, runs: 0 });
      expect(result.imported).toMatchObject({ conversations: 3, messages: 3, summaries: 0, runs: 4 });
      expect((await target.conversations.loadMessages(ALICE, 'c1')).map((stored) => stored.message)).toEqual([
        user('already here'),
      ]);
      const again = await importInto(target, lines, { skipExisting: true });
      expect(again.imported).toEqual({ conversations: 1, messages: 0, summaries: 0, runs: 0, journalEntries: 0 });
      expect(again.skipped).toEqual({ conversations: 3, runs: 4 });
    });

    it('imports into an existing empty conversation', async () => {
      const target = createMemoryStore();
      await target.conversations.ensureConversation(BOB, 'c1');
      const result = await importInto(target, await filledExport());
      expect(result.skipped.conversations).toBe(0);
      expect((await target.conversations.getConversation(BOB, 'c1'))?.lastSeq).toBe(1);
    });
  });
});
