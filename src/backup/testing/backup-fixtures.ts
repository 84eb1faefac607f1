import type { Message } from '../../agent/messages.ts';
import type { JournalEntry, RunRecord } from '../../store/runs.ts';
import type { Scope } from '../../store/scope.ts';
import type { Store } from '../../store/store.ts';
import { exportStore } from '../export-store.ts';

export const ALICE: Scope = { tenantId: 'acme', userId: 'alice' };
export const BOB: Scope = { tenantId: 'acme', userId: 'bob' };
export const CAROL: Scope = { tenantId: 'globex', userId: 'carol' };

/** Text no storage layer should alter: NUL, emoji, quotes, backslashes, JSON look-alikes, newlines. */
export const AWKWARD = 'héllo 👋 "quoted" \\ back\\slash \u0000 nul {"not":"json"} \'single\' \n new line\r\n';
/**
 * The same without NUL, for plain text fields (titles, summaries, run queries and answers): the SQL
 * stores keep those in `text` columns, which PostgreSQL refuses NUL in (INPUT_INVALID). Message
 * bodies and journal entries are stored as JSON text, where NUL is escaped.
 */
export const AWKWARD_TEXT = AWKWARD.replace('\u0000', '\\0');

const usage = { inputTokens: 12, outputTokens: 7, totalTokens: 19, cacheReadTokens: 3, cacheWriteTokens: 0 };

export const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

const toolTurn = (id: string): Message[] => [
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Let me compute.' },
      { type: 'tool-call', toolCallId: id, toolName: 'calculate', input: { expression: '25 * 47' } },
    ],
  },
  {
    role: 'tool',
    content: [
      {
        type: 'tool-result',
        toolCallId: id,
        toolName: 'calculate',
        output: { expression: '25 * 47', result: 1175, note: AWKWARD },
        isError: false,
      },
    ],
  },
  { role: 'assistant', content: [{ type: 'text', text: '25 × 47 = 1175.' }] },
];

const journal: JournalEntry[] = [
  {
    kind: 'model-step',
    step: 1,
    text: 'Let me compute.',
    toolCalls: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'calculate', input: { expression: '25 * 47' } }],
    finishReason: 'tool-calls',
    usage,
  },
  { kind: 'tool-started', step: 1, toolCallId: 'call_1', toolName: 'calculate' },
  {
    kind: 'tool-result',
    step: 1,
    durationMs: 2,
    result: {
      type: 'tool-result',
      toolCallId: 'call_1',
      toolName: 'calculate',
      output: { result: 1175 },
      isError: false,
    },
  },
  { kind: 'model-step', step: 2, text: '25 × 47 = 1175.', toolCalls: [], finishReason: 'stop', usage },
];

function run(scope: Scope, overrides: Partial<Omit<RunRecord, 'schemaVersion'>>): Omit<RunRecord, 'schemaVersion'> {
  return {
    id: 'run-x',
    ...scope,
    agent: 'assistant',
    conversationId: 'c1',
    query: 'What is 25 * 47?',
    status: 'running',
    createdAt: '2026-01-02T03:04:05.678Z',
    updatedAt: '2026-01-02T03:04:05.678Z',
    leaseOwner: 'worker-1',
    leaseExpiresAt: Date.parse('2026-01-02T03:05:00.000Z'),
    ...overrides,
  };
}

/**
 * A small but awkward store: conversations of three users in two tenants (one id shared by two
 * scopes), tool-call and tool-result blocks, awkward text, a summary, an empty conversation, and
 * runs in every interesting state: succeeded with a journal, failed with an error, waiting for
 * approval, and still running (its process died) with a partial journal.
 */
export async function fillStore(store: Store, options: { longConversation?: number } = {}): Promise<void> {
  const { conversations, runs } = store;
  await conversations.ensureConversation(ALICE, 'c1', `Maths ${AWKWARD_TEXT}`);
  await conversations.appendMessages(ALICE, 'c1', 0, [user('What is 25 * 47?'), ...toolTurn('call_1')], 'run-ok');
  await conversations.appendMessages(ALICE, 'c1', 4, [user(AWKWARD)]);
  await conversations.saveSummary(ALICE, 'c1', {
    throughSeq: 4,
    text: `Alice asked for 25 * 47. ${AWKWARD_TEXT}`,
    createdAt: '2026-01-02T03:10:00.000Z',
  });
  await conversations.ensureConversation(BOB, 'c1', 'Same id, other user');
  await conversations.appendMessages(BOB, 'c1', 0, [user('hello from bob')]);
  await conversations.ensureConversation(CAROL, 'empty', '');
  await conversations.ensureConversation(CAROL, 'c#2%', 'id with key separators');
  await conversations.appendMessages(CAROL, 'c#2%', 0, [user('a'), user('b')], 'run-running');
  const long = options.longConversation ?? 0;
  if (long > 0) {
    await conversations.ensureConversation(CAROL, 'long', 'many messages');
    for (let seq = 0; seq < long; seq += 50) {
      const count = Math.min(50, long - seq);
      const batch = Array.from({ length: count }, (_, index) => user(`message ${seq + index + 1}`));
      await conversations.appendMessages(CAROL, 'long', seq, batch, seq % 100 === 0 ? `run-${seq}` : undefined);
    }
  }

  await runs.createRun(run(ALICE, { id: 'run-ok' }));
  await runs.appendJournal('run-ok', 'worker-1', 0, journal);
  await runs.finishRun('run-ok', 'worker-1', { status: 'succeeded', text: '25 × 47 = 1175.', usage });

  await runs.createRun(run(BOB, { id: 'run-failed', conversationId: 'c1', query: AWKWARD_TEXT }));
  await runs.finishRun('run-failed', 'worker-1', {
    status: 'failed',
    error: { code: 'MODEL_THROTTLED', message: 'Slow down.', retryable: true, details: { attempts: 3 } },
  });

  await runs.createRun(run(CAROL, { id: 'run-waiting', conversationId: 'c#2%' }));
  await runs.appendJournal('run-waiting', 'worker-1', 0, journal.slice(0, 1));
  await runs.finishRun('run-waiting', 'worker-1', { status: 'waiting_approval' });

  await runs.createRun(run(CAROL, { id: 'run-running', conversationId: 'c#2%' }));
  await runs.appendJournal('run-running', 'worker-1', 0, journal.slice(0, 2));
}

/** The export of `store` as lines, without newlines. */
export async function exportLines(store: Store): Promise<string[]> {
  const lines: string[] = [];
  await exportStore(store, (line) => {
    lines.push(line);
  });
  return lines;
}

export async function* linesOf(lines: readonly string[]): AsyncGenerator<string> {
  yield* lines;
}

/**
 * Fields an import cannot carry over through the Store API, dropped before comparing exports:
 * - `exportedAt` of the header;
 * - `createdAt`/`updatedAt` of conversations, `createdAt` of messages and journal entries: the
 *   stores stamp them when ensureConversation, appendMessages and appendJournal run;
 * - `updatedAt` of runs: finishRun stamps it;
 * - `leaseOwner`/`leaseExpiresAt` of runs: by design, imported runs hold no lease (a `running` one
 *   is resumable at once).
 * Kept exactly: ids, scopes, titles, seqs, message content, run ids of messages, summaries
 * (createdAt included), run createdAt, status, query, text, usage, error, and journal entries.
 */
const UNPRESERVED: Record<string, readonly string[]> = {
  'agentry-export': ['exportedAt'],
  conversation: ['createdAt', 'updatedAt'],
  message: ['createdAt'],
  journal: ['createdAt'],
  run: ['updatedAt', 'leaseOwner', 'leaseExpiresAt'],
};

/**
 * An export made comparable across backends: unpreserved fields dropped, and the blocks (a
 * conversation with its messages and summary, a run with its journal) sorted by their first
 * record, since each backend lists in its own order. Order inside a block is kept.
 */
export function comparable(lines: readonly string[]): Record<string, unknown>[][] {
  const blocks: Record<string, unknown>[][] = [];
  for (const line of lines) {
    const record = JSON.parse(line) as Record<string, unknown>;
    for (const field of UNPRESERVED[String(record['type'])] ?? []) delete record[field];
    const type = record['type'];
    const last = blocks.at(-1);
    if (type === 'message' || type === 'summary' || type === 'journal') last?.push(record);
    else blocks.push([record]);
  }
  const rank = (block: Record<string, unknown>[]) => JSON.stringify(block[0]);
  return blocks.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
}
