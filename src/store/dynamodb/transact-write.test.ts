import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { transactWrite } from './transact-write.ts';

const cancelled = (...codes: string[]) =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

/** A document client whose send() plays the given outcomes in order and fails on an extra call. */
function scripted(outcomes: (Error | 'ok')[]) {
  let calls = 0;
  const doc = {
    send: async () => {
      const outcome = outcomes[calls++];
      if (outcome === undefined) throw new Error('unexpected extra send');
      if (outcome !== 'ok') throw outcome;
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, calls: () => calls };
}

describe('transactWrite', () => {
  const input = { TransactItems: [] };

  it('retries a cancellation caused only by contention, then succeeds', async () => {
    const { doc, calls } = scripted([
      cancelled('TransactionConflict', 'None'),
      cancelled('None', 'TransactionConflict'),
      'ok',
    ]);
    const slept: number[] = [];
    const result = await transactWrite(doc, input, { sleep: async (ms) => void slept.push(ms) });
    expect(result).toEqual({ ok: true });
    expect(calls()).toBe(3);
    expect(slept).toEqual([5, 25]);
  });

  it('gives up on contention after its retries and returns the reasons', async () => {
    const conflict = cancelled('TransactionConflict');
    const { doc } = scripted([conflict, conflict, conflict]);
    expect(await transactWrite(doc, input, { sleep: async () => {} })).toEqual({
      ok: false,
      reasons: [{ code: 'TransactionConflict' }],
    });
  });

  it('returns a failed condition at once, with the old item when DynamoDB sent one', async () => {
    const item = { last_seq: { N: '4' } };
    const error = Object.assign(cancelled(), {
      CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: item }, { Code: 'TransactionConflict' }],
    });
    const { doc, calls } = scripted([error]);
    expect(await transactWrite(doc, input)).toEqual({
      ok: false,
      reasons: [{ code: 'ConditionalCheckFailed', item }, { code: 'TransactionConflict' }],
    });
    expect(calls()).toBe(1);
  });

  it('maps throttled transactions to STORE_UNAVAILABLE and other errors through the SDK mapping', async () => {
    await expect(transactWrite(scripted([cancelled('ThrottlingError', 'None')]).doc, input)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      retryable: true,
    });
    await expect(transactWrite(scripted([cancelled('ValidationError')]).doc, input)).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    const network = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await expect(transactWrite(scripted([network]).doc, input)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
