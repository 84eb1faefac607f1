import type { RunEvent } from '../../agent/events.ts';
import { type AgentryError, toAgentryError } from '../../errors.ts';
import type { DurableRunResult } from '../../runner/agent-runner.ts';
import type { ServerRuntime } from '../runtime.ts';
import type { StartedRun } from '../start-run.ts';

/** How a followed run ended: its result, or the error its start failed with (no events then). */
export type RunOutcome = { result: DurableRunResult; error?: never } | { error: AgentryError; result?: never };

/** A run's outcome as a promise that never rejects; create it right after `startRun`. */
export function settle(started: StartedRun): Promise<RunOutcome> {
  return started.done.then(
    (result) => ({ result }),
    (error: unknown) => ({ error: toAgentryError(error, 'STORE_UNAVAILABLE') }),
  );
}

/**
 * Delivers the events of a run started in this process, in order and from its first, then
 * resolves with its outcome. Resolves `undefined` when `signal` aborts first: the stream stops,
 * the run goes on (and lands in the conversation as usual).
 */
export async function followRun(
  runtime: ServerRuntime,
  started: StartedRun,
  outcome: Promise<RunOutcome>,
  deliver: (event: RunEvent) => void,
  signal: AbortSignal,
): Promise<RunOutcome | undefined> {
  await runtime.live.follow(started.runId, undefined, (positioned) => deliver(positioned.event), signal);
  if (signal.aborted) return undefined;
  return outcome;
}
