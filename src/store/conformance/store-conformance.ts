import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../agent/messages.ts';
import type { ApiKeyRecord } from '../api-keys.ts';
import { MAX_MESSAGE_CHARS } from '../conversations.ts';
import type { JournalEntry } from '../runs.ts';
import type { Scope } from '../scope.ts';
import type { Store } from '../store.ts';
import { newRun } from './run-fixtures.ts';
import { describeTurnConformance } from './turn-conformance.ts';
import { describeWorkflowConformance } from './workflow-conformance.ts';

/**
 * The one suite every Store backend must pass. A backend may skip a case only by naming it in
 * `skip` with a reason; skipped cases are reported by vitest as skipped, with the reason in the name.
 */
export interface ConformanceOptions {
  skip?: Record<string, string>;
}

export type StoreFactory = () => Promise<{ store: Store; cleanup?: () => Promise<void> }>;

const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
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
        output: { expression: '25 * 47', result: 1175 },
        isError: false,
      },
    ],
  },
  { role: 'assistant', content: [{ type: 'text', text: '1175' }] },
];

/** A fresh tenant per case keeps cases independent on a shared database. */
const freshScope = (): Scope => ({ tenantId: `t-${randomUUID()}`, userId: 'alice' });

function usage() {
  return { inputTokens: 10, outputTokens: 5, totalTokens: 15, cacheReadTokens: 0, cacheWriteTokens: 0 };
}

function newApiKey(tenantId: string, overrides: Partial<ApiKeyRecord> = {}): Omit<ApiKeyRecord, 'schemaVersion'> {
  return {
    id: randomUUID().replace(/-/g, '').slice(0, 16),
    tenantId,
    userId: 'alice',
    name: 'ci',
    scopes: ['agents:run', 'conversations:read'],
    onBehalf: false,
    plan: 'default',
    secretHash: randomUUID().replace(/-/g, '').repeat(2),
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

const modelStep = (step: number): JournalEntry => ({
  kind: 'model-step',
  step,
  text: '',
  toolCalls: [{ type: 'tool-call', toolCallId: `c${step}`, toolName: 'calculate', input: { expression: '1+1' } }],
  finishReason: 'tool-calls',
  usage: usage(),
});

export function describeStoreConformance(name: string, factory: StoreFactory, options: ConformanceOptions = {}): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    let cleanup: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ store, cleanup } = await factory());
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    const test = (title: string, body: () => Promise<void>, timeout?: number) => {
      const reason = options.skip?.[title];
      if (reason) it.skip(`${title} (skipped: ${reason})`, body);
      else it(title, body, timeout);
    };

    describe('conversations', () => {
      test('creates a conversation idempotently with a schema version', async () => {
        const scope = freshScope();
        const first = await store.conversations.ensureConversation(scope, 'c1', 'Hello');
        const again = await store.conversations.ensureConversation(scope, 'c1', 'ignored');
        expect(first).toMatchObject({
          id: 'c1',
          tenantId: scope.tenantId,
          userId: 'alice',
          title: 'Hello',
          lastSeq: 0,
          schemaVersion: 1,
        });
        expect(again).toMatchObject({ id: 'c1', title: 'Hello', createdAt: first.createdAt });
      });

      test('keeps full content blocks in order, numbered by seq', async () => {
        const scope = freshScope();
        await store.conversations.ensureConversation(scope, 'c1');
        const turn = [user('What is 25 * 47?'), ...toolTurn('call_1')];
        expect(await store.conversations.appendMessages(scope, 'c1', 0, turn, 'run-1')).toEqual({ lastSeq: 4 });
        const loaded = await store.conversations.loadMessages(scope, 'c1');
        expect(loaded.map((stored) => stored.seq)).toEqual([1, 2, 3, 4]);
        expect(loaded.map((stored) => stored.message)).toEqual(turn);
        expect(loaded[0]).toMatchObject({ conversationId: 'c1', runId: 'run-1', schemaVersion: 1 });
        expect((await store.conversations.getConversation(scope, 'c1'))?.lastSeq).toBe(4);
      });

      test('round-trips awkward text: unicode, quotes, backslashes, NUL and JSON look-alikes', async () => {
        const scope = freshScope();
        await store.conversations.ensureConversation(scope, 'c1');
        const text = 'héllo 👋 "quoted" \\ back\\slash \u0000 nul {"not":"json"} \'single\' \n new line';
        await store.conversations.appendMessages(scope, 'c1', 0, [user(text)]);
        const [stored] = await store.conversations.loadMessages(scope, 'c1');
        expect(stored?.message).toEqual(user(text));
      });

      test('appends only on the expected seq and writes nothing on conflict', async () => {
        const scope = freshScope();
        await store.conversations.ensureConversation(scope, 'c1');
        await store.conversations.appendMessages(scope, 'c1', 0, [user('one')]);
        await expect(
          store.conversations.appendMessages(scope, 'c1', 0, [user('stale'), user('stale 2')]),
        ).rejects.toMatchObject({
          code: 'CONVERSATION_CONFLICT',
          retryable: true,
        });
        const loaded = await store.conversations.loadMessages(scope, 'c1');
        expect(loaded.map((stored) => stored.message)).toEqual([user('one')]);
      });

      test('50 concurrent writers lose nothing and duplicate nothing', async () => {
        const scope = freshScope();
        await store.conversations.ensureConversation(scope, 'c1');
        const writers = Array.from({ length: 50 }, (_, writer) => async () => {
          for (let attempt = 0; attempt < 500; attempt++) {
            const current = await store.conversations.getConversation(scope, 'c1');
            try {
              await store.conversations.appendMessages(scope, 'c1', current!.lastSeq, [
                user(`writer ${writer} a`),
                user(`writer ${writer} b`),
              ]);
              return attempt;
            } catch (error) {
              if ((error as { code?: string }).code !== 'CONVERSATION_CONFLICT') throw error;
            }
          }
          throw new Error(`writer ${writer} starved`);
        });
        await Promise.all(writers.map((write) => write()));
        const loaded = await store.conversations.loadMessages(scope, 'c1');
        expect(loaded.map((stored) => stored.seq)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
        const texts = loaded.map((stored) => (stored.message.content[0] as { text: string }).text);
        expect(new Set(texts).size).toBe(100);
        // Each writer's two messages landed together, a before b.
        for (let writer = 0; writer < 50; writer++) {
          const a = texts.indexOf(`writer ${writer} a`);
          expect(texts[a + 1]).toBe(`writer ${writer} b`);
        }
      }, 60_000);

      test('reads a window: the last N, before a seq, after a seq', async () => {
        const scope = freshScope();
        await store.conversations.ensureConversation(scope, 'c1');
        await store.conversations.appendMessages(
          scope,
          'c1',
          0,
          Array.from({ length: 30 }, (_, index) => user(`m${index + 1}`)),
        );
        const seqs = async (options: Parameters<Store['conversations']['loadMessages']>[2]) =>
          (await store.conversations.loadMessages(scope, 'c1', options)).map((stored) => stored.seq);
        expect(await seqs({ last: 3 })).toEqual([28, 29, 30]);
        expect(await seqs({ last: 3, beforeSeq: 10 })).toEqual([7, 8, 9]);
        expect(await seqs({ afterSeq: 27 })).toEqual([28, 29, 30]);
        expect(await seqs({ last: 100 })).toHaveLength(30);
      });

      test('isolates users and tenants: a guessed id reads, appends and deletes nothing', async () => {
        const alice = freshScope();
        const mallory: Scope = { tenantId: alice.tenantId, userId: 'mallory' };
        const otherTenant: Scope = { tenantId: `t-${randomUUID()}`, userId: 'alice' };
        await store.conversations.ensureConversation(alice, 'secret');
        await store.conversations.appendMessages(alice, 'secret', 0, [user('my password is swordfish')]);
        await store.conversations.saveSummary(alice, 'secret', {
          throughSeq: 1,
          text: 'password talk',
          createdAt: new Date().toISOString(),
        });
        for (const intruder of [mallory, otherTenant]) {
          expect(await store.conversations.getConversation(intruder, 'secret')).toBeUndefined();
          expect(await store.conversations.loadMessages(intruder, 'secret')).toEqual([]);
          expect(await store.conversations.getSummary(intruder, 'secret')).toBeUndefined();
          expect((await store.conversations.listConversations(intruder)).items).toEqual([]);
          await expect(
            store.conversations.appendMessages(intruder, 'secret', 1, [user('injected')]),
          ).rejects.toMatchObject({
            code: 'CONVERSATION_NOT_FOUND',
          });
          expect(await store.conversations.deleteConversation(intruder, 'secret')).toBe(false);
          // The same id in the intruder's own scope is a different conversation.
          const own = await store.conversations.ensureConversation(intruder, 'secret');
          expect(own.lastSeq).toBe(0);
        }
        const loaded = await store.conversations.loadMessages(alice, 'secret');
        expect(loaded.map((stored) => stored.message)).toEqual([user('my password is swordfish')]);
      });

      test('lists newest first, in pages, and rejects a forged cursor', async () => {
        const scope = freshScope();
        for (let index = 0; index < 5; index++) {
          await store.conversations.ensureConversation(scope, `c${index}`);
          await store.conversations.appendMessages(scope, `c${index}`, 0, [user(`hello ${index}`)]);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const first = await store.conversations.listConversations(scope, { limit: 2 });
        expect(first.items.map((conversation) => conversation.id)).toEqual(['c4', 'c3']);
        const second = await store.conversations.listConversations(scope, { limit: 2, cursor: first.nextCursor! });
        expect(second.items.map((conversation) => conversation.id)).toEqual(['c2', 'c1']);
        const third = await store.conversations.listConversations(scope, { limit: 2, cursor: second.nextCursor! });
        expect(third.items.map((conversation) => conversation.id)).toEqual(['c0']);
        expect(third.nextCursor).toBeUndefined();
        await expect(store.conversations.listConversations(scope, { cursor: 'not-a-cursor' })).rejects.toMatchObject({
          code: 'INPUT_INVALID',
        });
      });

      test('lists every conversation of every tenant and user, in pages, and rejects a forged cursor', async () => {
        const tenant = `t-${randomUUID()}`;
        const scopes: Scope[] = [
          { tenantId: tenant, userId: 'alice' },
          { tenantId: tenant, userId: 'bob' },
          { tenantId: `${tenant}-other`, userId: 'alice' },
        ];
        const expected = new Map<string, { title: string; lastSeq: number }>();
        for (const [index, scope] of scopes.entries()) {
          for (let n = 0; n < 3; n++) {
            const id = `c${n}`;
            await store.conversations.ensureConversation(scope, id, `title ${index}/${n}`);
            if (n > 0) await store.conversations.appendMessages(scope, id, 0, [user('hi')]);
            expected.set(JSON.stringify([scope.tenantId, scope.userId, id]), {
              title: `title ${index}/${n}`,
              lastSeq: n > 0 ? 1 : 0,
            });
          }
        }
        // The store may hold other cases' conversations too: walk every page and look for ours.
        const seen = new Set<string>();
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.conversations.listAllConversations({ limit: 4, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(4);
          for (const conversation of page.items) {
            const key = JSON.stringify([conversation.tenantId, conversation.userId, conversation.id]);
            expect(seen.has(key), `${key} listed twice`).toBe(false);
            seen.add(key);
            const mine = expected.get(key);
            if (mine) expect(conversation).toMatchObject({ ...mine, schemaVersion: 1 });
          }
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined);
        expect(pages).toBeGreaterThanOrEqual(3);
        for (const key of expected.keys()) expect(seen, `${key} missing`).toContain(key);
        await expect(store.conversations.listAllConversations({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
          code: 'INPUT_INVALID',
        });
      });

      test('deletes a conversation with its messages and summary', async () => {
        const scope = freshScope();
        await store.conversations.ensureConversation(scope, 'c1');
        await store.conversations.appendMessages(scope, 'c1', 0, [user('bye')]);
        await store.conversations.saveSummary(scope, 'c1', {
          throughSeq: 1,
          text: 's',
          createdAt: new Date().toISOString(),
        });
        expect(await store.conversations.deleteConversation(scope, 'c1')).toBe(true);
        expect(await store.conversations.getConversation(scope, 'c1')).toBeUndefined();
        expect(await store.conversations.loadMessages(scope, 'c1')).toEqual([]);
        expect(await store.conversations.getSummary(scope, 'c1')).toBeUndefined();
        const again = await store.conversations.ensureConversation(scope, 'c1');
        expect(again.lastSeq).toBe(0);
      });

      test('refuses oversized messages with MESSAGE_TOO_LARGE and writes nothing', async () => {
        const scope = freshScope();
        await store.conversations.ensureConversation(scope, 'c1');
        const huge = user('x'.repeat(MAX_MESSAGE_CHARS + 1));
        await expect(store.conversations.appendMessages(scope, 'c1', 0, [user('fine'), huge])).rejects.toMatchObject({
          code: 'MESSAGE_TOO_LARGE',
        });
        expect(await store.conversations.loadMessages(scope, 'c1')).toEqual([]);
      });

      test('stores and replaces a summary', async () => {
        const scope = freshScope();
        await store.conversations.ensureConversation(scope, 'c1');
        expect(await store.conversations.getSummary(scope, 'c1')).toBeUndefined();
        await store.conversations.saveSummary(scope, 'c1', {
          throughSeq: 4,
          text: 'first',
          createdAt: '2026-01-01T00:00:00.000Z',
        });
        await store.conversations.saveSummary(scope, 'c1', {
          throughSeq: 8,
          text: 'second',
          createdAt: '2026-01-02T00:00:00.000Z',
        });
        expect(await store.conversations.getSummary(scope, 'c1')).toEqual({
          schemaVersion: 1,
          throughSeq: 8,
          text: 'second',
          createdAt: '2026-01-02T00:00:00.000Z',
        });
      });
    });

    describe('runs', () => {
      test('creates runs scoped to their owner and refuses duplicate ids', async () => {
        const scope = freshScope();
        const run = newRun(scope);
        await store.runs.createRun(run);
        expect(await store.runs.getRun(scope, run.id)).toMatchObject({
          id: run.id,
          status: 'running',
          query: run.query,
          schemaVersion: 1,
        });
        expect(await store.runs.getRun({ ...scope, userId: 'mallory' }, run.id)).toBeUndefined();
        expect(await store.runs.getRun({ tenantId: 'other', userId: 'alice' }, run.id)).toBeUndefined();
        expect((await store.runs.getRunById(run.id))?.id).toBe(run.id);
        await expect(store.runs.createRun(run)).rejects.toMatchObject({ code: 'RUN_CONFLICT' });
      });

      test('marks a running run for cancellation from any process, within its scope only', async () => {
        const scope = freshScope();
        const run = newRun(scope);
        await store.runs.createRun(run);
        expect(await store.runs.cancelRequested(run.id)).toBe(false);
        expect(await store.runs.requestCancel({ ...scope, userId: 'mallory' }, run.id)).toBe(false);
        expect(await store.runs.requestCancel({ tenantId: 'other', userId: scope.userId }, run.id)).toBe(false);
        expect(await store.runs.cancelRequested(run.id)).toBe(false);
        expect(await store.runs.requestCancel(scope, run.id)).toBe(true);
        expect(await store.runs.requestCancel(scope, run.id)).toBe(true);
        expect(await store.runs.cancelRequested(run.id)).toBe(true);
        expect(await store.runs.getRun(scope, run.id)).toMatchObject({ status: 'running', leaseOwner: 'worker-a' });
        const ended = newRun(scope);
        await store.runs.createRun(ended);
        await store.runs.finishRun(ended.id, 'worker-a', { status: 'succeeded', text: 'done' });
        expect(await store.runs.requestCancel(scope, ended.id)).toBe(false);
        expect(await store.runs.cancelRequested(ended.id)).toBe(false);
        expect(await store.runs.requestCancel(scope, 'no-such-run')).toBe(false);
        expect(await store.runs.cancelRequested('no-such-run')).toBe(false);
      });

      test('appends the journal in order, only on the expected seq and only for the lease holder', async () => {
        const scope = freshScope();
        const run = newRun(scope);
        await store.runs.createRun(run);
        const started: JournalEntry = { kind: 'tool-started', step: 1, toolCallId: 'c1', toolName: 'calculate' };
        await store.runs.appendJournal(run.id, 'worker-a', 0, [modelStep(1), started]);
        await expect(store.runs.appendJournal(run.id, 'worker-a', 1, [modelStep(2)])).rejects.toMatchObject({
          code: 'RUN_CONFLICT',
        });
        await expect(store.runs.appendJournal(run.id, 'worker-b', 2, [modelStep(2)])).rejects.toMatchObject({
          code: 'RUN_LEASE_LOST',
        });
        const result: JournalEntry = {
          kind: 'tool-result',
          step: 1,
          durationMs: 3,
          result: {
            type: 'tool-result',
            toolCallId: 'c1',
            toolName: 'calculate',
            output: { result: 2 },
            isError: false,
          },
        };
        await store.runs.appendJournal(run.id, 'worker-a', 2, [result]);
        const journal = await store.runs.loadJournal(run.id);
        expect(journal.map((record) => record.seq)).toEqual([1, 2, 3]);
        expect(journal.map((record) => record.entry)).toEqual([modelStep(1), started, result]);
      });

      test('leases: free, expired or own leases are taken; a live lease of another is not', async () => {
        const scope = freshScope();
        const now = Date.now();
        const run = newRun(scope, { leaseOwner: 'worker-a', leaseExpiresAt: now + 10_000 });
        await store.runs.createRun(run);
        expect(await store.runs.acquireLease(run.id, 'worker-b', now, 10_000)).toBe(false);
        expect(await store.runs.acquireLease(run.id, 'worker-a', now, 10_000)).toBe(true);
        expect(await store.runs.acquireLease(run.id, 'worker-b', now + 20_001, 10_000)).toBe(true);
        await expect(store.runs.appendJournal(run.id, 'worker-a', 0, [modelStep(1)])).rejects.toMatchObject({
          code: 'RUN_LEASE_LOST',
        });
        await store.runs.appendJournal(run.id, 'worker-b', 0, [modelStep(1)]);
      });

      test('finishing a run records the outcome and releases the lease', async () => {
        const scope = freshScope();
        const run = newRun(scope);
        await store.runs.createRun(run);
        await expect(store.runs.finishRun(run.id, 'worker-b', { status: 'succeeded' })).rejects.toMatchObject({
          code: 'RUN_LEASE_LOST',
        });
        await store.runs.finishRun(run.id, 'worker-a', { status: 'succeeded', text: '1175', usage: usage() });
        const finished = await store.runs.getRun(scope, run.id);
        expect(finished).toMatchObject({ status: 'succeeded', text: '1175', usage: usage() });
        expect(finished?.leaseOwner).toBeUndefined();
        expect(await store.runs.acquireLease(run.id, 'worker-a', Date.now(), 1_000)).toBe(false);

        const failed = newRun(scope);
        await store.runs.createRun(failed);
        await store.runs.finishRun(failed.id, 'worker-a', {
          status: 'failed',
          error: { code: 'MODEL_THROTTLED', message: 'slow down', retryable: true },
        });
        expect((await store.runs.getRun(scope, failed.id))?.error).toEqual({
          code: 'MODEL_THROTTLED',
          message: 'slow down',
          retryable: true,
        });
      });

      test('lists abandoned runs: running with an expired lease', async () => {
        const scope = freshScope();
        const now = Date.now() + 3_600_000; // later than every other case's leases
        const expired = newRun(scope, { leaseExpiresAt: now - 1 });
        const live = newRun(scope, { leaseExpiresAt: now + 60_000 });
        const done = newRun(scope, { leaseExpiresAt: now - 1 });
        for (const run of [expired, live, done]) await store.runs.createRun(run);
        await store.runs.finishRun(done.id, 'worker-a', { status: 'succeeded', text: 'ok' });
        const abandoned = (await store.runs.listAbandonedRuns(now, 1_000)).map((run) => run.id);
        expect(abandoned).toContain(expired.id);
        expect(abandoned).not.toContain(live.id);
        expect(abandoned).not.toContain(done.id);
      });

      test("lists a user's runs newest first, by conversation, in pages", async () => {
        const scope = freshScope();
        const base = Date.parse('2026-01-01T00:00:00.000Z');
        for (let index = 0; index < 3; index++) {
          await store.runs.createRun(
            newRun(scope, {
              id: `r${index}-${scope.tenantId}`,
              conversationId: index === 1 ? 'c2' : 'c1',
              createdAt: new Date(base + index * 1000).toISOString(),
            }),
          );
        }
        const page = await store.runs.listRuns(scope, { limit: 2 });
        expect(page.items.map((run) => run.id.split('-')[0])).toEqual(['r2', 'r1']);
        const rest = await store.runs.listRuns(scope, { limit: 2, cursor: page.nextCursor! });
        expect(rest.items.map((run) => run.id.split('-')[0])).toEqual(['r0']);
        const c1 = await store.runs.listRuns(scope, { conversationId: 'c1' });
        expect(c1.items.map((run) => run.id.split('-')[0])).toEqual(['r2', 'r0']);
        expect((await store.runs.listRuns({ ...scope, userId: 'mallory' })).items).toEqual([]);
      });

      test('lists every run of every tenant and user, in pages', async () => {
        const tenant = `t-${randomUUID()}`;
        const scopes: Scope[] = [
          { tenantId: tenant, userId: 'alice' },
          { tenantId: tenant, userId: 'bob' },
          { tenantId: `${tenant}-other`, userId: 'alice' },
        ];
        const expected = new Map<string, Scope>();
        for (const scope of scopes) {
          for (let n = 0; n < 2; n++) {
            const run = newRun(scope);
            await store.runs.createRun(run);
            expected.set(run.id, scope);
          }
        }
        const seen = new Set<string>();
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.runs.listAllRuns({ limit: 2, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(2);
          for (const run of page.items) {
            expect(seen.has(run.id), `${run.id} listed twice`).toBe(false);
            seen.add(run.id);
            const scope = expected.get(run.id);
            if (scope) expect(run).toMatchObject({ ...scope, status: 'running', schemaVersion: 1 });
          }
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined);
        expect(pages).toBeGreaterThanOrEqual(3);
        for (const id of expected.keys()) expect(seen, `${id} missing`).toContain(id);
        await expect(store.runs.listAllRuns({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
          code: 'INPUT_INVALID',
        });
      });

      test('a run finished as running is unleased and resumable at once', async () => {
        const scope = freshScope();
        const run = newRun(scope, { leaseExpiresAt: Date.now() + 600_000 });
        await store.runs.createRun(run);
        await store.runs.appendJournal(run.id, 'worker-a', 0, [modelStep(1)]);
        await store.runs.finishRun(run.id, 'worker-a', { status: 'running' });
        const parked = await store.runs.getRun(scope, run.id);
        expect(parked?.status).toBe('running');
        expect(parked?.leaseOwner).toBeUndefined();
        expect((await store.runs.listAbandonedRuns(Date.now(), 1_000)).map((listed) => listed.id)).toContain(run.id);
        expect(await store.runs.acquireLease(run.id, 'worker-b', Date.now(), 10_000)).toBe(true);
        await store.runs.appendJournal(run.id, 'worker-b', 1, [modelStep(2)]);
        // Close the case: leave nothing resumable for other cases' listings.
        await store.runs.finishRun(run.id, 'worker-b', { status: 'cancelled' });
      });
    });

    describeTurnConformance(() => store, test);

    describe('api keys', () => {
      test('creates, reads, lists by tenant and revokes keys; revocation is permanent', async () => {
        const tenant = `t-${randomUUID()}`;
        const first = newApiKey(tenant, { createdAt: '2025-01-01T00:00:00.000Z', scopes: ['agents:run'] });
        const second = newApiKey(tenant, { createdAt: '2025-01-02T00:00:00.000Z', onBehalf: true, name: '' });
        const other = newApiKey(`${tenant}-other`, { scopes: ['admin'] });
        for (const record of [second, first, other]) await store.apiKeys.createKey(record);
        expect(await store.apiKeys.getKey(first.id)).toEqual({ schemaVersion: 1, ...first });
        expect(await store.apiKeys.getKey(second.id)).toEqual({ schemaVersion: 1, ...second });
        expect(await store.apiKeys.getKey(`${first.id}x`)).toBeUndefined();
        expect(await store.apiKeys.getKey('')).toBeUndefined();
        expect((await store.apiKeys.listKeys({ tenantId: tenant })).map((record) => record.id)).toEqual([
          first.id,
          second.id,
        ]);
        const all = (await store.apiKeys.listKeys()).map((record) => record.id);
        expect(all).toEqual(expect.arrayContaining([first.id, second.id, other.id]));

        const at = '2025-02-01T12:00:00.000Z';
        expect(await store.apiKeys.revokeKey(first.id, at)).toBe(true);
        expect(await store.apiKeys.revokeKey(first.id, '2025-03-01T00:00:00.000Z')).toBe(false);
        expect(await store.apiKeys.revokeKey(`${first.id}x`, at)).toBe(false);
        expect(await store.apiKeys.getKey(first.id)).toEqual({ schemaVersion: 1, ...first, revokedAt: at });
        expect((await store.apiKeys.getKey(second.id))?.revokedAt).toBeUndefined();
        expect((await store.apiKeys.listKeys({ tenantId: tenant }))[0]?.revokedAt).toBe(at);
      });

      test('key ids are unique: a second create with the same id fails and changes nothing', async () => {
        const tenant = `t-${randomUUID()}`;
        const record = newApiKey(tenant);
        await store.apiKeys.createKey(record);
        const thief = { ...newApiKey(`${tenant}-other`), id: record.id };
        await expect(store.apiKeys.createKey(thief)).rejects.toMatchObject({ code: 'API_KEY_CONFLICT' });
        await store.apiKeys.revokeKey(record.id, new Date().toISOString());
        await expect(store.apiKeys.createKey(record)).rejects.toMatchObject({ code: 'API_KEY_CONFLICT' });
        expect(await store.apiKeys.getKey(record.id)).toMatchObject({
          tenantId: tenant,
          secretHash: record.secretHash,
        });
        expect(await store.apiKeys.listKeys({ tenantId: `${tenant}-other` })).toEqual([]);
      });
    });

    describeWorkflowConformance(() => store, test);

    describe('knowledge', () => {
      test('indexes, finds, replaces and deletes documents', async () => {
        const doc = (source: string, hash: string, text: string) => ({
          source,
          hash,
          chunks: [{ source, index: 0, title: source, text }],
        });
        await store.knowledge.upsertDocument(
          doc('sagemaker.md', 'h1', 'Amazon SageMaker is a managed machine learning service for training models.'),
        );
        await store.knowledge.upsertDocument(doc('lambda.md', 'h2', 'AWS Lambda runs code without servers.'));
        expect((await store.knowledge.listDocuments()).get('sagemaker.md')).toBe('h1');
        const hits = await store.knowledge.search('SageMaker machine learning', 5);
        expect(hits[0]?.source).toBe('sagemaker.md');
        await store.knowledge.upsertDocument(doc('sagemaker.md', 'h3', 'Renamed content about notebooks.'));
        expect((await store.knowledge.listDocuments()).get('sagemaker.md')).toBe('h3');
        expect((await store.knowledge.search('training models', 5)).map((hit) => hit.source)).not.toContain(
          'sagemaker.md',
        );
        await store.knowledge.deleteDocument('lambda.md');
        expect(await store.knowledge.search('servers', 5)).toEqual([]);
        await store.knowledge.deleteDocument('sagemaker.md');
      });
    });
  });
}
