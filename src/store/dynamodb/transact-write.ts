import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { AgentryError } from '../../errors.ts';
import { errorName, mapDynamoDbError } from './map-dynamodb-error.ts';

/** One TransactWriteItems holds at most 100 items. */
export const MAX_TRANSACTION_ITEMS = 100;

/** A transaction DynamoDB cancelled because another one touched the same items: retryable. */
export function transactionContention(): AgentryError {
  return new AgentryError('STORE_UNAVAILABLE', 'DynamoDB cancelled the write under contention; retry it.', {
    retryable: true,
  });
}

export interface CancellationReason {
  /** 'None', 'ConditionalCheckFailed', 'TransactionConflict', 'ThrottlingError', 'ValidationError', … */
  code: string;
  /** The item as it was, in wire format, when the item asked for ALL_OLD on a failed condition. */
  item?: Record<string, AttributeValue>;
}

export type TransactResult = { ok: true } | { ok: false; reasons: CancellationReason[] };

export interface TransactOptions {
  sleep?: (ms: number) => Promise<void>;
}

/** Delays before retrying a cancellation caused only by contention. */
const CONFLICT_RETRY_DELAYS_MS = [5, 25];

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function reasonsOf(error: unknown): CancellationReason[] | undefined {
  if (errorName(error) !== 'TransactionCanceledException') return undefined;
  const raw = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] })
    .CancellationReasons;
  return (raw ?? []).map((reason) => ({
    code: reason.Code ?? 'None',
    ...(reason.Item === undefined ? {} : { item: reason.Item }),
  }));
}

/**
 * Sends one TransactWriteItems: all items are written or none. A cancellation is returned with one
 * reason per TransactItem in request order, for the caller to turn into a domain error.
 *
 * Contention ('TransactionConflict': another transaction or write touched one of the items at the
 * same moment) wrote nothing; when it is the only failure the same request is sent again, since its
 * conditions are re-evaluated on every attempt. Throttling becomes STORE_UNAVAILABLE (retryable).
 */
export async function transactWrite(
  doc: DynamoDBDocumentClient,
  input: TransactWriteCommandInput,
  options: TransactOptions = {},
): Promise<TransactResult> {
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    let reasons: CancellationReason[];
    try {
      await doc.send(new TransactWriteCommand(input));
      return { ok: true };
    } catch (error) {
      const cancelled = reasonsOf(error);
      if (cancelled === undefined) throw mapDynamoDbError(error);
      reasons = cancelled;
      const codes = new Set(reasons.map((reason) => reason.code));
      if (codes.has('ThrottlingError')) {
        throw new AgentryError('STORE_UNAVAILABLE', 'DynamoDB is throttling requests; retry later.', {
          retryable: true,
          cause: error,
        });
      }
      if (codes.has('ValidationError') || codes.has('ItemCollectionSizeLimitExceeded')) {
        throw new AgentryError('INTERNAL', 'DynamoDB rejected a transaction.', { cause: error });
      }
    }
    const delay = CONFLICT_RETRY_DELAYS_MS[attempt];
    const onlyContention =
      reasons.some((reason) => reason.code === 'TransactionConflict') &&
      reasons.every((reason) => reason.code === 'TransactionConflict' || reason.code === 'None');
    if (!onlyContention || delay === undefined) return { ok: false, reasons };
    await sleep(delay);
  }
}

/** Reads a string attribute of a wire-format item (cancellation reasons are not unmarshalled). */
export function wireString(item: Record<string, AttributeValue> | undefined, name: string): string | undefined {
  const value = item?.[name];
  return value !== undefined && 'S' in value && typeof value.S === 'string' ? value.S : undefined;
}

export function wireNumber(item: Record<string, AttributeValue> | undefined, name: string): number | undefined {
  const value = item?.[name];
  return value !== undefined && 'N' in value && typeof value.N === 'string' ? Number(value.N) : undefined;
}
