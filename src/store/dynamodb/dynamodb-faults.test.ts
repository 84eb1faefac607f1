import { createServer } from 'node:net';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userMessage } from '../../agent/messages.ts';
import type { AgentryError } from '../../errors.ts';
import type { Scope } from '../scope.ts';
import type { Store } from '../store.ts';
import { createDynamoDbStore } from './dynamodb-store.ts';
import { ensureTables } from './ensure-tables.ts';
import { conversationKey, messageKey, scopeKey } from './keys.ts';
import { mapDynamoDbError } from './map-dynamodb-error.ts';
import { type DynaliteServer, startDynalite } from './testing/dynalite-server.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function failure(promise: Promise<unknown>): Promise<AgentryError> {
  try {
    await promise;
  } catch (error) {
    return error as AgentryError;
  }
  throw new Error('expected a failure');
}

describe('DynamoDB unreachable', () => {
  it('reports STORE_UNAVAILABLE (retryable) without leaking the endpoint or credentials', async () => {
    const port = await closedPort();
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLEAKCHECK', secretAccessKey: SECRET },
      maxAttempts: 1,
    });
    const store = createDynamoDbStore({ client });
    const scope: Scope = { tenantId: 't', userId: 'u' };
    const calls: Promise<unknown>[] = [
      store.ping(),
      store.conversations.getConversation(scope, 'c1'),
      store.conversations.appendMessages(scope, 'c1', 0, [userMessage('hi')]),
      store.conversations.loadMessages(scope, 'c1', { last: 5 }),
      store.runs.listAbandonedRuns(Date.now()),
      store.runs.appendJournal('r1', 'w', 0, []),
    ];
    for (const call of calls) {
      const error = await failure(call);
      expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
      const json = JSON.stringify(error.toJSON());
      for (const leak of [SECRET, 'AKIDLEAKCHECK', String(port), 'ECONNREFUSED']) expect(json).not.toContain(leak);
      expect(error.cause).toBeDefined();
    }
    client.destroy();
  });
});

describe('SDK error mapping', () => {
  const sdkError = (name: string, status: number, message = `raw ${name} text with ${SECRET}`) =>
    Object.assign(new Error(message), {
      name,
      $metadata: { httpStatusCode: status },
      $fault: status >= 500 ? 'server' : 'client',
    });

  it('maps throttling, server errors and network failures to retryable STORE_UNAVAILABLE', () => {
    const transient = [
      sdkError('ProvisionedThroughputExceededException', 400),
      sdkError('ThrottlingException', 400),
      sdkError('RequestLimitExceeded', 400),
      sdkError('TransactionConflictException', 400),
      sdkError('InternalServerError', 500),
      sdkError('SomethingNew', 503),
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }),
      new AggregateError([Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })]),
    ];
    for (const error of transient) {
      const mapped = mapDynamoDbError(error);
      expect(mapped).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
      expect(mapped.message).not.toContain(SECRET);
      expect(mapped.cause).toBe(error);
    }
  });

  it('maps refused credentials and missing tables to non-retryable STORE_UNAVAILABLE, the rest to INTERNAL', () => {
    for (const name of [
      'UnrecognizedClientException',
      'AccessDeniedException',
      'ExpiredTokenException',
      'ResourceNotFoundException',
    ]) {
      expect(mapDynamoDbError(sdkError(name, 400))).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: false });
    }
    const validation = mapDynamoDbError(sdkError('ValidationException', 400));
    expect(validation.toJSON()).toEqual({
      code: 'INTERNAL',
      message: 'A DynamoDB operation failed.',
      retryable: false,
      details: { dynamoDbError: 'ValidationException' },
    });
  });
});

describe('DynamoDB (dynalite) faults', () => {
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

  const put = (table: string, item: Record<string, unknown>) =>
    server.client.send(
      new PutItemCommand({
        TableName: table,
        Item: Object.fromEntries(
          Object.entries(item).map(([name, value]) => [
            name,
            typeof value === 'number' ? { N: String(value) } : { S: String(value) },
          ]),
        ),
      }),
    );

  it('reports a missing table as STORE_UNAVAILABLE', async () => {
    const missing = createDynamoDbStore({ client: server.client, tables: { memory: 'no-such-table' } });
    await expect(missing.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: false });
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('reports a header of an unknown schema version as STORE_CORRUPT naming table and key', async () => {
    const scope: Scope = { tenantId: 'corrupt-1', userId: 'alice' };
    await put('agent-memory', {
      user_id: scopeKey(scope),
      conversation_id: conversationKey('c1'),
      schema_version: 99,
      title: '',
      created_at: 'x',
      updated_at: 'x',
      last_seq: 0,
    });
    const error = await failure(store.conversations.getConversation(scope, 'c1'));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain('agent-memory');
    expect(error.message).toContain(scopeKey(scope));
    expect(error.details).toMatchObject({
      table: 'agent-memory',
      key: { user_id: scopeKey(scope), conversation_id: 'c1' },
    });
  });

  it('reports an unparsable message body as STORE_CORRUPT', async () => {
    const scope: Scope = { tenantId: 'corrupt-2', userId: 'alice' };
    await store.conversations.ensureConversation(scope, 'c1');
    await store.conversations.appendMessages(scope, 'c1', 0, [userMessage('fine')]);
    await put('agent-memory', {
      user_id: scopeKey(scope),
      conversation_id: messageKey('c1', 2),
      schema_version: 1,
      seq: 2,
      body: '{"role":"user","content":[{"type":"text"',
      created_at: 'x',
    });
    const error = await failure(store.conversations.loadMessages(scope, 'c1', { last: 5 }));
    expect(error).toMatchObject({
      code: 'STORE_CORRUPT',
      details: { table: 'agent-memory', key: { conversation_id: 'c1#0000000002' } },
    });
    // A body that is JSON but not a message is corrupt too.
    await put('agent-memory', {
      user_id: scopeKey(scope),
      conversation_id: messageKey('c1', 2),
      schema_version: 1,
      seq: 2,
      body: '"just a string"',
      created_at: 'x',
    });
    await expect(store.conversations.loadMessages(scope, 'c1')).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });

  it('reports an appended message whose key is already taken as STORE_CORRUPT, not as a conflict', async () => {
    const scope: Scope = { tenantId: 'corrupt-3', userId: 'alice' };
    await store.conversations.ensureConversation(scope, 'c1');
    await put('agent-memory', {
      user_id: scopeKey(scope),
      conversation_id: messageKey('c1', 1),
      schema_version: 1,
      seq: 1,
      body: '{}',
      created_at: 'x',
    });
    await expect(store.conversations.appendMessages(scope, 'c1', 0, [userMessage('hi')])).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
    });
    expect((await store.conversations.getConversation(scope, 'c1'))?.lastSeq).toBe(0);
  });

  it('reports run and journal items it cannot read as STORE_CORRUPT', async () => {
    await put('agent-sessions', { session_id: 'corrupt-run', timestamp: 0, schema_version: 1, status: 'exploded' });
    const error = await failure(store.runs.getRunById('corrupt-run'));
    expect(error).toMatchObject({ code: 'STORE_CORRUPT', details: { table: 'agent-sessions' } });
    await put('agent-sessions', {
      session_id: 'corrupt-run',
      timestamp: 1,
      schema_version: 2,
      body: '{}',
      created_at: 'x',
    });
    await expect(store.runs.loadJournal('corrupt-run')).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });
});
