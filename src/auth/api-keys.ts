import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';
import { AgentryError } from '../errors.ts';
import { API_KEY_SCHEMA_VERSION, type ApiKeyRecord, type ApiKeyStore } from '../store/api-keys.ts';
import { ALL_SCOPES, type ApiScope, type Identity } from './identity.ts';
import { TtlCache } from './ttl-cache.ts';

/**
 * API keys: `agk_<id>_<secret>`. The id (16 lowercase base32 characters, 80 random bits) names the
 * stored record; the secret (32 random bytes, base64url, 43 characters) proves possession. Only
 * the SHA-256 of the secret's bytes is stored: the secret has 256 bits of entropy, so a fast,
 * unsalted hash cannot be brute-forced, and a leaked table grants nothing. The key is returned once,
 * by createApiKey, and never logged, stored or returned again; neither is its hash.
 */

export const API_KEY_PREFIX = 'agk_';
const ID_BYTES = 10;
const SECRET_BYTES = 32;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** The whole grammar: the fixed lengths make the `_` inside base64url secrets unambiguous. */
const KEY_PATTERN = /^agk_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$/;

/** How long the verifier trusts a lookup: a revocation takes effect within this time. */
export const API_KEY_CACHE_TTL_MS = 10_000;
export const API_KEY_CACHE_MAX_ENTRIES = 10_000;

/** A key record without its secret hash: what may be shown (CLI, logs). */
export type ApiKeyInfo = Omit<ApiKeyRecord, 'secretHash'>;

export interface ParsedApiKey {
  id: string;
  secret: Buffer;
}

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Splits a presented key into id and secret bytes, or undefined for anything that is not exactly
 * a key this module could have generated (wrong prefix, length, alphabet, or a non-canonical
 * base64url ending). Nothing is looked up for a malformed key.
 */
export function parseApiKey(raw: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(raw);
  if (!match) return undefined;
  const [, id, encoded] = match;
  if (id === undefined || encoded === undefined) return undefined;
  const secret = Buffer.from(encoded, 'base64url');
  if (secret.length !== SECRET_BYTES || secret.toString('base64url') !== encoded) return undefined;
  return { id, secret };
}

/** Hex SHA-256 of the secret's bytes: the only form of the secret that is stored. */
export function hashSecret(secret: Buffer): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Whether the presented secret matches the record, compared in constant time. A stored hash of the
 * wrong length (a corrupt record) never matches.
 */
export function secretMatches(record: Pick<ApiKeyRecord, 'secretHash'>, secret: Buffer): boolean {
  const expected = Buffer.from(record.secretHash, 'hex');
  const actual = createHash('sha256').update(secret).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The record without its secret hash. */
export function describeKey({ secretHash: _hidden, ...info }: ApiKeyRecord): ApiKeyInfo {
  return info;
}

export interface NewApiKey {
  tenantId: string;
  userId: string;
  name?: string | undefined;
  scopes: readonly ApiScope[];
  onBehalf: boolean;
  plan: string;
}

export interface CreateApiKeyOptions {
  now?: () => Date;
  randomBytes?: (size: number) => Buffer;
}

const NO_CONTROL = /^[^\p{Cc}]*$/u;
const PLAN = /^[A-Za-z0-9._-]{1,64}$/;

function invalid(field: string, problem: string): AgentryError {
  return new AgentryError('INPUT_INVALID', `API key ${field} ${problem}.`, { details: { field } });
}

function checkNewKey(input: NewApiKey): void {
  for (const field of ['tenantId', 'userId'] as const) {
    const value = input[field];
    if (value.length < 1 || value.length > 128 || !NO_CONTROL.test(value))
      throw invalid(field, 'must be 1 to 128 characters without control characters');
  }
  if ((input.name ?? '').length > 200 || !NO_CONTROL.test(input.name ?? ''))
    throw invalid('name', 'must be at most 200 characters without control characters');
  if (input.scopes.length === 0) throw invalid('scopes', 'must name at least one scope');
  const unknown = input.scopes.filter((scope) => !ALL_SCOPES.includes(scope));
  if (unknown.length > 0) throw invalid('scopes', `must be among ${ALL_SCOPES.join(', ')} (got ${unknown.join(', ')})`);
  if (!PLAN.test(input.plan)) throw invalid('plan', 'must be 1 to 64 letters, digits, dots, underscores or dashes');
}

/**
 * Creates and stores a new key. The returned `key` is the only copy of the secret: show it once.
 * Fails with INPUT_INVALID for a bad field, API_KEY_CONFLICT in the (80-bit) event of an id clash.
 */
export async function createApiKey(
  store: ApiKeyStore,
  input: NewApiKey,
  options: CreateApiKeyOptions = {},
): Promise<{ key: string; record: ApiKeyInfo }> {
  checkNewKey(input);
  const random = options.randomBytes ?? cryptoRandomBytes;
  const id = base32(random(ID_BYTES));
  const secret = random(SECRET_BYTES);
  const record: Omit<ApiKeyRecord, 'schemaVersion'> = {
    id,
    tenantId: input.tenantId,
    userId: input.userId,
    name: input.name ?? '',
    scopes: ALL_SCOPES.filter((scope) => input.scopes.includes(scope)),
    onBehalf: input.onBehalf,
    plan: input.plan,
    secretHash: hashSecret(secret),
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
  };
  await store.createKey(record);
  return {
    key: `${API_KEY_PREFIX}${id}_${secret.toString('base64url')}`,
    record: describeKey({ schemaVersion: API_KEY_SCHEMA_VERSION, ...record }),
  };
}

/** The record a raw key stands for, if it is well formed, stored, unrevoked and its secret matches. Uncached. */
export async function findValidKey(store: ApiKeyStore, rawKey: string): Promise<ApiKeyInfo | undefined> {
  const parsed = parseApiKey(rawKey);
  const record = parsed && (await store.getKey(parsed.id));
  return record && parsed && secretMatches(record, parsed.secret) && record.revokedAt === undefined
    ? describeKey(record)
    : undefined;
}

export interface ApiKeyVerifierOptions {
  /** How long a lookup (found or not) is reused; default API_KEY_CACHE_TTL_MS. */
  ttlMs?: number;
  /** Key ids remembered at most, least recently used evicted first; default API_KEY_CACHE_MAX_ENTRIES. */
  maxEntries?: number;
  /** Milliseconds clock for the cache. */
  now?: () => number;
}

/**
 * Turns a presented key into the caller's Identity (ServerRuntime.authenticate).
 *
 * Lookups are cached per key id, found or not, for `ttlMs`, so a request costs no store round trip
 * and a flood of one unknown id costs one; concurrent lookups of one id share one store call. The
 * cache holds records, never secrets: every call still hashes the presented secret and compares it
 * with `timingSafeEqual`. Contract: a revocation takes effect within `ttlMs` on every process (a
 * process that looked the key up just before keeps accepting it until its entry expires). Store
 * failures are not cached and propagate (STORE_UNAVAILABLE → 503), so an outage never looks like
 * a bad key.
 */
export class ApiKeyVerifier {
  private readonly cache: TtlCache<string, Promise<ApiKeyRecord | undefined>>;

  constructor(
    private readonly store: ApiKeyStore,
    options: ApiKeyVerifierOptions = {},
  ) {
    this.cache = new TtlCache({
      ttlMs: options.ttlMs ?? API_KEY_CACHE_TTL_MS,
      maxEntries: options.maxEntries ?? API_KEY_CACHE_MAX_ENTRIES,
      now: options.now ?? Date.now,
    });
  }

  async verify(rawKey: string): Promise<Identity | undefined> {
    const parsed = parseApiKey(rawKey);
    if (!parsed) return undefined;
    const record = await this.lookup(parsed.id);
    if (!record || !secretMatches(record, parsed.secret) || record.revokedAt !== undefined) return undefined;
    return {
      keyId: record.id,
      tenantId: record.tenantId,
      userId: record.userId,
      scopes: new Set(record.scopes),
      onBehalf: record.onBehalf,
      plan: record.plan,
    };
  }

  private lookup(id: string): Promise<ApiKeyRecord | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const pending = this.store.getKey(id);
    this.cache.set(id, pending);
    pending.catch(() => {
      if (this.cache.get(id) === pending) this.cache.delete(id);
    });
    return pending;
  }
}
