import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userMessage } from '../../agent/messages.ts';
import type { Scope } from '../scope.ts';
import type { Store } from '../store.ts';
import { createDynamoDbStore } from './dynamodb-store.ts';
import { ensureTables } from './ensure-tables.ts';
import {
  conversationIdOfKey,
  decodeKeyPart,
  encodeKeyPart,
  MAX_ID_BYTES,
  MAX_SEQ,
  messageKey,
  scopeKey,
  seqBounds,
  summaryKey,
} from './keys.ts';
import { type DynaliteServer, startDynalite } from './testing/dynalite-server.ts';

const AWKWARD_IDS = [
  'c1',
  'c1#x',
  'c10',
  'c1%23x',
  'c1%',
  '%',
  '#',
  '##',
  '%25',
  '%2523',
  'c1#0000000001',
  'é👋',
  'a b',
];

describe('key encoding', () => {
  it('escapes the separator so no component contains it, and decodes back', () => {
    for (const id of AWKWARD_IDS) {
      const encoded = encodeKeyPart(id, 'id');
      expect(encoded).not.toContain('#');
      expect(decodeKeyPart(encoded)).toBe(id);
    }
  });

  it('never maps two ids to one key', () => {
    const encoded = AWKWARD_IDS.map((id) => encodeKeyPart(id, 'id'));
    expect(new Set(encoded).size).toBe(AWKWARD_IDS.length);
    const scopes: Scope[] = [
      { tenantId: 't#1', userId: 'u' },
      { tenantId: 't', userId: '1#u' },
      { tenantId: 't%231', userId: 'u' },
      { tenantId: 't', userId: '1%23u' },
    ];
    expect(new Set(scopes.map(scopeKey)).size).toBe(scopes.length);
  });

  it('rejects empty, malformed and oversized ids with INPUT_INVALID', () => {
    for (const bad of ['', 'a\uD800', '\uDC00b', 'x'.repeat(MAX_ID_BYTES + 1)]) {
      expect(() => encodeKeyPart(bad, 'conversationId')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    }
    expect(encodeKeyPart('👋', 'ok')).toBe('👋'); // a surrogate pair is well-formed
  });

  it('decodes only what it could have encoded', () => {
    for (const forged of ['', 'a#b', '%2', '%41', 'a%']) expect(decodeKeyPart(forged)).toBeUndefined();
    expect(conversationIdOfKey(messageKey('c1', 1))).toBeUndefined();
  });

  it('pads seqs so sort order is numeric, and keeps the summary outside every seq range', () => {
    const keys = [1, 2, 9, 10, 11, 99, 100, 1000, MAX_SEQ].map((seq) => messageKey('c', seq));
    expect([...keys].sort()).toEqual(keys);
    expect(summaryKey('c') > messageKey('c', MAX_SEQ)).toBe(true);
    expect(() => messageKey('c', MAX_SEQ + 1)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => messageKey('c', 1.5)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });

  it('turns read options into inclusive seq bounds like the memory store', () => {
    expect(seqBounds({})).toEqual([1, MAX_SEQ]);
    expect(seqBounds({ afterSeq: 27 })).toEqual([28, MAX_SEQ]);
    expect(seqBounds({ beforeSeq: 10 })).toEqual([1, 9]);
    expect(seqBounds({ afterSeq: 2.5, beforeSeq: 5.5 })).toEqual([3, 5]);
    expect(seqBounds({ afterSeq: 5, beforeSeq: 6 })).toBeUndefined();
    expect(seqBounds({ beforeSeq: 1 })).toBeUndefined();
    expect(seqBounds({ afterSeq: Number.NaN })).toBeUndefined();
  });
});

describe('key layout in DynamoDB (dynalite)', () => {
  let server: DynaliteServer;
  let store: Store;
  beforeAll(async () => {
    server = await startDynalite();
    await ensureTables(server.client);
    store = createDynamoDbStore({ client: server.client });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  const texts = async (scope: Scope, id: string, options?: { last?: number }) =>
    (await store.conversations.loadMessages(scope, id, options)).map(
      (stored) => (stored.message.content[0] as { text: string }).text,
    );

  it('stores every message of a conversation as its own item', async () => {
    const scope: Scope = { tenantId: 'keys-many', userId: 'alice' };
    await store.conversations.ensureConversation(scope, 'c1');
    let lastSeq = 0;
    for (let batch = 0; batch < 3; batch++) {
      const messages = Array.from({ length: 90 }, (_, index) => userMessage(`m${batch * 90 + index + 1}`));
      ({ lastSeq } = await store.conversations.appendMessages(scope, 'c1', lastSeq, messages));
    }
    const { Count } = await server.client.send(
      new QueryCommand({
        TableName: 'agent-memory',
        KeyConditionExpression: 'user_id = :user',
        ExpressionAttributeValues: { ':user': { S: scopeKey(scope) } },
        Select: 'COUNT',
      }),
    );
    expect(Count).toBe(270 + 1); // messages + header
    expect(await texts(scope, 'c1', { last: 2 })).toEqual(['m269', 'm270']);
    expect((await store.conversations.loadMessages(scope, 'c1')).map((stored) => stored.seq)).toEqual(
      Array.from({ length: 270 }, (_, index) => index + 1),
    );
  });

  it('keeps look-alike conversations apart: window reads, summaries and deletes never bleed', async () => {
    const scope: Scope = { tenantId: 'keys-alike', userId: 'alice' };
    for (const id of AWKWARD_IDS) {
      await store.conversations.ensureConversation(scope, id);
      await store.conversations.appendMessages(scope, id, 0, [userMessage(`${id} 1`), userMessage(`${id} 2`)]);
      await store.conversations.saveSummary(scope, id, { throughSeq: 1, text: `summary of ${id}`, createdAt: 'now' });
    }
    for (const id of AWKWARD_IDS) {
      expect(await texts(scope, id)).toEqual([`${id} 1`, `${id} 2`]);
      expect(await texts(scope, id, { last: 5 })).toEqual([`${id} 1`, `${id} 2`]);
      expect((await store.conversations.getSummary(scope, id))?.text).toBe(`summary of ${id}`);
    }
    const listed = await store.conversations.listConversations(scope, { limit: 100 });
    expect(listed.items.map((conversation) => conversation.id).sort()).toEqual([...AWKWARD_IDS].sort());

    expect(await store.conversations.deleteConversation(scope, 'c1')).toBe(true);
    for (const id of AWKWARD_IDS.filter((other) => other !== 'c1')) {
      expect(await texts(scope, id)).toEqual([`${id} 1`, `${id} 2`]);
      expect((await store.conversations.getSummary(scope, id))?.text).toBe(`summary of ${id}`);
    }
  });

  it('keeps look-alike scopes apart: tenant `t#1`/user `u` is not tenant `t`/user `1#u`', async () => {
    const first: Scope = { tenantId: 'keys#1', userId: 'u' };
    const second: Scope = { tenantId: 'keys', userId: '1#u' };
    await store.conversations.ensureConversation(first, 'c1');
    await store.conversations.appendMessages(first, 'c1', 0, [userMessage('first scope')]);
    expect(await store.conversations.getConversation(second, 'c1')).toBeUndefined();
    expect(await store.conversations.loadMessages(second, 'c1')).toEqual([]);
    expect((await store.conversations.listConversations(second)).items).toEqual([]);
    await store.conversations.ensureConversation(second, 'c1');
    expect(await texts(second, 'c1')).toEqual([]);
    expect(await texts(first, 'c1')).toEqual(['first scope']);
  });
});
