import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir } from './pglite-lock.ts';
import { openPgliteStore } from './sql-store.ts';

describe('PGlite data folder lock', () => {
  it('refuses a second live process, naming it, and releases on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentry-lock-'));
    // Another live process holds the lock: a child that sleeps.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    writeFileSync(join(dir, LOCK_FILE), String(holder.pid));
    try {
      expect(() => lockDataDir(dir)).toThrow(/in use by process \d+.*PostgreSQL/);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.on('exit', resolve));
    }
    // Now the holder is dead: its stale lock is taken over.
    const store = await openPgliteStore(dir);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    await store.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
