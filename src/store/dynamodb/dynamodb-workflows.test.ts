import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../workflow/events.ts';
import type { Scope } from '../scope.ts';
import type { Store } from '../store.ts';
import { MAX_APPEND_BYTES, MAX_EVENTS_PER_APPEND, MAX_EXECUTION_DATA_BYTES } from '../workflow-validation.ts';
import type { ExecutionRecord } from '../workflows.ts';
import { createDynamoDbStore } from './dynamodb-store.ts';
import { ensureTables } from './ensure-tables.ts';
import { MAX_BODY_BYTES, MAX_ITEM_BYTES, MAX_TRANSACTION_BYTES } from './item-limits.ts';
import { INDEXES } from './tables.ts';
import { type DynaliteServer, startDynalite } from './testing/dynalite-server.ts';
import { MAX_TRANSACTION_ITEMS } from './transact-write.ts';
import { executionKey, executionNameKey, taskTokenKey } from './workflow-keys.ts';

const TABLE = 'agent-workflows';

interface Sent {
  command: string;
  input: Record<string, unknown>;
}

const freshScope = (): Scope => ({ tenantId: `t-${randomUUID()}`, userId: 'alice' });

function newExecution(scope: Scope, overrides: Partial<ExecutionRecord> = {}) {
  const at = new Date().toISOString();
  return {
    id: randomUUID(),
    tenantId: scope.tenantId,
    userId: scope.userId,
    workflow: 'research',
    name: randomUUID(),
    definition: '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}',
    input: { topic: 'x' },
    status: 'RUNNING' as const,
    startedAt: at,
    updatedAt: at,
    leaseOwner: 'worker-a',
    leaseExpiresAt: Date.now() + 60_000,
    ...overrides,
  };
}

const event = (id: number): ExecutionEvent => ({
  type: 'StateEntered',
  state: 'A',
  stateType: 'Pass',
  input: { id },
  id,
  timestamp: '2026-01-01T00:00:00.000Z',
  path: '',
});

describe('DynamoDB workflow store specifics (dynalite)', () => {
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

  const partition = async (key: string) =>
    (
      await DynamoDBDocumentClient.from(server.client).send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'workflow_id = :id',
          ExpressionAttributeValues: { ':id': key },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];

  it('keeps the layout: body at step -1, a small header at 0, events at their ids, name and token items', async () => {
    const scope = freshScope();
    const record = newExecution(scope, { name: 'daily#report' });
    await store.workflows.createExecution(record);
    await store.workflows.appendEvents(record.id, 'worker-a', 0, [event(1), event(2)]);
    const items = await partition(executionKey(record.id));
    expect(items.map((item) => item['step_number'])).toEqual([-1, 0, 1, 2]);
    expect(items[0]).toMatchObject({ definition: record.definition, input: JSON.stringify(record.input) });
    expect(items[1]).not.toHaveProperty('definition');
    expect(items[1]).not.toHaveProperty('input');
    expect(items[1]).toMatchObject({ last_event_id: 2, lease_owner: 'worker-a', resumable: 'RUNNING' });
    expect(JSON.parse(String(items[3]?.['body']))).toEqual(event(2));
    expect(await partition(executionNameKey(record))).toEqual([
      expect.objectContaining({ step_number: 0, execution_id: record.id }),
    ]);
    expect(executionNameKey(record)).toContain('daily%23report');

    const token = `tok-${randomUUID()}`;
    await store.workflows.createTaskToken({
      token,
      executionId: record.id,
      tenantId: scope.tenantId,
      stateName: 'Approve',
      createdAt: record.startedAt,
    });
    expect(await partition(taskTokenKey(token))).toEqual([
      expect.objectContaining({ step_number: 0, status: 'waiting', execution_id: record.id }),
    ]);
  });

  it('appends events and a finish in one TransactWriteItems, and leaves the lease index on finishing', async () => {
    const scope = freshScope();
    const record = newExecution(scope);
    await store.workflows.createExecution(record);
    sent.length = 0;
    const events = Array.from({ length: MAX_EVENTS_PER_APPEND }, (_, index) => event(index + 1));
    await store.workflows.appendEvents(record.id, 'worker-a', 0, events, {
      status: 'SUCCEEDED',
      stoppedAt: record.startedAt,
      output: { done: true },
    });
    expect(sent.map((command) => command.command)).toEqual(['TransactWriteItemsCommand']);
    const transactItems = sent[0]?.input['TransactItems'] as unknown[];
    expect(transactItems).toHaveLength(MAX_TRANSACTION_ITEMS);
    const header = (await partition(executionKey(record.id)))[1];
    expect(header).toMatchObject({ status: 'SUCCEEDED', last_event_id: MAX_EVENTS_PER_APPEND });
    for (const gone of ['lease_owner', 'lease_expires_at', 'resumable', 'resume_at']) {
      expect(header).not.toHaveProperty(gone);
    }
    const abandoned = await store.workflows.listAbandonedExecutions(Date.now() + 86_400_000, 1_000);
    expect(abandoned.map((execution) => execution.id)).not.toContain(record.id);
  });

  it('refuses a definition and input too large for one item with EXECUTION_DATA_TOO_LARGE, writing nothing', async () => {
    const scope = freshScope();
    const record = newExecution(scope, {
      definition: `{"Comment":"${'d'.repeat(MAX_BODY_BYTES - MAX_EXECUTION_DATA_BYTES + 100)}"}`,
      input: 'i'.repeat(MAX_EXECUTION_DATA_BYTES - 10),
    });
    await expect(store.workflows.createExecution(record)).rejects.toMatchObject({
      code: 'EXECUTION_DATA_TOO_LARGE',
      details: { limit: MAX_BODY_BYTES, unit: 'bytes' },
    });
    expect(await partition(executionNameKey(record))).toEqual([]);
    expect(await partition(executionKey(record.id))).toEqual([]);
    // A large definition alone fits.
    const fits = newExecution(scope, { definition: `{"Comment":"${'d'.repeat(MAX_BODY_BYTES - 1000)}"}` });
    expect((await store.workflows.createExecution(fits)).created).toBe(true);
    expect((await store.workflows.getExecutionById(fits.id))?.definition).toBe(fits.definition);
  });

  it('keeps the shared limits inside what one item and one transaction hold', () => {
    const ITEM_OVERHEAD_BYTES = MAX_ITEM_BYTES - MAX_BODY_BYTES;
    expect(MAX_EXECUTION_DATA_BYTES + ITEM_OVERHEAD_BYTES).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(MAX_EVENTS_PER_APPEND + 1).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
    // Events, one overhead per item, and a header holding the largest result.
    const worst = MAX_APPEND_BYTES + MAX_TRANSACTION_ITEMS * ITEM_OVERHEAD_BYTES + MAX_EXECUTION_DATA_BYTES;
    expect(worst).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
  });

  it('creates the sparse indexes: by scope (workflow and status projected) and by lease (keys only)', async () => {
    const { Table } = await server.client.send(new DescribeTableCommand({ TableName: TABLE }));
    const indexes = Object.fromEntries((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
    expect(indexes[INDEXES.executionsByScope]?.Projection).toEqual({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: ['workflow', 'status'],
    });
    expect(indexes[INDEXES.executionsByLease]?.Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
  });

  it('reports an unreadable header as STORE_CORRUPT naming the table and key', async () => {
    const scope = freshScope();
    const record = newExecution(scope);
    await store.workflows.createExecution(record);
    await server.client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { workflow_id: { S: executionKey(record.id) }, step_number: { N: '0' } },
        UpdateExpression: 'SET schema_version = :future',
        ExpressionAttributeValues: { ':future': { N: '99' } },
      }),
    );
    await expect(store.workflows.getExecution(scope, record.id)).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      details: { table: TABLE },
    });
  });

  it('treats ids and tokens no item can have as missing', async () => {
    const scope = freshScope();
    const lone = '\ud800';
    expect(await store.workflows.getExecutionById(lone)).toBeUndefined();
    expect(await store.workflows.loadEvents(lone)).toEqual([]);
    await expect(store.workflows.appendEvents(lone, 'w', 0, [event(1)])).rejects.toMatchObject({
      code: 'EXECUTION_NOT_FOUND',
    });
    await expect(store.workflows.acquireLease(lone, 'w', 0, 1)).rejects.toMatchObject({ code: 'EXECUTION_NOT_FOUND' });
    expect(await store.workflows.getTaskToken(scope, lone)).toBeUndefined();
    await expect(
      store.workflows.completeTaskToken(scope, lone, { status: 'succeeded', output: 1 }, 'now'),
    ).rejects.toMatchObject({ code: 'TASK_TOKEN_INVALID' });
  });
});
