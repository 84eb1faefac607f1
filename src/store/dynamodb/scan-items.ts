import { type DynamoDBDocumentClient, ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { mapped } from './map-dynamodb-error.ts';

/**
 * Items a Scan request evaluates before its FilterExpression (DynamoDB applies Limit first, and
 * stops a page at 1 MB anyway). Bounds what one page of a listing reads past its last item.
 */
const SCAN_BATCH = 500;

/**
 * Scans from `start` (exclusive; any item's primary key works as a position) until `max` items
 * passed the filter or the table ends. Every filtered-out item still costs read capacity: this is
 * for backups, not request paths.
 */
export async function scanItems(
  doc: DynamoDBDocumentClient,
  input: Omit<ScanCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  options: { max: number; start?: Record<string, unknown> | undefined },
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start = options.start;
  do {
    const page = await mapped(
      doc.send(
        new ScanCommand({
          ...input,
          Limit: SCAN_BATCH,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      ),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined && items.length < options.max);
  return items.length > options.max ? items.slice(0, options.max) : items;
}
