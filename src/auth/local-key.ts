import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LOCAL_SCOPE } from '../store/scope.ts';
import type { Store } from '../store/store.ts';
import { type CreateApiKeyOptions, createApiKey, findValidKey } from './api-keys.ts';
import { ALL_SCOPES } from './identity.ts';

export interface LocalKey {
  key: string;
  /** True when this call made the key: show it once. */
  created: boolean;
  file: string;
}

async function readKeyFile(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Written beside the target and renamed into place: the file is never seen half written or world-readable. */
async function writeKeyFile(file: string, key: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await writeFile(partial, `${key}\n`, { mode: 0o600, flag: 'wx' });
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * The key of the local user (`agentry serve` on one machine): tenant `local`, user `local`, every
 * scope including admin, allowed to act on behalf of users. Reuses the key in `keyFile` while the
 * store still accepts it; otherwise (no file, or its key is unknown, revoked or garbled, e.g. after
 * the data folder was reset) creates a new one and writes it to `keyFile` with mode 0600. The key
 * is stored before the file is written; if the write fails, the new key is revoked again.
 *
 * Not safe against two processes creating at once; the embedded store's folder lock already allows
 * only one process per data folder.
 */
export async function ensureLocalKey(
  store: Pick<Store, 'apiKeys'>,
  keyFile: string,
  options: CreateApiKeyOptions = {},
): Promise<LocalKey> {
  const existing = await readKeyFile(keyFile);
  if (existing && (await findValidKey(store.apiKeys, existing)))
    return { key: existing, created: false, file: keyFile };
  const { key, record } = await createApiKey(
    store.apiKeys,
    { ...LOCAL_SCOPE, name: 'local', scopes: ALL_SCOPES, onBehalf: true, plan: 'default' },
    options,
  );
  try {
    await writeKeyFile(keyFile, key);
  } catch (error) {
    await store.apiKeys.revokeKey(record.id, new Date().toISOString()).catch(() => {});
    throw error;
  }
  return { key, created: true, file: keyFile };
}
