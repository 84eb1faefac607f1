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
  const timer = setInterval(
    () => {
      runs.acquireLease(runId, owner, now(), ttlMs).then(
        (held) => {
          if (!held) onLost(new AgentryError('RUN_LEASE_LOST', `Run ${runId} was taken over by another process.`));
        },
        () => {},
      );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
