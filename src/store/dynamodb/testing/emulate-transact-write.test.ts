import {
  type AttributeValue,
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynaliteServer, startDynalite } from './dynalite-server.ts';

const TABLE = 'emulator-items';
const key = (id: string) => ({ pk: { S: id } });

describe('TransactWriteItems emulation over dynalite', () => {
  let server: DynaliteServer;
  beforeAll(async () => {
    server = await startDynalite();
    await server.client.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  const get = async (id: string) =>
    (await server.client.send(new GetItemCommand({ TableName: TABLE, Key: key(id), ConsistentRead: true }))).Item;
  const put = (id: string, extra: Record<string, AttributeValue> = {}) =>
    server.client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key(id), ...extra } }));
  const transact = (input: TransactWriteItemsCommandInput) => server.client.send(new TransactWriteItemsCommand(input));
  const rejection = async (input: TransactWriteItemsCommandInput) => {
    try {
      await transact(input);
    } catch (error) {
      return error as {
        name: string;
        CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[];
      };
    }
    throw new Error('expected the transaction to fail');
  };

  it('applies every write when all conditions hold', async () => {
    await put('a1', { n: { N: '1' } });
    await put('a3');
    await transact({
      TransactItems: [
        {
          Update: {
            TableName: TABLE,
            Key: key('a1'),
            UpdateExpression: 'SET n = n + :one',
            ConditionExpression: 'n = :expected',
            ExpressionAttributeValues: { ':one': { N: '1' }, ':expected': { N: '1' } },
          },
        },
        {
          Put: {
            TableName: TABLE,
            Item: { ...key('a2'), v: { S: 'new' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Delete: { TableName: TABLE, Key: key('a3') } },
        { ConditionCheck: { TableName: TABLE, Key: key('a4'), ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    });
    expect((await get('a1'))?.['n']).toEqual({ N: '2' });
    expect((await get('a2'))?.['v']).toEqual({ S: 'new' });
    expect(await get('a3')).toBeUndefined();
  });

  it('writes nothing when one condition fails, and reports one reason per item with ALL_OLD', async () => {
    await put('b1', { n: { N: '5' } });
    const error = await rejection({
      TransactItems: [
        { Put: { TableName: TABLE, Item: { ...key('b2') } } },
        {
          Update: {
            TableName: TABLE,
            Key: key('b1'),
            UpdateExpression: 'SET n = :n',
            ConditionExpression: 'n = :old',
            ExpressionAttributeValues: { ':n': { N: '6' }, ':old': { N: '4' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          ConditionCheck: {
            TableName: TABLE,
            Key: key('b-missing'),
            ConditionExpression: 'attribute_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ],
    });
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.CancellationReasons).toEqual([
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { ...key('b1'), n: { N: '5' } },
      },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    expect(await get('b2')).toBeUndefined();
    expect(await get('b-missing')).toBeUndefined(); // the probe of a missing item leaves nothing behind
    expect((await get('b1'))?.['n']).toEqual({ N: '5' });
  });

  it('refuses two operations on one item, as DynamoDB does', async () => {
    const error = await rejection({
      TransactItems: [{ Put: { TableName: TABLE, Item: key('c1') } }, { Delete: { TableName: TABLE, Key: key('c1') } }],
    });
    expect(error.name).toBe('ValidationException');
    expect(await get('c1')).toBeUndefined();
  });

  it('is idempotent per ClientRequestToken', async () => {
    const input = (value: string): TransactWriteItemsCommandInput => ({
      ClientRequestToken: 'token-d',
      TransactItems: [
        {
          Update: {
            TableName: TABLE,
            Key: key('d1'),
            UpdateExpression: 'ADD n :one',
            ExpressionAttributeValues: { ':one': { N: value } },
          },
        },
      ],
    });
    await transact(input('1'));
    await transact(input('1'));
    expect((await get('d1'))?.['n']).toEqual({ N: '1' });
    expect((await rejection(input('2'))).name).toBe('IdempotentParameterMismatchException');
  });

  it('is atomic for concurrent clients: each item seq is written once', async () => {
    await put('e-head', { seq: { N: '0' } });
    const attempt = async (writer: number): Promise<void> => {
      for (;;) {
        const head = await get('e-head');
        const seq = Number(head?.['seq']?.N);
        try {
          await transact({
            TransactItems: [
              {
                Update: {
                  TableName: TABLE,
                  Key: key('e-head'),
                  UpdateExpression: 'SET seq = :next',
                  ConditionExpression: 'seq = :seq',
                  ExpressionAttributeValues: { ':next': { N: String(seq + 1) }, ':seq': { N: String(seq) } },
                },
              },
              {
                Put: {
                  TableName: TABLE,
                  Item: { ...key(`e-${seq + 1}`), writer: { N: String(writer) } },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          });
          return;
        } catch (error) {
          if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: 10 }, (_, writer) => attempt(writer)));
    const writers = await Promise.all(
      Array.from({ length: 10 }, async (_, index) => (await get(`e-${index + 1}`))?.['writer']?.N),
    );
    expect(new Set(writers).size).toBe(10);
    expect((await get('e-head'))?.['seq']).toEqual({ N: '10' });
  });
});
