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
   * Graceful shutdown: refuse new runs and end streams at once, give running runs `graceMs` to
   * finish, then stop the rest with SHUTTING_DOWN (their journals stay; another process resumes them).
   */
  drain(graceMs: number): Promise<{ finished: number; handedOver: number }>;
}

export async function createServerRuntime(session: Session, dependencies: ServerDependencies): Promise<ManagedRuntime> {
  const [store, runner] = await Promise.all([session.store(), session.runner()]);
  const shutdown = new AbortController();
  const live = new LiveRuns();
  const runtime: ManagedRuntime = {
    project: session.project,
    store,
    runner,
    agent: (name) => session.agent(name),
    authenticate: dependencies.authenticate,
    limiter: dependencies.limiter,
    metrics: new ServerMetrics(),
    live,
    logger: dependencies.logger,
    options: dependencies.options,
    shutdown: shutdown.signal,
    async drain(graceMs) {
      shutdown.abort();
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
      return {
        finished: active.length - (outcome === 'timeout' ? remaining.length : 0),
        handedOver: outcome === 'timeout' ? remaining.length : 0,
      };
    },
  };
  return runtime;
}
