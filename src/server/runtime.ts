import type { Agent } from '../agent/agent.ts';
import type { Identity } from '../auth/identity.ts';
import type { Project } from '../config/load-project.ts';
import type { AgentRunner } from '../runner/agent-runner.ts';
import type { WorkflowRunner } from '../runner/workflow-runner.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from './logger.ts';
import type { ServerMetrics } from './metrics.ts';
import type { LiveRuns } from './sse/live-runs.ts';

export interface ServerOptions {
  /** Origins allowed by CORS; empty means no cross-origin access. Never `*`. */
  corsOrigins: readonly string[];
  bodyLimitBytes: number;
  /** Every run is cancelled after this long (RUN_TIMEOUT). */
  runTimeoutMs: number;
  /**
   * Whether this process runs workflow executions. False in Lambda, where a container is frozen between
   * invocations and Step Functions runs the workflows: starting or stopping one answers WORKFLOWS_NOT_HOSTED.
   */
  hostsWorkflows?: boolean;
}

export const DEFAULT_SERVER_OPTIONS: Readonly<ServerOptions> = Object.freeze({
  corsOrigins: [],
  bodyLimitBytes: 1024 * 1024,
  runTimeoutMs: 300_000,
});

/**
 * Server settings from the environment, shared by `agentry serve` and Lambda. Invalid numbers fall
 * back to the defaults; `*` is never accepted as a CORS origin.
 */
export function serverOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): ServerOptions {
  const origins = env.AGENTRY_CORS_ORIGINS?.split(',').map((origin) => origin.trim()) ?? [];
  const positive = (value: string | undefined, fallback: number) => {
    const number = Number(value);
    return value !== undefined && Number.isFinite(number) && number > 0 ? number : fallback;
  };
  return {
    corsOrigins: origins.filter((origin) => origin !== '' && origin !== '*'),
    bodyLimitBytes: positive(env.AGENTRY_BODY_LIMIT_BYTES, DEFAULT_SERVER_OPTIONS.bodyLimitBytes),
    runTimeoutMs: positive(env.AGENTRY_RUN_TIMEOUT_MS, DEFAULT_SERVER_OPTIONS.runTimeoutMs),
  };
}

/** Whether a request may proceed under the caller's usage plan, and what to tell it. */
export interface LimitDecision {
  allowed: boolean;
  /** Requests allowed in the current window (the bucket size). */
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** When refused: seconds until a retry can succeed. */
  retryAfterSeconds?: number;
  /** When refused: the token bucket ran dry, or the daily quota is used up. */
  reason?: 'rate' | 'quota';
}

export interface RequestLimiter {
  consume(identity: Identity): Promise<LimitDecision>;
}

/** Everything the HTTP app needs, built once per process by the entry point. */
export interface ServerRuntime {
  project: Project;
  store: Store;
  runner: AgentRunner;
  /** The project's workflows, run durably on `store`; agent tasks run through `runner`. */
  workflows: WorkflowRunner;
  /** Builds (and so validates) the named agent; throws AGENT_NOT_FOUND or MODEL_NOT_CONFIGURED. */
  agent(name: string): Agent;
  /** The identity a raw API key stands for, or undefined for unknown, revoked or malformed keys. */
  authenticate(rawKey: string): Promise<Identity | undefined>;
  limiter: RequestLimiter | undefined;
  metrics: ServerMetrics;
  live: LiveRuns;
  logger: Logger;
  options: ServerOptions;
  /** Aborted when the server starts shutting down: new runs are refused, streams end. */
  shutdown: AbortSignal;
}
