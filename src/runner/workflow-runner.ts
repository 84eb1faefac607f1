import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { parseDefinition } from '../config/project-workflows.ts';
import { AgentryError, isAgentryError, toAgentryError } from '../errors.ts';
import type { Scope } from '../store/scope.ts';
import type { Store } from '../store/store.ts';
import type { ExecutionFinish, ExecutionRecord, TaskTokenOutcome, TaskTokenRecord } from '../store/workflows.ts';
import { type ExecutionResult, realSleep, runStateMachine } from '../workflow/engine.ts';
import type { ExecutionEvent } from '../workflow/events.ts';
import type { Sleep, TaskHandler } from '../workflow/runtime.ts';
import type { StateMachineDefinition } from '../workflow/types.ts';
import { HistoryWriter } from './history-writer.ts';
import { keepLease, watchRequest } from './lease-heartbeat.ts';
import { TaskTokenHub } from './task-token-hub.ts';

/** A workflow as the runner needs it: its name, validated definition and the text stored with executions. */
export interface RunnableWorkflow {
  name: string;
  text: string;
  definition: StateMachineDefinition;
}

export interface WorkflowRunnerOptions {
  store: Store;
  /** The named workflow, validated; throws WORKFLOW_NOT_FOUND / WORKFLOW_INVALID. */
  workflow: (name: string) => RunnableWorkflow;
  /** The task handler of one execution (agents run in its scope). */
  tasks: (execution: ExecutionRecord, tokens: TaskTokenHub) => TaskHandler;
  owner?: string;
  leaseTtlMs?: number;
  now?: () => number;
  sleep?: Sleep;
  /** How often a waiting `.waitForTaskToken` task looks for a completion made elsewhere. */
  tokenPollMs?: number;
  /** How often a running execution reads whether a stop was requested elsewhere (default 2 s). */
  stopPollMs?: number;
}

export interface StartExecutionInput {
  workflow: string;
  /** Unique per user and workflow; a second start with the same name and input finds the first execution. */
  name?: string;
  input?: unknown;
}

export interface StartedExecution {
  execution: ExecutionRecord;
  /** False when the name was taken by an execution with the same input: that one is returned. */
  created: boolean;
  /** Settles with the final record when this process ran it to the end (or handed it over: still RUNNING). */
  done: Promise<ExecutionRecord>;
}

export type ExecutionListener = (event: ExecutionEvent) => void;

/** Interruptions after which the execution stays RUNNING, for this or another process to resume. */
const RESUMABLE = new Set(['STORE_UNAVAILABLE', 'EXECUTION_LEASE_LOST', 'EXECUTION_CONFLICT', 'SHUTTING_DOWN']);

/**
 * Runs workflow executions durably: every event goes to the store's history (in batches, flushed before
 * each task and sleep), the execution holds a lease kept alive while it runs, and an execution whose
 * process died is resumed from its history by `resume` / `resumeAbandoned` (finished tasks are not run
 * again, Wait deadlines keep their wall-clock time).
 */
export class WorkflowRunner {
  readonly owner: string;
  readonly tokens: TaskTokenHub;
  readonly #store: Store;
  readonly #options: WorkflowRunnerOptions;
  readonly #leaseTtlMs: number;
  readonly #stopPollMs: number;
  readonly #now: () => number;
  readonly #listeners = new Map<string, Set<ExecutionListener>>();
  readonly #running = new Map<string, { interrupt: AbortController; stop: AbortController; done: Promise<unknown> }>();

  constructor(options: WorkflowRunnerOptions) {
    this.#store = options.store;
    this.#options = options;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.#stopPollMs = options.stopPollMs ?? 2_000;
    this.#now = options.now ?? Date.now;
    this.tokens = new TaskTokenHub(
      this.#store.workflows,
      options.tokenPollMs === undefined ? { now: this.#now } : { pollMs: options.tokenPollMs, now: this.#now },
    );
  }

  /**
   * Starts an execution and returns once it is recorded; it runs in the background (`done`). Starting a
   * name again with the same input returns the existing execution (EXECUTION_ALREADY_EXISTS otherwise).
   */
  async start(scope: Scope, request: StartExecutionInput): Promise<StartedExecution> {
    const workflow = this.#options.workflow(request.workflow);
    const input = request.input === undefined ? {} : request.input;
    const at = new Date(this.#now()).toISOString();
    const { created, execution } = await this.#store.workflows.createExecution({
      id: randomUUID(),
      tenantId: scope.tenantId,
      userId: scope.userId,
      workflow: workflow.name,
      name: request.name ?? randomUUID(),
      definition: workflow.text,
      input,
      status: 'RUNNING',
      startedAt: at,
      updatedAt: at,
      leaseOwner: this.owner,
      leaseExpiresAt: this.#now() + this.#leaseTtlMs,
    });
    if (!created) {
      if (execution.workflow !== workflow.name || !isDeepStrictEqual(execution.input, input)) {
        throw new AgentryError(
          'EXECUTION_ALREADY_EXISTS',
          `An execution named "${execution.name}" already exists with another input.`,
        );
      }
      return { execution, created, done: this.#settled(execution.id) };
    }
    return { execution, created, done: this.#launch(execution, workflow.definition, [], false) };
  }

  /** Starts and waits for the end. */
  async run(scope: Scope, request: StartExecutionInput): Promise<ExecutionRecord> {
    return (await this.start(scope, request)).done;
  }

  /**
   * Continues an execution another process left unfinished. Undefined when it is not RUNNING or another
   * live process holds its lease.
   */
  async resume(executionId: string): Promise<ExecutionRecord | undefined> {
    const claimed = await this.#claim(executionId);
    return claimed ? await claimed.done : undefined;
  }

  /** Resumes every execution whose lease expired; they run in the background. Returns how many. */
  async resumeAbandoned(limit = 100): Promise<number> {
    let resumed = 0;
    for (const execution of await this.#store.workflows.listAbandonedExecutions(this.#now(), limit)) {
      if (await this.#claim(execution.id).catch(() => undefined)) resumed++;
    }
    return resumed;
  }

  /**
   * Takes over an unfinished execution and starts running it; undefined when it is not ours to run. The
   * running execution is wrapped: an async function returning a promise would wait for it.
   */
  async #claim(executionId: string): Promise<{ done: Promise<ExecutionRecord> } | undefined> {
    if (this.#running.has(executionId)) return undefined;
    const execution = await this.#store.workflows.getExecutionById(executionId);
    if (execution?.status !== 'RUNNING') return undefined;
    if (!(await this.#store.workflows.acquireLease(executionId, this.owner, this.#now(), this.#leaseTtlMs))) {
      return undefined;
    }
    const history = await this.#store.workflows.loadEvents(executionId);
    const lastEventId = history.at(-1)?.id ?? 0;
    let definition: StateMachineDefinition;
    try {
      definition = parseDefinition(execution.definition, `execution ${executionId}`);
    } catch (error) {
      return { done: this.#fail(execution, lastEventId, toAgentryError(error)) };
    }
    return { done: this.#launch({ ...execution, lastEventId }, definition, history, true) };
  }

  /**
   * Keeps resuming abandoned executions every `intervalMs` (a replica's sweep: executions of dead
   * processes, and Waits that outlived one). Returns the stop function.
   */
  startResumer(intervalMs = 5_000): () => void {
    const timer = setInterval(() => {
      this.resumeAbandoned().catch(() => {});
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Live events of an execution running in this process (the history has the rest). */
  subscribe(executionId: string, listener: ExecutionListener): () => void {
    const listeners = this.#listeners.get(executionId) ?? new Set();
    this.#listeners.set(executionId, listeners);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(executionId);
    };
  }

  /** Whether this process is running the execution now. */
  isRunningHere(executionId: string): boolean {
    return this.#running.has(executionId);
  }

  /** StopExecution: ends a RUNNING execution as ABORTED (it must run in this process). */
  stop(executionId: string): boolean {
    const running = this.#running.get(executionId);
    running?.stop.abort();
    return running !== undefined;
  }

  /** SendTaskSuccess / SendTaskFailure, in the caller's tenant. */
  completeTaskToken(scope: Scope, token: string, outcome: TaskTokenOutcome): Promise<TaskTokenRecord> {
    return this.tokens.complete(scope, token, outcome);
  }

  /**
   * Stops every execution of this process without an outcome: their histories stay and their leases are
   * released, so another process (or the next start) resumes them at once.
   */
  async interruptAll(): Promise<number> {
    const running = [...this.#running.values()];
    for (const execution of running) {
      execution.interrupt.abort(
        new AgentryError('SHUTTING_DOWN', 'The process is shutting down.', { retryable: true }),
      );
    }
    await Promise.allSettled(running.map((execution) => execution.done));
    return running.length;
  }

  async #settled(executionId: string): Promise<ExecutionRecord> {
    const running = this.#running.get(executionId);
    if (running) await running.done.catch(() => undefined);
    const record = await this.#store.workflows.getExecutionById(executionId);
    if (!record) throw new AgentryError('EXECUTION_NOT_FOUND', `Execution ${executionId} does not exist.`);
    return record;
  }

  /** `resumed`: an earlier process ran it, so a stop may have been requested while nobody did. */
  #launch(
    execution: ExecutionRecord,
    definition: StateMachineDefinition,
    history: ExecutionEvent[],
    resumed: boolean,
  ): Promise<ExecutionRecord> {
    const interrupt = new AbortController();
    const stop = new AbortController();
    const done = this.#execute(execution, definition, history, interrupt, stop, resumed).finally(() =>
      this.#running.delete(execution.id),
    );
    this.#running.set(execution.id, { interrupt, stop, done });
    return done;
  }

  async #execute(
    execution: ExecutionRecord,
    definition: StateMachineDefinition,
    history: ExecutionEvent[],
    interrupt: AbortController,
    stop: AbortController,
    resumed: boolean,
  ): Promise<ExecutionRecord> {
    const writer = new HistoryWriter(this.#store.workflows, execution.id, this.owner, execution.lastEventId);
    const stopLease = keepLease(
      () => this.#store.workflows.acquireLease(execution.id, this.owner, this.#now(), this.#leaseTtlMs),
      this.#leaseTtlMs,
      () => interrupt.abort(new AgentryError('EXECUTION_LEASE_LOST', `Execution ${execution.id} was taken over.`)),
    );
    // StopExecution sent to another replica reaches this one through the store.
    const stopWatching = watchRequest(
      () => this.#store.workflows.stopRequested(execution.id),
      this.#stopPollMs,
      () => stop.abort(),
    );
    let result: ExecutionResult;
    try {
      // A stop requested while nobody ran it (its process died): abort from the start.
      if (resumed && (await this.#store.workflows.stopRequested(execution.id))) stop.abort();
      result = await runStateMachine(definition, execution.input, {
        handlers: this.#options.tasks(execution, this.tokens),
        now: this.#now,
        sleep: this.#options.sleep ?? realSleep,
        executionName: execution.name,
        stateMachineName: execution.workflow,
        history,
        onEvent: (event) => {
          writer.add(event);
          for (const listener of this.#listeners.get(execution.id) ?? []) {
            try {
              listener(event);
            } catch {
              // A subscriber's failure (a closed stream) must not fail the execution.
            }
          }
        },
        checkpoint: () => writer.flush(),
        signal: stop.signal,
        interrupt: interrupt.signal,
      });
    } catch (error) {
      stopLease();
      stopWatching();
      const coded = toAgentryError(error);
      if (RESUMABLE.has(coded.code)) {
        // Hand over at once: whoever resumes next need not wait for the lease to run out.
        await this.#store.workflows.acquireLease(execution.id, this.owner, this.#now(), 0).catch(() => false);
        return { ...execution, status: 'RUNNING' };
      }
      return this.#fail(execution, undefined, coded, writer);
    }
    stopLease();
    stopWatching();
    const finish: ExecutionFinish =
      result.status === 'SUCCEEDED'
        ? { status: 'SUCCEEDED', stoppedAt: new Date(this.#now()).toISOString(), output: result.output }
        : {
            status: result.status,
            stoppedAt: new Date(this.#now()).toISOString(),
            error: result.error,
            cause: result.cause,
          };
    try {
      await writer.finish(finish);
    } catch (error) {
      if (!isAgentryError(error) || !RESUMABLE.has(error.code)) throw error;
      return { ...execution, status: 'RUNNING' }; // resumed later: the replay reaches the same outcome
    }
    return { ...execution, ...finish, updatedAt: finish.stoppedAt };
  }

  /** Ends an execution that cannot continue (its history does not match, its definition is unreadable). */
  async #fail(
    execution: ExecutionRecord,
    lastEventId: number | undefined,
    error: AgentryError,
    writer?: HistoryWriter,
  ): Promise<ExecutionRecord> {
    const finish: ExecutionFinish = {
      status: 'FAILED',
      stoppedAt: new Date(this.#now()).toISOString(),
      error: error.code,
      cause: error.message,
    };
    const target = writer ?? new HistoryWriter(this.#store.workflows, execution.id, this.owner, lastEventId ?? 0);
    // The events written so far stay; a failed earlier write leaves the chain failed, so write the end directly.
    await target.finish(finish).catch(async () => {
      const last = (await this.#store.workflows.loadEvents(execution.id)).at(-1)?.id ?? 0;
      await new HistoryWriter(this.#store.workflows, execution.id, this.owner, last).finish(finish);
    });
    return { ...execution, ...finish, updatedAt: finish.stoppedAt };
  }
}
