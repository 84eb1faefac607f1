import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AgentryError } from '../../errors.ts';

export const LOCK_FILE = 'agentry.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one process's database: two processes writing one folder corrupt it. This lock file
 * (holding the owner's pid) is created atomically; a lock whose process is gone (killed, crashed)
 * is taken over. Returns the release function.
 * Race: two processes finding the same stale lock both unlink it; the `wx` create lets one win.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(path, 'utf8'));
    } catch {
      continue; // released between our create and read: try again
    }
    if (Number.isInteger(holder) && isAlive(holder)) {
      throw new AgentryError(
        'STORE_UNAVAILABLE',
        `The embedded database in ${dataDir} is in use by ${holder === process.pid ? 'this process' : `process ${holder}`}. PGlite serves one process at a time; ` +
          'stop that process, or use PostgreSQL (DATABASE_URL) for several processes.',
        { details: { pid: holder } },
      );
    }
    try {
      unlinkSync(path); // stale: its process is gone
    } catch {
      // Someone else removed it first.
    }
  }
  throw new AgentryError('STORE_UNAVAILABLE', `Could not lock the embedded database in ${dataDir}.`);
}
