import { AgentryError } from '../errors.ts';
import type { RunStore } from '../store/runs.ts';

/**
 * Keeps a run's lease alive while it runs: renews every third of the TTL. If the lease is lost
 * (another process took it after a stall), `onLost` fires so the run can stop writing. Renewal
 * errors (a store that went away) are left to the next journal write to report.
 */
export function startLeaseHeartbeat(
  runs: RunStore,
  runId: string,
  owner: string,
  ttlMs: number,
  now: () => number,
  onLost: (error: AgentryError) => void,
): () => void {
  return keepLease(
    () => runs.acquireLease(runId, owner, now(), ttlMs),
    ttlMs,
    () => onLost(new AgentryError('RUN_LEASE_LOST', `Run ${runId} was taken over by another process.`)),
  );
}

/**
 * Renews a lease every third of its TTL with `renew` (true while still held); `onLost` fires when it
 * is not. Renewal errors are ignored here: the holder's next write reports a store that went away.
 */
export function keepLease(renew: () => Promise<boolean>, ttlMs: number, onLost: () => void): () => void {
  const timer = setInterval(
    () => {
      renew().then(
        (held) => {
          if (!held) onLost();
        },
        () => {},
      );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Polls `requested` every `intervalMs` for a request another process left in the store (a run's
 * cancellation, an execution's stop) and calls `onRequested` once when it finds one. Read errors are
 * ignored: the holder's own writes report a store that went away. Returns the stop function.
 */
export function watchRequest(
  requested: () => Promise<boolean>,
  intervalMs: number,
  onRequested: () => void,
): () => void {
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  const timer = setInterval(() => {
    requested().then(
      (found) => {
        if (!found || stopped) return;
        stop();
        onRequested();
      },
      () => {},
    );
  }, intervalMs);
  timer.unref();
  return stop;
}
