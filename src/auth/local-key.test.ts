import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory/memory-store.ts';
import { ApiKeyVerifier } from './api-keys.ts';
import { ensureLocalKey } from './local-key.ts';

const folders: string[] = [];
async function keyFile(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'agentry-local-key-'));
  folders.push(folder);
  return join(folder, '.agentry', 'local-api-key');
}
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('ensureLocalKey', () => {
  it('creates an admin, on-behalf key for local/local once, in a 0600 file, then reuses it', async () => {
    const store = createMemoryStore();
    const file = await keyFile();
    const first = await ensureLocalKey(store, file);
    expect(first).toMatchObject({ created: true, file });
    expect((await readFile(file, 'utf8')).trim()).toBe(first.key);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    const identity = await new ApiKeyVerifier(store.apiKeys).verify(first.key);
    expect(identity).toMatchObject({ tenantId: 'local', userId: 'local', onBehalf: true });
    expect([...(identity?.scopes ?? [])]).toContain('admin');

    expect(await ensureLocalKey(store, file)).toEqual({ key: first.key, created: false, file });
    expect(await store.apiKeys.listKeys()).toHaveLength(1);
  });

  it('replaces a key the store no longer accepts: revoked, unknown (new data folder) or garbled', async () => {
    const store = createMemoryStore();
    const file = await keyFile();
    const first = await ensureLocalKey(store, file);
    const [record] = await store.apiKeys.listKeys();
    await store.apiKeys.revokeKey(record!.id, new Date().toISOString());
    const second = await ensureLocalKey(store, file);
    expect(second.created).toBe(true);
    expect(second.key).not.toBe(first.key);
    expect((await readFile(file, 'utf8')).trim()).toBe(second.key);

    const fresh = await ensureLocalKey(createMemoryStore(), file);
    expect(fresh.created).toBe(true);

    await writeFile(file, 'not a key\n');
    const third = await ensureLocalKey(store, file);
    expect(third.created).toBe(true);
    expect(await new ApiKeyVerifier(store.apiKeys).verify(third.key)).toBeDefined();
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
