import { createHash } from 'node:crypto';
import { emptyUsage } from '../agent/usage.ts';
import { AgentryError } from '../errors.ts';
import type { RunRecord } from '../store/runs.ts';
import type { Scope } from '../store/scope.ts';
import type { Store } from '../store/store.ts';
import { sleep } from '../util/sleep.ts';
import type { AgentTaskResult, InvokeAgent } from '../workflow/tasks/task-services.ts';
import type { AgentRunner, DurableRunResult } from './agent-runner.ts';

/** How often a task whose run is held by another (possibly dead) process checks again. */
const BUSY_RUN_POLL_MS = 1_000;

/**
 * Agent tasks as durable runs whose id derives from the task id. A resumed execution re-runs an attempt
 * that was in flight; the same run id then finds the run: finished → its result, still running → resumed
 * from its journal once its lease is free (completed model and tool calls are not repeated).
 */
export function durableAgentInvoker(
  runner: AgentRunner,
  store: Store,
  scope: Scope,
  options: { pollMs?: number } = {},
): InvokeAgent {
  const pollMs = options.pollMs ?? BUSY_RUN_POLL_MS;
  return async (request, { taskId, signal }) => {
    const runId = runIdForTask(taskId);
    for (;;) {
      signal.throwIfAborted();
      const existing = await store.runs.getRunById(runId);
      if (existing && existing.status !== 'running') return fromRecord(existing);
      if (existing) {
        const resumed = await runner.resume(runId, { signal });
        if (resumed) return fromResult(resumed);
        await sleep(pollMs, signal); // its lease is held: a live process runs it, or a dead one's lease runs out
        continue;
      }
      try {
        const result = await runner.run(scope, {
          agent: request.agent,
          query: request.query,
          runId,
          signal,
          ...(request.conversationId === undefined ? {} : { conversationId: request.conversationId }),
        });
        return fromResult(result);
      } catch (error) {
        if (error instanceof AgentryError && error.code === 'RUN_CONFLICT') continue; // created meanwhile
        throw error;
      }
    }
  };
}

/** A UUID-shaped id from the task id (SHA-256), so runs keep the id format of the runs API. */
export function runIdForTask(taskId: string): string {
  const hex = createHash('sha256').update(`workflow-task:${taskId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function fromResult(result: DurableRunResult): AgentTaskResult {
  if (result.status !== 'succeeded') {
    throw result.error ?? new AgentryError('RUN_MAX_ITERATIONS', `The agent stopped with status ${result.status}.`);
  }
  return { response: result.text, conversation_id: result.conversationId, usage: result.usage };
}

function fromRecord(run: RunRecord): AgentTaskResult {
  if (run.status !== 'succeeded') {
    if (run.error) throw new AgentryError(run.error.code, run.error.message, { retryable: run.error.retryable });
    throw new AgentryError('RUN_MAX_ITERATIONS', `The agent stopped with status ${run.status}.`);
  }
  return {
    response: run.text ?? '',
    conversation_id: run.conversationId,
    usage: run.usage ?? emptyUsage(),
  };
}
