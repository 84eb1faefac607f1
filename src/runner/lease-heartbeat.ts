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
 * Polls the store every `intervalMs` for a cancellation another process requested
 * (RunStore.requestCancel) and calls `onCancelled` once when it finds one. Read errors are ignored:
 * the holder's own writes report a store that went away. Returns the stop function.
 */
export function watchCancellation(
  runs: RunStore,
  runId: string,
  intervalMs: number,
  onCancelled: (error: AgentryError) => void,
): () => void {
  let stopped = false;
  const timer = setInterval(() => {
    runs.cancelRequested(runId).then(
      (requested) => {
        if (!requested || stopped) return;
        stop();
        onCancelled(new AgentryError('RUN_CANCELLED', 'The run was cancelled by request.'));
      },
      () => {},
    );
  }, intervalMs);
  timer.unref();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}
