import { randomUUID } from 'node:crypto';
import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userMessage } from '../../agent/messages.ts';
import { newRun } from '../conformance/run-fixtures.ts';
import { MAX_MESSAGE_CHARS } from '../conversations.ts';
import type { Scope } from '../scope.ts';
import type { Store } from '../store.ts';
import { createDynamoDbStore } from './dynamodb-store.ts';
import { ensureTables } from './ensure-tables.ts';
import { MAX_BODY_BYTES, MAX_ITEMS_PER_APPEND } from './item-limits.ts';
import { conversationKey, scopeKey } from './keys.ts';
import { type DynaliteServer, startDynalite } from './testing/dynalite-server.ts';

/** Every command the client sends, with its (marshalled) input. */
interface Sent {
  command: string;
  input: Record<string, unknown>;
}

const freshScope = (): Scope => ({ tenantId: `t-${randomUUID()}`, userId: 'alice' });

describe('DynamoDB store specifics (dynalite)', () => {
  let server: DynaliteServer;
  let store: Store;
  const sent: Sent[] = [];
  beforeAll(async () => {
    server = await startDynalite();
    await ensureTables(server.client);
    server.client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    store = createDynamoDbStore({ client: server.client });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  const countItems = async (scope: Scope) =>
    (
      await server.client.send(
        new QueryCommand({
          TableName: 'agent-memory',
          KeyConditionExpression: 'user_id = :user',
          ExpressionAttributeValues: { ':user': { S: scopeKey(scope) } },
          Select: 'COUNT',
        }),
      )
    ).Count;

  it('reads a window of the last N messages with one Query, newest first, Limit N', async () => {
    const scope = freshScope();
    await store.conversations.ensureConversation(scope, 'c1');
    await store.conversations.appendMessages(
      scope,
      'c1',
      0,
      Array.from({ length: 40 }, (_, index) => userMessage(`m${index + 1}`)),
    );
    sent.length = 0;
    const window = await store.conversations.loadMessages(scope, 'c1', { last: 5 });
    expect(window.map((stored) => stored.seq)).toEqual([36, 37, 38, 39, 40]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.command).toBe('QueryCommand');
    expect(sent[0]?.input).toMatchObject({ Limit: 5, ScanIndexForward: false, ConsistentRead: true });
  });

  it(`appends at most ${MAX_ITEMS_PER_APPEND} messages at once (one transaction) and refuses more with INPUT_INVALID`, async () => {
    const scope = freshScope();
    await store.conversations.ensureConversation(scope, 'c1');
    const many = (count: number) => Array.from({ length: count }, (_, index) => userMessage(`m${index}`));
    await expect(store.conversations.appendMessages(scope, 'c1', 0, many(100))).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    });
    expect(await countItems(scope)).toBe(1);
    expect(await store.conversations.appendMessages(scope, 'c1', 0, many(99))).toEqual({ lastSeq: 99 });
  });

  it('refuses a message under the character limit but over the DynamoDB item size with MESSAGE_TOO_LARGE', async () => {
    const scope = freshScope();
    await store.conversations.ensureConversation(scope, 'c1');
    const text = '中'.repeat(Math.ceil(MAX_BODY_BYTES / 3) + 1);
    expect(text.length).toBeLessThan(MAX_MESSAGE_CHARS);
    await expect(store.conversations.appendMessages(scope, 'c1', 0, [userMessage(text)])).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
      details: { limit: MAX_BODY_BYTES, unit: 'bytes' },
    });
    // Just under the limit is stored and read back intact.
    const fits = '中'.repeat(Math.floor((MAX_BODY_BYTES - 200) / 3));
    await store.conversations.appendMessages(scope, 'c1', 0, [userMessage(fits)]);
    expect((await store.conversations.loadMessages(scope, 'c1'))[0]?.message).toEqual(userMessage(fits));
  });

  it('creates a conversation once under concurrent ensures', async () => {
    const scope = freshScope();
    const all = await Promise.all(
      Array.from({ length: 10 }, (_, index) => store.conversations.ensureConversation(scope, 'c1', `t${index}`)),
    );
    expect(new Set(all.map((conversation) => `${conversation.createdAt}/${conversation.title}`)).size).toBe(1);
  });

  it('deletes conversations larger than one transaction, summary included', async () => {
    const scope = freshScope();
    await store.conversations.ensureConversation(scope, 'c1');
    let lastSeq = 0;
    for (let batch = 0; batch < 3; batch++) {
      ({ lastSeq } = await store.conversations.appendMessages(
        scope,
        'c1',
        lastSeq,
        Array.from({ length: 80 }, () => userMessage('x')),
      ));
    }
    await store.conversations.saveSummary(scope, 'c1', { throughSeq: 200, text: 's', createdAt: 'now' });
    expect(await countItems(scope)).toBe(242);
    expect(await store.conversations.deleteConversation(scope, 'c1')).toBe(true);
    expect(await countItems(scope)).toBe(0);
    expect(await store.conversations.deleteConversation(scope, 'c1')).toBe(false);
  });

  it('hides a conversation whose deletion was interrupted and finishes the deletion on the next ensure', async () => {
    const scope = freshScope();
    await store.conversations.ensureConversation(scope, 'c1', 'old');
    await store.conversations.appendMessages(scope, 'c1', 0, [userMessage('old 1'), userMessage('old 2')]);
    await store.conversations.saveSummary(scope, 'c1', { throughSeq: 2, text: 'old', createdAt: 'now' });
    // What a deleter that crashed after marking the header leaves behind.
    await server.client.send(
      new UpdateItemCommand({
        TableName: 'agent-memory',
        Key: { user_id: { S: scopeKey(scope) }, conversation_id: { S: conversationKey('c1') } },
        UpdateExpression: 'SET deleting = :token REMOVE updated_key',
        ExpressionAttributeValues: { ':token': { S: 'crashed-deleter' } },
      }),
    );
    expect(await store.conversations.getConversation(scope, 'c1')).toBeUndefined();
    expect((await store.conversations.listConversations(scope)).items).toEqual([]);
    await expect(store.conversations.appendMessages(scope, 'c1', 2, [userMessage('late')])).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
    await expect(
      store.conversations.saveSummary(scope, 'c1', { throughSeq: 2, text: 'late', createdAt: 'now' }),
    ).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
    const fresh = await store.conversations.ensureConversation(scope, 'c1', 'new');
    expect(fresh).toMatchObject({ title: 'new', lastSeq: 0 });
    expect(await store.conversations.loadMessages(scope, 'c1')).toEqual([]);
    expect(await store.conversations.getSummary(scope, 'c1')).toBeUndefined();
    expect(await countItems(scope)).toBe(1);
  });

  it('refuses journal appends of more than one transaction with INPUT_INVALID', async () => {
    const run = newRun(freshScope());
    await store.runs.createRun(run);
    const entries = Array.from({ length: 100 }, (_, step) => ({
      kind: 'tool-started' as const,
      step,
      toolCallId: `c${step}`,
      toolName: 't',
    }));
    await expect(store.runs.appendJournal(run.id, 'worker-a', 0, entries)).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    });
    await store.runs.appendJournal(run.id, 'worker-a', 0, entries.slice(0, 99));
    expect(await store.runs.loadJournal(run.id)).toHaveLength(99);
    await expect(store.runs.appendJournal('no-such-run', 'worker-a', 0, entries.slice(0, 1))).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
    });
  });

  it('finishes a turn too big for one transaction on a retry after a conversation conflict', async () => {
    const scope = freshScope();
    const run = newRun(scope);
    await store.turns.startTurn({ run, title: 't', last: 10 });
    await store.conversations.appendMessages(scope, 'c1', 0, [userMessage('another turn landed meanwhile')]);
    // 60 journal entries and 60 messages: over one transaction's 100 items, so the entries go first.
    const entries = Array.from({ length: 60 }, (_, step) => ({
      kind: 'tool-started' as const,
      step,
      toolCallId: `c${step}`,
      toolName: 't',
    }));
    const finish = (expectedLastSeq: number) =>
      store.turns.finishTurn({
        scope,
        conversationId: 'c1',
        runId: run.id,
        owner: 'worker-a',
        journal: { expectedLastSeq: 0, entries },
        messages: { expectedLastSeq, messages: Array.from({ length: 60 }, (_, index) => userMessage(`m${index}`)) },
        outcome: { status: 'succeeded', text: 'done' },
      });
    await expect(finish(0)).rejects.toMatchObject({ code: 'CONVERSATION_CONFLICT', details: { lastSeq: 1 } });
    // The runner retries the same journal after the conflict: the entries already written are found in place.
    expect(await finish(1)).toEqual({ lastSeq: 61 });
    expect(await store.runs.loadJournal(run.id)).toHaveLength(60);
    expect(await store.conversations.loadMessages(scope, 'c1', { last: 100 })).toHaveLength(61);
    expect(await store.runs.getRun(scope, run.id)).toMatchObject({ status: 'succeeded', text: 'done' });
  });

  it('pages runs of one conversation correctly when most runs belong to others', async () => {
    const scope = freshScope();
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const mine: string[] = [];
    for (let index = 0; index < 260; index++) {
      const conversationId = index % 50 === 7 ? 'wanted' : 'other';
      const run = newRun(scope, {
        id: `r${String(index).padStart(3, '0')}-${randomUUID()}`,
        conversationId,
        createdAt: new Date(base + index * 1000).toISOString(),
      });
      await store.runs.createRun(run);
      if (conversationId === 'wanted') mine.unshift(run.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.runs.listRuns(scope, {
        conversationId: 'wanted',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((run) => run.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(mine);
  });

  it('lists a running run as abandoned only while its lease is expired', async () => {
    const scope = freshScope();
    const now = Date.now() + 7_200_000;
    const unleased = newRun(scope);
    delete unleased.leaseOwner;
    delete unleased.leaseExpiresAt;
    const expired = newRun(scope, { leaseExpiresAt: now - 10 });
    for (const run of [unleased, expired]) await store.runs.createRun(run);
    const abandoned = async () => (await store.runs.listAbandonedRuns(now, 10_000)).map((run) => run.id);
    expect(await abandoned()).toEqual(expect.arrayContaining([unleased.id, expired.id]));
    expect(await store.runs.acquireLease(expired.id, 'worker-b', now, 60_000)).toBe(true);
    expect(await abandoned()).not.toContain(expired.id);
    await expect(store.runs.acquireLease('no-such-run', 'worker-b', now, 60_000)).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
    });
    await expect(store.runs.finishRun('no-such-run', 'worker-b', { status: 'failed' })).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
    });
  });

  it('uses configured table names', async () => {
    const tables = {
      memory: 'custom-memory',
      sessions: 'custom-sessions',
      workflows: 'custom-workflows',
      apiKeys: 'custom-api-keys',
    };
    await ensureTables(server.client, tables);
    await ensureTables(server.client, tables); // idempotent
    const custom = createDynamoDbStore({ client: server.client, tables });
    const scope = freshScope();
    await custom.conversations.ensureConversation(scope, 'c1');
    await custom.runs.createRun(newRun(scope, { id: 'custom-run' }));
    expect(await store.conversations.getConversation(scope, 'c1')).toBeUndefined();
    expect(await store.runs.getRunById('custom-run')).toBeUndefined();
    expect(await custom.runs.getRunById('custom-run')).toBeDefined();
    const key = {
      id: 'customkey0000000',
      ...scope,
      name: '',
      scopes: ['admin' as const],
      onBehalf: false,
      plan: 'default',
      secretHash: '00'.repeat(32),
      createdAt: new Date().toISOString(),
    };
    await custom.apiKeys.createKey(key);
    expect(await store.apiKeys.getKey(key.id)).toBeUndefined();
    expect(await custom.apiKeys.getKey(key.id)).toMatchObject({ id: key.id, scopes: ['admin'] });
  });
});
