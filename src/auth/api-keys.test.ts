import { createHash, timingSafeEqual } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { ApiKeyStore } from '../store/api-keys.ts';
import { MemoryApiKeyStore } from '../store/memory/memory-api-keys.ts';
import {
  API_KEY_CACHE_TTL_MS,
  ApiKeyVerifier,
  createApiKey,
  findValidKey,
  type NewApiKey,
  parseApiKey,
} from './api-keys.ts';

// Wraps (does not replace) timingSafeEqual, so a test can see that the verifier compares with it.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const KEY_SHAPE = /^agk_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/;
const alice: NewApiKey = {
  tenantId: 't1',
  userId: 'alice',
  name: 'laptop',
  scopes: ['agents:run', 'conversations:read'],
  onBehalf: false,
  plan: 'default',
};

/** A memory key store that records every getKey, to count store round trips. */
function countingStore() {
  const inner = new MemoryApiKeyStore();
  const lookups: string[] = [];
  let failNext = false;
  const store: ApiKeyStore = {
    createKey: (record) => inner.createKey(record),
    getKey: async (id) => {
      lookups.push(id);
      if (failNext) {
        failNext = false;
        throw new Error('store down');
      }
      return inner.getKey(id);
    },
    listKeys: (options) => inner.listKeys(options),
    revokeKey: (id, at) => inner.revokeKey(id, at),
  };
  return { store, inner, lookups, failOnce: () => (failNext = true) };
}

/** Flips one character of the secret to another valid one: same length, same alphabet. */
function wrongSecret(key: string): string {
  const index = key.length - 10;
  return key.slice(0, index) + (key[index] === 'A' ? 'B' : 'A') + key.slice(index + 1);
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * 43 base64url characters carry 258 bits for 256: the last character's 2 spare bits are zero. The
 * next character sets one, decoding to the same bytes: a second spelling of the same key.
 */
function nonCanonical(key: string): string {
  const twin = `${key.slice(0, -1)}${BASE64URL[BASE64URL.indexOf(key.at(-1)!) + 1]}`;
  expect(Buffer.from(twin.slice(21), 'base64url')).toEqual(Buffer.from(key.slice(21), 'base64url'));
  return twin;
}

describe('API key format', () => {
  it('is agk_<16 base32 id chars>_<43 base64url secret chars>, from injected randomness', async () => {
    const { store } = countingStore();
    const fixed = (size: number) => (size === 10 ? Buffer.from('foobarbazq') : Buffer.alloc(size, 0xfb));
    const { key, record } = await createApiKey(store, alice, { randomBytes: fixed });
    expect(key).toBe(`agk_mzxw6ytbojrgc6tr_${Buffer.alloc(32, 0xfb).toString('base64url')}`);
    expect(key).toMatch(KEY_SHAPE);
    expect(record.id).toBe('mzxw6ytbojrgc6tr');
    const random = await createApiKey(store, alice);
    expect(random.key).toMatch(KEY_SHAPE);
    expect(random.record.id).not.toBe(record.id);
  });

  it('stores only the SHA-256 of the secret, and returns neither secret nor hash in the record', async () => {
    const { store, inner } = countingStore();
    const now = () => new Date('2025-05-01T10:00:00.000Z');
    const { key, record } = await createApiKey(store, { ...alice, scopes: ['admin', 'agents:run'] }, { now });
    const secret = key.slice('agk_'.length + 17);
    const stored = await inner.getKey(record.id);
    expect(stored?.secretHash).toBe(createHash('sha256').update(Buffer.from(secret, 'base64url')).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(record).toEqual({
      schemaVersion: 1,
      id: record.id,
      tenantId: 't1',
      userId: 'alice',
      name: 'laptop',
      scopes: ['agents:run', 'admin'],
      onBehalf: false,
      plan: 'default',
      createdAt: '2025-05-01T10:00:00.000Z',
    });
    expect(JSON.stringify(record)).not.toContain(stored!.secretHash);
  });

  it('parses strictly', async () => {
    const { key } = await createApiKey(countingStore().store, alice);
    expect(parseApiKey(key)?.secret).toHaveLength(32);
    const secretPart = key.slice(21);
    for (const bad of [
      '',
      'agk_',
      key.slice(0, -1),
      `${key}A`,
      ` ${key}`,
      `${key}\n`,
      key.replace('agk_', 'agx_'),
      key.replace('agk_', 'AGK_'),
      `agk_${key.slice(4, 20).toUpperCase()}_${secretPart}`,
      `agk_${'1'.repeat(16)}_${secretPart}`,
      `${key.slice(0, 20)}-${key.slice(21)}`,
      nonCanonical(key),
      'x'.repeat(10_000),
    ]) {
      if (bad === key) continue;
      expect(parseApiKey(bad), JSON.stringify(bad.slice(0, 80))).toBeUndefined();
    }
  });

  it('validates new keys', async () => {
    const { store } = countingStore();
    for (const bad of [
      { ...alice, scopes: [] },
      { ...alice, scopes: ['root' as 'admin'] },
      { ...alice, tenantId: '' },
      { ...alice, userId: 'a\u0000b' },
      { ...alice, plan: 'gold plan' },
      { ...alice, name: 'x'.repeat(201) },
    ]) {
      await expect(createApiKey(store, bad)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    }
    expect(await store.listKeys()).toEqual([]);
  });
});

describe('ApiKeyVerifier', () => {
  it('turns a valid key into its identity; unknown, wrong-secret and revoked keys into nothing', async () => {
    const { store } = countingStore();
    const verifier = new ApiKeyVerifier(store);
    const { key, record } = await createApiKey(store, { ...alice, onBehalf: true, plan: 'gold' });
    const identity = await verifier.verify(key);
    expect(identity).toEqual({
      keyId: record.id,
      tenantId: 't1',
      userId: 'alice',
      scopes: new Set(['agents:run', 'conversations:read']),
      onBehalf: true,
      plan: 'gold',
    });
    expect(await verifier.verify(wrongSecret(key))).toBeUndefined();
    const other = await createApiKey(store, alice);
    // A real secret presented under another key's id.
    expect(await verifier.verify(`agk_${record.id}_${other.key.slice(21)}`)).toBeUndefined();
    expect(await verifier.verify(`agk_${'a'.repeat(16)}_${key.slice(21)}`)).toBeUndefined();

    await store.revokeKey(other.record.id, new Date().toISOString());
    expect(await new ApiKeyVerifier(store).verify(other.key)).toBeUndefined();
    expect(await findValidKey(store, other.key)).toBeUndefined();
    expect(await findValidKey(store, key)).toMatchObject({ id: record.id });
  });

  it('compares secret hashes with timingSafeEqual, also for a wrong secret of the same length', async () => {
    const { store } = countingStore();
    const { key } = await createApiKey(store, alice);
    const compare = vi.mocked(timingSafeEqual);
    compare.mockClear();
    const wrong = wrongSecret(key);
    expect(wrong).toHaveLength(key.length);
    expect(await new ApiKeyVerifier(store).verify(wrong)).toBeUndefined();
    expect(compare).toHaveBeenCalledTimes(1);
    const [expected, actual] = compare.mock.calls[0]!;
    expect([expected.byteLength, actual.byteLength]).toEqual([32, 32]);
    expect(compare.mock.results[0]?.value).toBe(false);
  });

  it('looks nothing up for malformed keys', async () => {
    const { store, lookups } = countingStore();
    const verifier = new ApiKeyVerifier(store);
    for (const bad of ['', 'nope', 'agk_x', `agk_${'a'.repeat(16)}_short`, 'Bearer agk_', 'x'.repeat(100_000)]) {
      expect(await verifier.verify(bad)).toBeUndefined();
    }
    expect(lookups).toEqual([]);
  });

  it('caches found and missing keys for the TTL; a revocation takes effect once it expires', async () => {
    const { store, lookups } = countingStore();
    let clock = 1_000_000;
    const verifier = new ApiKeyVerifier(store, { now: () => clock });
    const { key, record } = await createApiKey(store, alice);
    const unknown = `agk_${'b'.repeat(16)}_${key.slice(21)}`;

    expect(await verifier.verify(key)).toBeDefined();
    expect(await verifier.verify(key)).toBeDefined();
    expect(await verifier.verify(wrongSecret(key))).toBeUndefined();
    expect(await verifier.verify(unknown)).toBeUndefined();
    expect(await verifier.verify(unknown)).toBeUndefined();
    expect(lookups).toEqual([record.id, 'b'.repeat(16)]);

    await store.revokeKey(record.id, new Date(clock).toISOString());
    clock += API_KEY_CACHE_TTL_MS - 1;
    expect(await verifier.verify(key)).toBeDefined(); // still cached: revocation is not instant
    clock += 1;
    expect(await verifier.verify(key)).toBeUndefined();
    expect(lookups).toEqual([record.id, 'b'.repeat(16), record.id]);
    clock += API_KEY_CACHE_TTL_MS - 1;
    expect(await verifier.verify(key)).toBeUndefined(); // the negative answer is cached too
    expect(lookups).toHaveLength(3);
  });

  it('shares one lookup between concurrent requests and evicts the least recently used id', async () => {
    const { store, lookups } = countingStore();
    const verifier = new ApiKeyVerifier(store, { maxEntries: 2 });
    const keys = await Promise.all([1, 2, 3].map(() => createApiKey(store, alice)));
    const [a, b, c] = keys.map(({ key }) => key) as [string, string, string];
    const all = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(a)));
    expect(all.every((identity) => identity?.userId === 'alice')).toBe(true);
    expect(lookups).toHaveLength(1);
    await verifier.verify(b);
    await verifier.verify(a); // a is now the most recently used
    await verifier.verify(c); // evicts b
    expect(lookups).toHaveLength(3);
    await verifier.verify(a);
    expect(lookups).toHaveLength(3);
    await verifier.verify(b);
    expect(lookups).toHaveLength(4);
  });

  it('does not cache store failures: they propagate, and the next request asks again', async () => {
    const { store, lookups, failOnce } = countingStore();
    const verifier = new ApiKeyVerifier(store);
    const { key } = await createApiKey(store, alice);
    failOnce();
    await expect(verifier.verify(key)).rejects.toThrow('store down');
    expect(await verifier.verify(key)).toMatchObject({ userId: 'alice' });
    expect(lookups).toHaveLength(2);
  });
});
