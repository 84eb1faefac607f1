import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AgentryError } from '../../errors.ts';
import { mapped } from './map-dynamodb-error.ts';

/** One BatchGetItem reads at most 100 keys. */
const MAX_BATCH_KEYS = 100;
/** Waits before asking again for keys DynamoDB left unprocessed (throttling, 16 MB replies). */
const RETRY_DELAYS_MS = [10, 50, 200, 500];

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads items of one table by key, strongly consistent, in requests of 100 keys, asking again for unprocessed
 * keys with backoff. Items come back in no particular order; missing keys are simply absent.
 */
export async function batchGetItems(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<Record<string, unknown>[]> {
  const sleep = options.sleep ?? defaultSleep;
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += MAX_BATCH_KEYS) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + MAX_BATCH_KEYS);
    for (let attempt = 0; pending.length > 0; attempt++) {
      const reply = await mapped(
        doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } })),
      );
      items.push(...(reply.Responses?.[table] ?? []));
      pending = reply.UnprocessedKeys?.[table]?.Keys ?? [];
      if (pending.length === 0) break;
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        throw new AgentryError('STORE_UNAVAILABLE', 'DynamoDB kept leaving keys of a batch read unprocessed.', {
          retryable: true,
        });
      }
      await sleep(delay);
    }
  }
  return items;
}
