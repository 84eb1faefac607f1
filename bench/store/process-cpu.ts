// CPU time of the PostgreSQL server's processes, for the durable bench's CPU-per-turn figures.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/**
 * User + system CPU milliseconds used so far by every process named `postgres` on this machine (the
 * server's backends, WAL writer, checkpointer…), from /proc; NaN where /proc is not there. A process
 * that exits between two readings takes its time with it: read around a window in which the
 * server's processes live on (a pool keeps its backends). 10 ms resolution.
 */
export function postgresCpuMs(): number {
  let ticks = 0;
  let dirs: string[];
  try {
    dirs = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return Number.NaN;
  }
  for (const pid of dirs) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces; fields after it start at state (field 3).
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    } catch {
      // gone meanwhile
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
