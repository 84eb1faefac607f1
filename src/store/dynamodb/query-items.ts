import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mapped } from './map-dynamodb-error.ts';

/**
 * Runs a Query to the end or until `max` items, following LastEvaluatedKey: a page stops at 1 MB,
 * so even a `Limit: N` read of large items can need more than one request.
 *
 * Without a FilterExpression, each request asks for exactly the items still missing. With one,
 * DynamoDB applies Limit before filtering, so requests read `pageSize` items each instead.
 */
export async function queryItems(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  options: { max?: number; pageSize?: number } = {},
): Promise<Record<string, unknown>[]> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const missing = max - items.length;
    const limit = input.FilterExpression === undefined && Number.isFinite(missing) ? missing : options.pageSize;
    const page = await mapped(
      doc.send(
        new QueryCommand({
          ...input,
          ...(limit === undefined ? {} : { Limit: limit }),
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      ),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined && items.length < max);
  return items.length > max ? items.slice(0, max) : items;
}
