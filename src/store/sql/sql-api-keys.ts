import {
  API_KEY_SCHEMA_VERSION,
  type ApiKeyRecord,
  type ApiKeyStore,
  apiKeyConflict,
  isScopeList,
} from '../api-keys.ts';
import type { SqlClient } from './sql-client.ts';
import { checkSchemaVersion, parseJson, storeCorrupt, toIso } from './sql-rows.ts';

const KEY_COLUMNS =
  'id, tenant_id, user_id, name, scopes, on_behalf, plan, secret_hash, created_at, revoked_at, schema_version';

const CREATE = `
  INSERT INTO api_keys (${KEY_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  ON CONFLICT (id) DO NOTHING
  RETURNING 1 AS created`;

const GET = `SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`;
const LIST_ALL = `SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`;
const LIST_TENANT = `SELECT ${KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id`;

/** Only an unrevoked key changes: a second revoke keeps the first time and reports false. */
const REVOKE = 'UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING 1 AS revoked';

interface KeyRow {
  id: string;
  tenant_id: string;
  user_id: string;
  name: string;
  scopes: unknown;
  on_behalf: unknown;
  plan: string;
  secret_hash: string;
  created_at: unknown;
  revoked_at: unknown;
  schema_version: unknown;
}

function toKey(row: KeyRow): ApiKeyRecord {
  const key = `(${row.id})`;
  if (typeof row.on_behalf !== 'boolean') throw storeCorrupt('api_keys', key, 'column on_behalf is not a boolean');
  const record: ApiKeyRecord = {
    schemaVersion: checkSchemaVersion('api_keys', key, row.schema_version, API_KEY_SCHEMA_VERSION),
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    name: row.name,
    scopes: parseJson('api_keys', key, 'scopes', row.scopes, isScopeList),
    onBehalf: row.on_behalf,
    plan: row.plan,
    secretHash: row.secret_hash,
    createdAt: toIso(row.created_at),
  };
  if (row.revoked_at !== null) record.revokedAt = toIso(row.revoked_at);
  return record;
}

/** API keys in PostgreSQL (server or PGlite); table from 004_api_keys.sql. */
export class SqlApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: SqlClient) {}

  async createKey(record: Omit<ApiKeyRecord, 'schemaVersion'>): Promise<void> {
    const { rows } = await this.db.query(CREATE, [
      record.id,
      record.tenantId,
      record.userId,
      record.name,
      JSON.stringify(record.scopes),
      record.onBehalf,
      record.plan,
      record.secretHash,
      record.createdAt,
      record.revokedAt ?? null,
      API_KEY_SCHEMA_VERSION,
    ]);
    if (rows.length === 0) throw apiKeyConflict(record.id);
  }

  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.db.query<KeyRow>(GET, [id]);
    return rows[0] && toKey(rows[0]);
  }

  async listKeys(options: { tenantId?: string } = {}): Promise<ApiKeyRecord[]> {
    const { rows } =
      options.tenantId === undefined
        ? await this.db.query<KeyRow>(LIST_ALL)
        : await this.db.query<KeyRow>(LIST_TENANT, [options.tenantId]);
    return rows.map(toKey);
  }

  async revokeKey(id: string, at: string): Promise<boolean> {
    const { rows } = await this.db.query(REVOKE, [id, at]);
    return rows.length > 0;
  }
}
