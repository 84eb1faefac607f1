import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Message } from '../../agent/messages.ts';
import type { JournalEntry, RunRecord } from '../runs.ts';
import type { Scope } from '../scope.ts';
import type { Store } from '../store.ts';
import type { TurnFinishInput } from '../turns.ts';
import { newRun } from './run-fixtures.ts';

/** Registers one case; the store suite's wrapper, which honours `skip`. */
type Test = (title: string, body: () => Promise<void>, timeout?: number) => void;

const freshScope = (): Scope => ({ tenantId: `t-${randomUUID()}`, userId: 'alice' });
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const answer = (text: string): Message => ({ role: 'assistant', content: [{ type: 'text', text }] });
const usage = () => ({ inputTokens: 10, outputTokens: 5, totalTokens: 15, cacheReadTokens: 0, cacheWriteTokens: 0 });

const finalStep = (step: number, text: string): JournalEntry => ({
  kind: 'model-step',
  step,
  text,
  toolCalls: [],
  finishReason: 'stop',
  usage: usage(),
});

/** A successful turn's end: the final model step, the question and the answer. */
function finishing(
  scope: Scope,
  run: Omit<RunRecord, 'schemaVersion'>,
  overrides: Partial<TurnFinishInput> = {},
): TurnFinishInput {
  return {
    scope,
    conversationId: run.conversationId,
    runId: run.id,
    owner: 'worker-a',
    journal: { expectedLastSeq: 0, entries: [finalStep(1, '1175')] },
    messages: { expectedLastSeq: 0, messages: [user(run.query), answer('1175')] },
    outcome: { status: 'succeeded', text: '1175', usage: usage() },
    ...overrides,
  };
}

/** The turn domain's cases: the start and the end of a durable turn, each one store call. */
export function describeTurnConformance(store: () => Store, test: Test): void {
  describe('turns', () => {
    test('starts a turn: creates the run and the conversation, reads the newest messages in order', async () => {
      const scope = freshScope();
      const first = newRun(scope, { conversationId: 'c1' });
      expect(await store().turns.startTurn({ run: first, title: 'Hello', last: 40 })).toEqual({ messages: [] });
      expect(await store().conversations.getConversation(scope, 'c1')).toMatchObject({ title: 'Hello', lastSeq: 0 });
      expect(await store().runs.getRun(scope, first.id)).toMatchObject({
        status: 'running',
        leaseOwner: 'worker-a',
        conversationId: 'c1',
        schemaVersion: 1,
      });
      await store().conversations.appendMessages(
        scope,
        'c1',
        0,
        Array.from({ length: 5 }, (_, index) => user(`m${index + 1}`)),
        first.id,
      );
      const second = newRun(scope, { conversationId: 'c1' });
      const { messages } = await store().turns.startTurn(
        { run: second, title: 'ignored', last: 3 },
        {
          durability: 'relaxed',
        },
      );
      expect(messages.map((stored) => stored.seq)).toEqual([3, 4, 5]);
      expect(messages.map((stored) => stored.message)).toEqual([user('m3'), user('m4'), user('m5')]);
      expect(messages[0]).toMatchObject({ conversationId: 'c1', runId: first.id, schemaVersion: 1 });
      // An existing conversation is left as it is.
      expect(await store().conversations.getConversation(scope, 'c1')).toMatchObject({ title: 'Hello', lastSeq: 5 });
      expect((await store().runs.getRunById(second.id))?.status).toBe('running');
    });

    test('a turn start with a taken run id fails with RUN_CONFLICT and writes nothing', async () => {
      const scope = freshScope();
      const run = newRun(scope, { conversationId: 'c1' });
      await store().runs.createRun(run);
      await expect(
        store().turns.startTurn({ run: { ...run, conversationId: 'c2', query: 'other' }, title: 't', last: 40 }),
      ).rejects.toMatchObject({ code: 'RUN_CONFLICT' });
      expect(await store().conversations.getConversation(scope, 'c2')).toBeUndefined();
      expect(await store().runs.getRunById(run.id)).toMatchObject({ conversationId: 'c1', query: run.query });
    });

    test("a turn start reads and touches only its own scope's conversation", async () => {
      const alice = freshScope();
      const mallory: Scope = { tenantId: alice.tenantId, userId: 'mallory' };
      await store().conversations.ensureConversation(alice, 'secret', 'Mine');
      await store().conversations.appendMessages(alice, 'secret', 0, [user('my password is swordfish')]);
      const intruding = newRun(mallory, { conversationId: 'secret' });
      expect(await store().turns.startTurn({ run: intruding, title: 'Theirs', last: 40 })).toEqual({ messages: [] });
      expect(await store().conversations.getConversation(alice, 'secret')).toMatchObject({ title: 'Mine', lastSeq: 1 });
      expect(await store().conversations.getConversation(mallory, 'secret')).toMatchObject({
        title: 'Theirs',
        lastSeq: 0,
      });
      expect(await store().runs.getRun(alice, intruding.id)).toBeUndefined();
    });

    test('finishes a turn in one commit: journal entries, messages with the run id, outcome, lease released', async () => {
      const scope = freshScope();
      const run = newRun(scope, { conversationId: 'c1' });
      await store().turns.startTurn({ run, title: '', last: 40 });
      await store().runs.appendJournal(run.id, 'worker-a', 0, [finalStep(1, 'thinking')], { durability: 'relaxed' });
      const result = await store().turns.finishTurn(
        finishing(scope, run, { journal: { expectedLastSeq: 1, entries: [finalStep(2, '1175')] } }),
      );
      expect(result).toEqual({ lastSeq: 2 });
      expect((await store().runs.loadJournal(run.id)).map((record) => [record.seq, record.entry])).toEqual([
        [1, finalStep(1, 'thinking')],
        [2, finalStep(2, '1175')],
      ]);
      const stored = await store().conversations.loadMessages(scope, 'c1');
      expect(stored.map((entry) => [entry.seq, entry.message, entry.runId])).toEqual([
        [1, user(run.query), run.id],
        [2, answer('1175'), run.id],
      ]);
      const finished = await store().runs.getRun(scope, run.id);
      expect(finished).toMatchObject({ status: 'succeeded', text: '1175', usage: usage() });
      expect(finished?.leaseOwner).toBeUndefined();
      expect(finished?.leaseExpiresAt).toBeUndefined();
      expect(await store().runs.acquireLease(run.id, 'worker-a', Date.now(), 1_000)).toBe(false);
      expect((await store().runs.listAbandonedRuns(Date.now() + 3_600_000, 1_000)).map((r) => r.id)).not.toContain(
        run.id,
      );
    });

    test('a failed turn ends without messages and without touching the conversation', async () => {
      const scope = freshScope();
      const run = newRun(scope, { conversationId: 'c1' });
      await store().turns.startTurn({ run, title: '', last: 40 });
      await store().conversations.deleteConversation(scope, 'c1');
      const error = { code: 'MODEL_THROTTLED' as const, message: 'slow down', retryable: true };
      expect(
        await store().turns.finishTurn(
          finishing(scope, run, {
            journal: { expectedLastSeq: 0, entries: [] },
            messages: { expectedLastSeq: 7, messages: [] },
            outcome: { status: 'failed', error },
          }),
        ),
      ).toEqual({ lastSeq: undefined });
      expect(await store().runs.getRun(scope, run.id)).toMatchObject({ status: 'failed', error });
      expect(await store().runs.loadJournal(run.id)).toEqual([]);
      expect(await store().conversations.getConversation(scope, 'c1')).toBeUndefined();
    });

    test('a turn end that fails any check writes nothing and names the failure', async () => {
      const scope = freshScope();
      const run = newRun(scope, { conversationId: 'c1' });
      await store().turns.startTurn({ run, title: '', last: 40 });
      await store().conversations.appendMessages(scope, 'c1', 0, [user('earlier'), answer('reply')]);
      await store().runs.appendJournal(run.id, 'worker-a', 0, [finalStep(1, 'a')]);
      const base = finishing(scope, run, {
        journal: { expectedLastSeq: 1, entries: [finalStep(2, 'b')] },
        messages: { expectedLastSeq: 2, messages: [user(run.query), answer('1175')] },
      });
      const failures: [Partial<TurnFinishInput>, Record<string, unknown>][] = [
        [{ owner: 'worker-b' }, { code: 'RUN_LEASE_LOST' }],
        [{ journal: { expectedLastSeq: 0, entries: [finalStep(2, 'b')] } }, { code: 'RUN_CONFLICT' }],
        [
          { messages: { expectedLastSeq: 1, messages: [answer('late')] } },
          { code: 'CONVERSATION_CONFLICT', retryable: true, details: { expectedLastSeq: 1, lastSeq: 2 } },
        ],
        [{ scope: { ...scope, userId: 'mallory' } }, { code: 'RUN_NOT_FOUND' }],
        [{ scope: { tenantId: `${scope.tenantId}-other`, userId: scope.userId } }, { code: 'RUN_NOT_FOUND' }],
        [{ conversationId: 'c2' }, { code: 'RUN_NOT_FOUND' }],
        [{ runId: randomUUID() }, { code: 'RUN_NOT_FOUND' }],
        // The run's failures come before the conversation's.
        [
          { owner: 'worker-b', messages: { expectedLastSeq: 0, messages: [answer('late')] } },
          { code: 'RUN_LEASE_LOST' },
        ],
      ];
      for (const [overrides, expected] of failures) {
        await expect(
          store().turns.finishTurn({ ...base, ...overrides }),
          JSON.stringify(overrides),
        ).rejects.toMatchObject(expected);
      }
      expect((await store().runs.loadJournal(run.id)).map((record) => record.entry)).toEqual([finalStep(1, 'a')]);
      expect((await store().conversations.loadMessages(scope, 'c1')).map((entry) => entry.message)).toEqual([
        user('earlier'),
        answer('reply'),
      ]);
      expect(await store().runs.getRun(scope, run.id)).toMatchObject({ status: 'running', leaseOwner: 'worker-a' });

      await store().conversations.deleteConversation(scope, 'c1');
      await expect(store().turns.finishTurn(base)).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
      expect(await store().runs.getRun(scope, run.id)).toMatchObject({ status: 'running', leaseOwner: 'worker-a' });
      expect(await store().runs.loadJournal(run.id)).toHaveLength(1);
    });

    test('10 turns ending at once on one conversation: each lands whole, in one piece, once', async () => {
      const scope = freshScope();
      await store().conversations.ensureConversation(scope, 'c1');
      const runs = Array.from({ length: 10 }, () => newRun(scope, { conversationId: 'c1' }));
      for (const run of runs) await store().runs.createRun(run);
      await Promise.all(
        runs.map(async (run, index) => {
          let expected = 0;
          for (let attempt = 0; attempt < 200; attempt++) {
            try {
              await store().turns.finishTurn(
                finishing(scope, run, {
                  messages: { expectedLastSeq: expected, messages: [user(`q${index}`), answer(`a${index}`)] },
                }),
              );
              return;
            } catch (error) {
              const failure = error as { code?: string; details?: { lastSeq?: number } };
              if (failure.code !== 'CONVERSATION_CONFLICT') throw error;
              expected =
                failure.details?.lastSeq ?? (await store().conversations.getConversation(scope, 'c1'))!.lastSeq;
            }
          }
          throw new Error(`turn ${index} starved`);
        }),
      );
      const stored = await store().conversations.loadMessages(scope, 'c1');
      expect(stored.map((entry) => entry.seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
      for (const [index, run] of runs.entries()) {
        const at = stored.findIndex((entry) => entry.runId === run.id);
        expect(stored[at]?.message).toEqual(user(`q${index}`));
        expect(stored[at + 1]).toMatchObject({ runId: run.id, message: answer(`a${index}`) });
        expect(await store().runs.getRun(scope, run.id)).toMatchObject({ status: 'succeeded' });
        expect(await store().runs.loadJournal(run.id)).toHaveLength(1);
      }
    }, 60_000);
  });
}
