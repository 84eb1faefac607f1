import type { Identity } from '../auth/identity.ts';
import type { Session } from '../cli/session.ts';
import { AgentryError } from '../errors.ts';
import type { Logger } from './logger.ts';
import { ServerMetrics } from './metrics.ts';
import type { RequestLimiter, ServerOptions, ServerRuntime } from './runtime.ts';
import { LiveRuns } from './sse/live-runs.ts';

export interface ServerDependencies {
  authenticate(rawKey: string): Promise<Identity | undefined>;
  limiter: RequestLimiter | undefined;
  logger: Logger;
  options: ServerOptions;
}

export interface ManagedRuntime extends ServerRuntime {
  /**
   * Graceful shutdown: refuse new runs and executions and end streams at once, give running runs
   * `graceMs` to finish, then stop the rest with SHUTTING_DOWN (their journals stay; another process
   * resumes them). Running workflow executions are handed over at once (their leases released).
   */
  drain(graceMs: number): Promise<{ finished: number; handedOver: number; executionsHandedOver: number }>;
  /**
   * Resumes workflow executions that dead processes left behind, now and then every `intervalMs`
   * (Waits that outlived a process, too), until `drain`. For long-lived servers: a Lambda container
   * is frozen between invocations, so it does not sweep. Resolves with how many were resumed now.
   */
  resumeWorkflows(intervalMs?: number): Promise<number>;
  /**
   * Resumes agent runs that dead processes left behind, now and then every `intervalMs`, until
   * `drain`, which hands the one being resumed over (SHUTTING_DOWN). Resolves with how many the
   * first sweep resumed.
   */
  resumeRuns(intervalMs?: number, onResumed?: (count: number) => void): Promise<number>;
}

export async function createServerRuntime(session: Session, dependencies: ServerDependencies): Promise<ManagedRuntime> {
  const [store, runner, workflows] = await Promise.all([session.store(), session.runner(), session.workflows()]);
  const shutdown = new AbortController();
  const live = new LiveRuns();
  let stopResumer: (() => void) | undefined;
  const runSweep = new AbortController();
  let runSweepStopped: Promise<void> | undefined;
  const runtime: ManagedRuntime = {
    project: session.project,
    store,
    runner,
    workflows,
    agent: (name) => session.agent(name),
    authenticate: dependencies.authenticate,
    limiter: dependencies.limiter,
    metrics: new ServerMetrics(),
    live,
    logger: dependencies.logger,
    options: dependencies.options,
    shutdown: shutdown.signal,
    async resumeWorkflows(intervalMs) {
      if (shutdown.signal.aborted) return 0;
      stopResumer ??= workflows.startResumer(intervalMs);
      return workflows.resumeAbandoned();
    },
    async resumeRuns(intervalMs = 5_000, onResumed) {
      if (shutdown.signal.aborted || runSweepStopped) return 0;
      const sweep = runner.startResumer(intervalMs, {
        signal: runSweep.signal,
        ...(onResumed ? { onResumed: (results) => onResumed(results.length) } : {}),
      });
      runSweepStopped = sweep.stopped;
      return (await sweep.first).length;
    },
    async drain(graceMs) {
      shutdown.abort();
      // Runs the sweep resumed are nobody's request: handed over at once, like executions.
      runSweep.abort(new AgentryError('SHUTTING_DOWN', 'The server is shutting down.', { retryable: true }));
      // Executions are handed over at once rather than given the grace period: one may wait for hours
      // (a Wait state, a task token), and its history lets any process continue it where it stopped.
      // The sweep stops first so it does not take back what is handed over.
      stopResumer?.();
      const executions = workflows.interruptAll();
      const active = runtime.live.active();
      const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
      const outcome = await Promise.race([
        Promise.all(active.map((run) => run.ended)).then(() => 'done' as const),
        grace,
      ]);
      const remaining = runtime.live.active();
      if (outcome === 'timeout') {
        for (const run of remaining)
          run.controller.abort(new AgentryError('SHUTTING_DOWN', 'The server is shutting down.', { retryable: true }));
        await Promise.race([
          Promise.all(remaining.map((run) => run.ended)),
          new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
        ]);
      }
      // A sweep already under way when the resumer stopped may have resumed one more: hand it over too.
      const executionsHandedOver = (await executions) + (await workflows.interruptAll());
      // The run the sweep was resuming stops at its next await (SHUTTING_DOWN); bounded all the same.
      if (runSweepStopped) {
        await Promise.race([runSweepStopped, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      }
      return {
        finished: active.length - (outcome === 'timeout' ? remaining.length : 0),
        handedOver: outcome === 'timeout' ? remaining.length : 0,
        executionsHandedOver,
      };
    },
  };
  return runtime;
}
