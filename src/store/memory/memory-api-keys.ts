import {
  API_KEY_SCHEMA_VERSION,
  type ApiKeyRecord,
  type ApiKeyStore,
  apiKeyConflict,
  byCreation,
} from '../api-keys.ts';

/** API keys in process memory; same contracts as the durable backends. */
export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, ApiKeyRecord>();

  async createKey(record: Omit<ApiKeyRecord, 'schemaVersion'>): Promise<void> {
    if (this.keys.has(record.id)) throw apiKeyConflict(record.id);
    this.keys.set(record.id, structuredClone({ schemaVersion: API_KEY_SCHEMA_VERSION, ...record }));
  }

  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    const record = this.keys.get(id);
    return record && structuredClone(record);
  }

  async listKeys(options: { tenantId?: string } = {}): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()]
      .filter((record) => options.tenantId === undefined || record.tenantId === options.tenantId)
      .sort(byCreation)
      .map((record) => structuredClone(record));
  }

  async revokeKey(id: string, at: string): Promise<boolean> {
    const record = this.keys.get(id);
    if (!record || record.revokedAt !== undefined) return false;
    record.revokedAt = at;
    return true;
  }
}
