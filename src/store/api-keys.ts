import { ALL_SCOPES, type ApiScope } from '../auth/identity.ts';
import { AgentryError } from '../errors.ts';

export const API_KEY_SCHEMA_VERSION = 1;

/**
 * A stored API key. The key itself (`agk_<id>_<secret>`, src/auth/api-keys.ts) is shown once at
 * creation and never stored: only `secretHash`, the hex SHA-256 of the secret's bytes, is. Keys
 * belong to no user scope (`getKey` reads any id): the verifier looks them up before it knows who
 * is calling.
 */
export interface ApiKeyRecord {
  schemaVersion: number;
  /** 16 lowercase base32 characters; unique across tenants. */
  id: string;
  tenantId: string;
  userId: string;
  /** For people (`agentry keys list`); may be empty. */
  name: string;
  scopes: ApiScope[];
  /** The key may name another user of its own tenant per request (a trusted backend). */
  onBehalf: boolean;
  /** Usage plan name, for the rate limiter. */
  plan: string;
  secretHash: string;
  createdAt: string;
  /** Set once by revokeKey; a revoked key never authenticates again. */
  revokedAt?: string;
}

export interface ApiKeyStore {
  /** Stores a new key. Fails with API_KEY_CONFLICT if the id exists (revoked or not). */
  createKey(record: Omit<ApiKeyRecord, 'schemaVersion'>): Promise<void>;
  /** Any key by id, revoked ones included; undefined when there is none. Strongly consistent. */
  getKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every key (of one tenant, if given), revoked ones included, oldest first. Admin use, not request paths. */
  listKeys(options?: { tenantId?: string }): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked at `at`. False when there is no such key or it was already revoked (kept as is). */
  revokeKey(id: string, at: string): Promise<boolean>;
}

/** Shared by every backend so the code and message are identical everywhere. */
export function apiKeyConflict(id: string): AgentryError {
  return new AgentryError('API_KEY_CONFLICT', `API key ${id} already exists.`, { details: { keyId: id } });
}

/** A stored scope list this release understands (reading rows back). */
export function isScopeList(value: unknown): value is ApiScope[] {
  return Array.isArray(value) && value.every((scope) => (ALL_SCOPES as readonly unknown[]).includes(scope));
}

/** listKeys order: oldest first, ties by id. */
export function byCreation(a: ApiKeyRecord, b: ApiKeyRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
