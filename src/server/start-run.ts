import { randomUUID } from 'node:crypto';
import { emptyUsage } from '../agent/usage.ts';
import { AgentryError, toAgentryError } from '../errors.ts';
import type { DurableRunResult } from '../runner/agent-runner.ts';
import type { Scope } from '../store/scope.ts';
import type { ServerRuntime } from './runtime.ts';

export interface StartedRun {
  runId: string;
  done: Promise<DurableRunResult>;
}

/**
 * Starts a durable run owned by `scope`, registered with the live-run hub so streams can follow
 * it and cancel can reach it. Validates the agent first, so an unknown agent or a missing model
 * provider fails before anything is stored. Each run ends by itself after `runTimeoutMs`.
 * `streamed`: the request streams the run's events, so the hub keeps them all for reconnects
 * (see LiveRuns); a run answered as JSON leaves the hub when it ends.
 */
export function startRun(
  runtime: ServerRuntime,
  scope: Scope,
  input: { agent: string; query: string; conversationId?: string | undefined },
  options: { streamed: boolean } = { streamed: false },
): StartedRun {
  if (runtime.shutdown.aborted)
    throw new AgentryError('SHUTTING_DOWN', 'The server is shutting down; retry on another instance.', {
      retryable: true,
    });
  runtime.agent(input.agent);
  const runId = randomUUID();
  const controller = new AbortController();
  const timeout = setTimeout(
    () => controller.abort(new AgentryError('RUN_TIMEOUT', `The run exceeded ${runtime.options.runTimeoutMs} ms.`)),
    runtime.options.runTimeoutMs,
  );
  timeout.unref();
  const onEvent = runtime.live.start(runId, scope, controller, { retain: options.streamed });
  const done = runtime.runner
    .run(scope, {
      agent: input.agent,
      query: input.query,
      runId,
      signal: controller.signal,
      onEvent,
      ...(input.conversationId ? { conversationId: input.conversationId } : {}),
    })
    .catch((error: unknown): DurableRunResult => {
      // The run could not even be recorded (e.g. the store is down): report it as a failed run,
      // to streams too, instead of rejecting (an unhandled rejection would end the process).
      const failure = toAgentryError(error, 'STORE_UNAVAILABLE');
      onEvent({ type: 'error', runId, step: 0, error: failure.toJSON() });
      onEvent({ type: 'run-end', runId, status: 'failed', text: '', usage: emptyUsage() });
      return {
        runId,
        status: 'failed',
        text: '',
        messages: [],
        steps: [],
        usage: emptyUsage(),
        error: failure,
        conversationId: input.conversationId ?? '',
      };
    })
    .then((result) => {
      runtime.metrics.recordRun(result.status, result.usage.inputTokens, result.usage.outputTokens);
      return result;
    })
    .finally(() => {
      clearTimeout(timeout);
      runtime.live.finish(runId);
    });
  return { runId, done };
}
