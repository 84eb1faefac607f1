import type { Scope } from '../store/scope.ts';
import type { ExecutionRecord, WorkflowStore } from '../store/workflows.ts';
import { sleep } from '../util/sleep.ts';
import { DEFAULT_FOLLOW_POLL_MS } from './follow-execution.ts';

/**
 * The execution's record once it ended, or as it is when `signal` aborts first (a timeout, the client
 * went away, shutdown). `done` is the runner's promise when this process runs the execution: awaited
 * first (a rejection only means "read the store"). An execution running on another process, or handed
 * over meanwhile, is polled every `pollMs`. Undefined when the execution is not in `scope`.
 */
export async function awaitExecutionEnd(
  store: Pick<WorkflowStore, 'getExecution'>,
  scope: Scope,
  executionId: string,
  done: Promise<unknown> | undefined,
  signal: AbortSignal,
  pollMs = DEFAULT_FOLLOW_POLL_MS,
): Promise<ExecutionRecord | undefined> {
  if (done && !signal.aborted) {
    await new Promise<void>((resolve) => {
      const finish = () => {
        signal.removeEventListener('abort', finish);
        resolve();
      };
      signal.addEventListener('abort', finish, { once: true });
      done.then(finish, finish);
    });
  }
  for (;;) {
    const record = await store.getExecution(scope, executionId);
    if (record?.status !== 'RUNNING' || signal.aborted) return record;
    await sleep(pollMs, signal).catch(() => {});
  }
}
