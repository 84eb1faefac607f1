import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Agent } from '../agent/agent.ts';
import type { RunEventListener } from '../agent/events.ts';
import { type RunResult, runAgent } from '../agent/run-agent.ts';
import { addUsage, emptyUsage } from '../agent/usage.ts';
import { AgentryError, isAgentryError, toAgentryError } from '../errors.ts';
import { type HistoryWindow, loadWindow, trimWindow } from '../memory/load-window.ts';
import { summaryBeforeWindow } from '../memory/summarize.ts';
import type { JournalEntry, RunRecord } from '../store/runs.ts';
import type { Scope } from '../store/scope.ts';
import type { Store } from '../store/store.ts';
import { startLeaseHeartbeat, watchRequest } from './lease-heartbeat.ts';

export interface AgentRunnerOptions {
  store: Store;
  /** Builds the named agent; throws AGENT_NOT_FOUND for unknown names. */
  agent: (name: string) => Agent;
  /** This process's identity in leases. Unique per process. */
  owner?: string;
  leaseTtlMs?: number;
  /**
   * How often a running run reads whether another process asked to cancel it (default 2 s): the
   * delay of a cancel sent to another replica, and one primary-key read per interval and run.
   */
  cancelPollMs?: number;
  now?: () => number;
}

export interface DurableRunInput {
  agent: string;
  query: string;
  conversationId?: string;
  runId?: string;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
}

export interface DurableRunResult extends RunResult {
  conversationId: string;
}

/**
 * Failures after which the run stays `running` in the store, to be resumed once its lease expires.
 * SHUTTING_DOWN is the abort reason a stopping server gives its runs: another process continues them.
 * Any other failure of the store ends the run as `failed`: a resume would meet it again, and would
 * call the model again for the final step it holds until the run's end.
 */
const RESUMABLE_FAILURES = new Set(['STORE_UNAVAILABLE', 'RUN_LEASE_LOST', 'SHUTTING_DOWN']);

/** Failures of the run's last commit worth leaving to a resume: the run may still land. */
const TRANSIENT_FINISH_FAILURES = new Set([...RESUMABLE_FAILURES, 'CONVERSATION_CONFLICT']);

/**
 * RUN_CONFLICT under this process's own lease means the stored journal is behind what this process
 * wrote: a database server crash lost its latest relaxed commits. The store is what it is now:
 * reported as unavailable (retryable), and the run resumes from what the store kept.
 */
function journalBehind(error: unknown, runId: string): unknown {
  if (!isAgentryError(error) || error.code !== 'RUN_CONFLICT') return error;
  return new AgentryError(
    'STORE_UNAVAILABLE',
    `The store lost the latest journal entries of run ${runId} (did the database restart?); the run resumes from what it kept.`,
    { retryable: true, cause: error },
  );
}

/**
 * Runs agents durably: a run record with a lease, a journal written step by step, the
 * conversation's history window read before the run and its messages appended after it.
 * A run whose process died is resumed from its journal by `resume` / `resumeAbandoned`.
 */
export class AgentRunner {
  readonly owner: string;
  private readonly store: Store;
  private readonly buildAgent: (name: string) => Agent;
  private readonly leaseTtlMs: number;
  private readonly cancelPollMs: number;
  /** Runs executing in this process (started or resumed here and not ended). */
  private readonly executing = new Set<string>();
  private readonly now: () => number;

  constructor(options: AgentRunnerOptions) {
    this.store = options.store;
    this.buildAgent = options.agent;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.cancelPollMs = options.cancelPollMs ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  async run(scope: Scope, input: DurableRunInput): Promise<DurableRunResult> {
    const agent = this.buildAgent(input.agent);
    const conversationId = input.conversationId ?? randomUUID();
    const at = new Date(this.now()).toISOString();
    const run: RunRecord = {
      schemaVersion: 1,
      id: input.runId ?? randomUUID(),
      tenantId: scope.tenantId,
      userId: scope.userId,
      agent: agent.name,
      conversationId,
      query: input.query,
      status: 'running',
      createdAt: at,
      updatedAt: at,
      leaseOwner: this.owner,
      leaseExpiresAt: this.now() + this.leaseTtlMs,
    };
    const { schemaVersion: _version, ...record } = run;
    // One store call: conversation, run and history window. Relaxed: until the run ends, nothing
    // was reported as done, and a run lost with a crashed database server fails visibly.
    const started = await this.store.turns.startTurn(
      // Titles are plain text columns, which PostgreSQL refuses NUL in.
      { run: record, title: input.query.replaceAll('\u0000', '').slice(0, 80), last: agent.memory.maxMessages },
      { durability: 'relaxed' },
    );
    return this.execute(run, agent, [], input, trimWindow(started.messages, agent.memory.maxTokens));
  }

  /**
   * Continues a run another process left unfinished. Returns undefined when the run is not
   * `running` or another live process holds its lease.
   */
  async resume(
    runId: string,
    options: { signal?: AbortSignal; onEvent?: RunEventListener } = {},
  ): Promise<DurableRunResult | undefined> {
    // A run this process is executing has an expired lease only because its renewals failed (the
    // store was away, the event loop stalled): the lease is still "ours", so acquireLease would let
    // this process run it a second time beside itself.
    if (this.executing.has(runId) || options.signal?.aborted) return undefined;
    this.executing.add(runId);
    try {
      return await this.resumeClaimed(runId, options);
    } finally {
      this.executing.delete(runId);
    }
  }

  private async resumeClaimed(
    runId: string,
    options: { signal?: AbortSignal; onEvent?: RunEventListener },
  ): Promise<DurableRunResult | undefined> {
    const run = await this.store.runs.getRunById(runId);
    if (run?.status !== 'running') return undefined;
    if (!(await this.store.runs.acquireLease(runId, this.owner, this.now(), this.leaseTtlMs))) return undefined;
    if (await this.store.runs.cancelRequested(runId)) {
      // Cancelled while nobody ran it: end it without calling the model again.
      const cancelled = new AgentryError('RUN_CANCELLED', 'The run was cancelled by request.');
      await this.store.runs.finishRun(runId, this.owner, { status: 'cancelled', error: cancelled.toJSON() });
      return {
        runId,
        status: 'cancelled',
        text: '',
        messages: [],
        steps: [],
        usage: emptyUsage(),
        error: cancelled,
        conversationId: run.conversationId,
      };
    }
    const journal = (await this.store.runs.loadJournal(runId)).map((record) => record.entry);
    let agent: Agent;
    try {
      agent = this.buildAgent(run.agent);
    } catch (error) {
      const failure = toAgentryError(error);
      await this.store.runs.finishRun(runId, this.owner, { status: 'failed', error: failure.toJSON() });
      throw failure;
    }
    return this.execute(run, agent, journal, { ...options, agent: run.agent, query: run.query });
  }

  /**
   * Resumes every run whose lease expired (its process died); one at a time, oldest first. `signal`
   * stops the run being resumed (with its reason) and the rest of the list.
   */
  async resumeAbandoned(
    options: { onEvent?: RunEventListener; limit?: number; signal?: AbortSignal } = {},
  ): Promise<DurableRunResult[]> {
    const results: DurableRunResult[] = [];
    for (const run of await this.store.runs.listAbandonedRuns(this.now(), options.limit ?? 100)) {
      if (options.signal?.aborted) break;
      const result = await this.resume(run.id, {
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }).catch(() => undefined);
      if (result) results.push(result);
    }
    return results;
  }

  /**
   * A replica's sweep: resumes abandoned runs now and then every `intervalMs` (runs of processes
   * that died, and runs this one left to a resume after a transient store failure). One sweep at a
   * time: an interval that finds the previous sweep still running skips. Aborting `signal` stops the
   * sweep and the run it is resuming (give it a SHUTTING_DOWN reason so the run is handed over).
   * Resolves `first` with the runs the first sweep resumed.
   */
  startResumer(
    intervalMs: number,
    options: { signal: AbortSignal; onResumed?: (results: DurableRunResult[]) => void },
  ): { first: Promise<DurableRunResult[]>; stopped: Promise<void> } {
    let sweeping: Promise<DurableRunResult[]> | undefined;
    const sweep = (): Promise<DurableRunResult[]> => {
      if (sweeping || options.signal.aborted) return sweeping ?? Promise.resolve([]);
      sweeping = this.resumeAbandoned({ signal: options.signal })
        .catch(() => [])
        .then((results) => {
          if (results.length > 0) options.onResumed?.(results);
          return results;
        })
        .finally(() => {
          sweeping = undefined;
        });
      return sweeping;
    };
    const timer = setInterval(() => void sweep(), intervalMs);
    timer.unref();
    const first = sweep();
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        clearInterval(timer);
        void (sweeping ?? Promise.resolve()).then(() => resolve());
      };
      if (options.signal.aborted) stop();
      else options.signal.addEventListener('abort', stop, { once: true });
    });
    return { first, stopped };
  }

  /** `started`: the window read with the run's start; a resumed run reads it here. */
  private async execute(
    run: RunRecord,
    agent: Agent,
    replay: JournalEntry[],
    input: DurableRunInput,
    started?: HistoryWindow,
  ): Promise<DurableRunResult> {
    const scope: Scope = { tenantId: run.tenantId, userId: run.userId };
    const { conversationId } = run;
    const controller = new AbortController();
    const abort = () => controller.abort(input.signal?.reason);
    input.signal?.addEventListener('abort', abort, { once: true });
    // Aborted before the listener existed (during a resume's reads): the listener never fires.
    if (input.signal?.aborted) abort();
    this.executing.add(run.id);
    const stopHeartbeat = startLeaseHeartbeat(this.store.runs, run.id, this.owner, this.leaseTtlMs, this.now, (error) =>
      controller.abort(error),
    );
    // Cancellation asked through another replica (a request here aborts `input.signal` directly).
    const stopWatching = watchRequest(
      () => this.store.runs.cancelRequested(run.id),
      this.cancelPollMs,
      () => controller.abort(new AgentryError('RUN_CANCELLED', 'The run was cancelled by request.')),
    );
    let journalSeq = replay.length;
    // `final` entries (the last model step) wait here for the commit that ends the run.
    const held: JournalEntry[] = [];
    try {
      const window = started ?? (await loadWindow(this.store.conversations, scope, conversationId, agent.memory));
      if (replay.length > 0 && window.messages.length > 0 && (await this.landed(scope, conversationId, run.id))) {
        return await this.finishLanded(run, replay);
      }
      const summary = await summaryBeforeWindow(
        this.store.conversations,
        scope,
        conversationId,
        window,
        agent,
        agent.memory,
        controller.signal,
      ).catch(
        () => undefined, // a failed summary must not fail the turn; the window alone still works
      );
      const result = await runAgent(agent, {
        query: run.query,
        history: window.messages,
        ...(summary ? { systemSuffix: summary } : {}),
        runId: run.id,
        conversationId,
        signal: controller.signal,
        ...(input.onEvent ? { onEvent: input.onEvent } : {}),
        journal: {
          replay,
          append: async (entries, options = {}) => {
            if (options.final) {
              held.push(...entries);
              return;
            }
            // Relaxed unless a tool that is not idempotent is about to run (see RunJournal).
            const all = held.length > 0 ? [...held.splice(0), ...entries] : entries;
            await this.store.runs
              .appendJournal(run.id, this.owner, journalSeq, all, { durability: options.flush ? 'flush' : 'relaxed' })
              .catch((error: unknown) => {
                throw journalBehind(error, run.id);
              });
            journalSeq += all.length;
          },
        },
      });
      if (RESUMABLE_FAILURES.has(result.error?.code ?? '')) {
        // A stopping process hands the run over at once: its lease expires now.
        if (result.error?.code === 'SHUTTING_DOWN')
          await this.store.runs.acquireLease(run.id, this.owner, this.now(), 0).catch(() => false);
        return { ...result, conversationId };
      }
      return await this.finish(run, window.lastSeq, { expectedLastSeq: journalSeq, entries: held }, result);
    } catch (thrown) {
      // The store failed outside the loop (window read, finish). A transient failure leaves the run
      // resumable; any other (the conversation was deleted meanwhile, a message too large for the
      // store, a corrupt row) would fail every resume too: the run ends as failed, if the store lets it.
      const error = journalBehind(thrown, run.id);
      const failure = isAgentryError(error) ? error : toAgentryError(error, 'STORE_UNAVAILABLE');
      if (!TRANSIENT_FINISH_FAILURES.has(failure.code)) {
        await this.store.runs
          .finishRun(run.id, this.owner, { status: 'failed', error: failure.toJSON() })
          .catch(() => {});
      }
      return {
        runId: run.id,
        status: 'failed',
        text: '',
        messages: [],
        steps: [],
        usage: emptyUsage(),
        error: failure,
        conversationId,
      };
    } finally {
      stopHeartbeat();
      stopWatching();
      input.signal?.removeEventListener('abort', abort);
      this.executing.delete(run.id);
    }
  }

  /**
   * Ends the run in one store call: held journal entries, the run's messages (none for a failed
   * run) and its outcome, flushed. A sequence conflict means other turns landed meanwhile: append
   * after them. A process that lost its lease (it stalled; another resumed the run) writes nothing:
   * the lease check and the append are one commit, so the other process is the only one to append.
   */
  private async finish(
    run: RunRecord,
    knownLastSeq: number,
    journal: { expectedLastSeq: number; entries: JournalEntry[] },
    result: RunResult,
  ): Promise<DurableRunResult> {
    const { conversationId } = run;
    const scope: Scope = { tenantId: run.tenantId, userId: run.userId };
    const messages = result.status === 'failed' ? [] : result.messages;
    const outcome = {
      status: result.status,
      text: result.text,
      usage: result.usage,
      ...(result.error ? { error: result.error.toJSON() } : {}),
    };
    let expectedLastSeq = knownLastSeq;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await this.store.turns.finishTurn({
          scope,
          conversationId,
          runId: run.id,
          owner: this.owner,
          journal,
          messages: { expectedLastSeq, messages },
          outcome,
        });
        return { ...result, conversationId };
      } catch (error) {
        if (!isAgentryError(error)) throw error;
        if (error.code === 'RUN_LEASE_LOST') {
          const lost = new AgentryError('RUN_LEASE_LOST', `Run ${run.id} was taken over by another process.`);
          return { ...result, status: 'failed', error: lost, conversationId };
        }
        if (error.code !== 'CONVERSATION_CONFLICT') throw error;
        const lastSeq = error.details?.['lastSeq'];
        expectedLastSeq =
          typeof lastSeq === 'number'
            ? lastSeq
            : ((await this.store.conversations.getConversation(scope, conversationId))?.lastSeq ?? 0);
      }
    }
    throw new AgentryError('CONVERSATION_CONFLICT', `Conversation ${conversationId} is too busy to append to.`, {
      retryable: true,
    });
  }

  /** Whether this run's messages were already appended (the process died between append and finish). */
  private async landed(scope: Scope, conversationId: string, runId: string): Promise<boolean> {
    const recent = await this.store.conversations.loadMessages(scope, conversationId, { last: 100 });
    return recent.some((message) => message.runId === runId);
  }

  private async finishLanded(run: RunRecord, replay: JournalEntry[]): Promise<DurableRunResult> {
    const steps = replay.filter((entry) => entry.kind === 'model-step');
    const final = steps.at(-1);
    const succeeded = final !== undefined && final.toolCalls.length === 0;
    const usage = emptyUsage();
    for (const step of steps) addUsage(usage, step.usage);
    const status = succeeded ? 'succeeded' : 'max_iterations';
    const text = succeeded ? final.text : '';
    await this.store.runs.finishRun(run.id, this.owner, { status, text, usage });
    return { runId: run.id, status, text, messages: [], steps: [], usage, conversationId: run.conversationId };
  }
}
