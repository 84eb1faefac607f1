import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../scope.ts';
import { isConditionalCheckFailed, mapDynamoDbError, mapped } from './map-dynamodb-error.ts';

/** Where a request from another process (a run's cancel, an execution's stop) is marked. */
export interface RequestMark {
  table: string;
  key: Record<string, unknown>;
  /** The item's partition key attribute: the item must exist. */
  keyAttribute: string;
  /** The attribute holding the mark's time, e.g. `cancel_requested_at`. */
  attribute: string;
  /** The status value the item must have, e.g. `running`. */
  running: string;
}

/**
 * Marks the item if it exists, belongs to `scope` and has the running status; an earlier mark stays
 * (`if_not_exists`). False, marking nothing, otherwise.
 */
export async function markRequest(
  doc: DynamoDBDocumentClient,
  mark: RequestMark,
  scope: Scope,
  at: string,
): Promise<boolean> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: mark.table,
        Key: mark.key,
        UpdateExpression: `SET ${mark.attribute} = if_not_exists(${mark.attribute}, :at)`,
        ConditionExpression: `attribute_exists(${mark.keyAttribute}) AND tenant_id = :tenant AND end_user_id = :user AND #status = :running`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':at': at,
          ':tenant': scope.tenantId,
          ':user': scope.userId,
          ':running': mark.running,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw mapDynamoDbError(error);
  }
}

/** Whether the item carries the mark (a strongly consistent read of that attribute alone). */
export async function isRequested(
  doc: DynamoDBDocumentClient,
  mark: Pick<RequestMark, 'table' | 'key' | 'attribute'>,
): Promise<boolean> {
  const { Item } = await mapped(
    doc.send(
      new GetCommand({
        TableName: mark.table,
        Key: mark.key,
        ConsistentRead: true,
        ProjectionExpression: mark.attribute,
      }),
    ),
  );
  return typeof Item?.[mark.attribute] === 'string';
}
