import { AgentryError } from '../errors.ts';
import type { Scope } from '../store/scope.ts';
import type { TaskTokenOutcome, TaskTokenRecord, WorkflowStore } from '../store/workflows.ts';
import { StatesError } from '../workflow/errors.ts';
import type { TaskTokens } from '../workflow/tasks/task-services.ts';

/** How often a waiting task checks the store for a completion made by another process. */
const DEFAULT_POLL_MS = 1_000;

/**
 * `.waitForTaskToken` callbacks through the store. A completion made in this process wakes its waiter at
 * once; one made by another replica (or the CLI) is seen by polling. Completion is conditional in the
 * store, so a token completes once whichever process takes the call.
 */
export class TaskTokenHub {
  readonly #store: WorkflowStore;
  readonly #pollMs: number;
  readonly #now: () => number;
  readonly #wakers = new Map<string, Set<() => void>>();

  constructor(store: WorkflowStore, options: { pollMs?: number; now?: () => number } = {}) {
    this.#store = store;
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The tokens of one execution, in its tenant. */
  forExecution(executionId: string, scope: Pick<Scope, 'tenantId'>): TaskTokens {
    return {
      register: async (token, stateName) => {
        const { created } = await this.#store.createTaskToken({
          token,
          executionId,
          tenantId: scope.tenantId,
          stateName,
          createdAt: new Date(this.#now()).toISOString(),
        });
        return created;
      },
      wait: (token, signal) => this.#wait(scope, token, signal),
    };
  }

  /** SendTaskSuccess / SendTaskFailure. */
  async complete(scope: Pick<Scope, 'tenantId'>, token: string, outcome: TaskTokenOutcome): Promise<TaskTokenRecord> {
    const record = await this.#store.completeTaskToken(scope, token, outcome, new Date(this.#now()).toISOString());
    for (const wake of this.#wakers.get(token) ?? []) wake();
    return record;
  }

  async #wait(scope: Pick<Scope, 'tenantId'>, token: string, signal: AbortSignal): Promise<unknown> {
    for (;;) {
      signal.throwIfAborted();
      const record = await this.#store.getTaskToken(scope, token);
      if (!record) throw new AgentryError('TASK_TOKEN_INVALID', 'The task token is not registered.');
      if (record.status === 'succeeded') return record.output ?? null;
      if (record.status === 'failed') throw new StatesError(record.error ?? 'States.TaskFailed', record.cause ?? '');
      await this.#nap(token, signal);
    }
  }

  /** Sleeps one poll interval, or less when this process completes the token. */
  #nap(token: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const wakers = this.#wakers.get(token) ?? new Set();
      this.#wakers.set(token, wakers);
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        wakers.delete(wake);
        if (wakers.size === 0) this.#wakers.delete(token);
      };
      const wake = (): void => {
        done();
        resolve();
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason);
      };
      const timer = setTimeout(wake, this.#pollMs);
      wakers.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
