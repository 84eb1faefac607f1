import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AgentryError } from '../../errors.ts';
import {
  API_KEY_SCHEMA_VERSION,
  type ApiKeyRecord,
  type ApiKeyStore,
  apiKeyConflict,
  byCreation,
  isScopeList,
} from '../api-keys.ts';
import { ItemReader } from './item-reader.ts';
import { isConditionalCheckFailed, mapDynamoDbError, mapped } from './map-dynamodb-error.ts';
import { scanItems } from './scan-items.ts';

const KEY_NAMES = ['key_id'] as const;
/** DynamoDB refuses empty key values and keys over 2,048 bytes; no real key id comes near. */
const MAX_ID_BYTES = 512;

const storable = (id: string) => id.length > 0 && Buffer.byteLength(id) <= MAX_ID_BYTES;

function keyItem(record: Omit<ApiKeyRecord, 'schemaVersion'>): Record<string, unknown> {
  return {
    key_id: record.id,
    schema_version: API_KEY_SCHEMA_VERSION,
    tenant_id: record.tenantId,
    user_id: record.userId,
    name: record.name,
    scopes: JSON.stringify(record.scopes),
    on_behalf: record.onBehalf,
    plan: record.plan,
    secret_hash: record.secretHash,
    created_at: record.createdAt,
    ...(record.revokedAt === undefined ? {} : { revoked_at: record.revokedAt }),
  };
}

function readKey(table: string, item: Record<string, unknown>): ApiKeyRecord {
  const reader = new ItemReader(table, item, KEY_NAMES).checkSchemaVersion(API_KEY_SCHEMA_VERSION);
  const record: ApiKeyRecord = {
    schemaVersion: API_KEY_SCHEMA_VERSION,
    id: reader.string('key_id'),
    tenantId: reader.string('tenant_id'),
    userId: reader.string('user_id'),
    name: reader.string('name'),
    scopes: reader.json('scopes', isScopeList),
    onBehalf: reader.boolean('on_behalf'),
    plan: reader.string('plan'),
    secretHash: reader.string('secret_hash'),
    createdAt: reader.string('created_at'),
  };
  const revokedAt = reader.optionalString('revoked_at');
  if (revokedAt !== undefined) record.revokedAt = revokedAt;
  return record;
}

/**
 * API keys in the agent-api-keys table, one item per key (`key_id`). Reads are strongly
 * consistent, so a revocation is visible to the next lookup; listKeys scans the table.
 */
export class DynamoDbApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async createKey(record: Omit<ApiKeyRecord, 'schemaVersion'>): Promise<void> {
    if (!storable(record.id)) {
      throw new AgentryError('INPUT_INVALID', `An API key id must be 1 to ${MAX_ID_BYTES} bytes.`);
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: keyItem(record),
          ConditionExpression: 'attribute_not_exists(key_id)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw apiKeyConflict(record.id);
      throw mapDynamoDbError(error);
    }
  }

  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    if (!storable(id)) return undefined;
    const { Item } = await mapped(
      this.doc.send(new GetCommand({ TableName: this.table, Key: { key_id: id }, ConsistentRead: true })),
    );
    return Item && readKey(this.table, Item);
  }

  async listKeys(options: { tenantId?: string } = {}): Promise<ApiKeyRecord[]> {
    const filtered = options.tenantId !== undefined;
    const items = await scanItems(
      this.doc,
      {
        TableName: this.table,
        ConsistentRead: true,
        ...(filtered
          ? { FilterExpression: 'tenant_id = :tenant', ExpressionAttributeValues: { ':tenant': options.tenantId } }
          : {}),
      },
      { max: Number.POSITIVE_INFINITY },
    );
    return items.map((item) => readKey(this.table, item)).sort(byCreation);
  }

  async revokeKey(id: string, at: string): Promise<boolean> {
    if (!storable(id)) return false;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { key_id: id },
          UpdateExpression: 'SET revoked_at = :at',
          ConditionExpression: 'attribute_exists(key_id) AND attribute_not_exists(revoked_at)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw mapDynamoDbError(error);
    }
  }
}
