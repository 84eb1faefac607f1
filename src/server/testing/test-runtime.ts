import { buildAgent, getAgentConfig } from '../../agent/build-agent.ts';
import type { Identity } from '../../auth/identity.ts';
import { ALL_SCOPES, type ApiScope } from '../../auth/identity.ts';
import { BUNDLED_EXAMPLES_DIR, loadProject } from '../../config/load-project.ts';
import { ModelRegistry } from '../../model/registry.ts';
import { AgentRunner, type AgentRunnerOptions } from '../../runner/agent-runner.ts';
import { createProjectWorkflowRunner } from '../../runner/project-workflow-runner.ts';
import type { WorkflowRunnerOptions } from '../../runner/workflow-runner.ts';
import { createMemoryStore } from '../../store/memory/memory-store.ts';
import type { Store } from '../../store/store.ts';
import { silentLogger } from '../logger.ts';
import { ServerMetrics } from '../metrics.ts';
import { DEFAULT_SERVER_OPTIONS, type RequestLimiter, type ServerOptions, type ServerRuntime } from '../runtime.ts';
import { LiveRuns } from '../sse/live-runs.ts';

export interface TestKey {
  key: string;
  tenantId: string;
  userId: string;
  scopes?: ApiScope[];
  onBehalf?: boolean;
}

export interface TestRuntimeOptions {
  /** Model string for every agent (default: the examples' demo script). */
  model?: string;
  projectDir?: string;
  store?: Store;
  keys?: TestKey[];
  /** The real credential check (e.g. an ApiKeyVerifier over `store`); replaces `keys` when given. */
  authenticate?: ServerRuntime['authenticate'];
  limiter?: RequestLimiter;
  options?: Partial<ServerOptions>;
  /** Agent runner settings (e.g. a short `cancelPollMs`, a distinct `owner` per replica). */
  runner?: Pick<AgentRunnerOptions, 'owner' | 'cancelPollMs' | 'leaseTtlMs'>;
  /** Workflow runner settings (e.g. a short `tokenPollMs`). */
  workflows?: Omit<WorkflowRunnerOptions, 'store' | 'workflow' | 'tasks'>;
}

/** A complete runtime for HTTP tests: the examples project on a scripted model, an in-memory store, fixed keys. */
export async function createTestRuntime(options: TestRuntimeOptions = {}): Promise<ServerRuntime & { stop(): void }> {
  const project = await loadProject(options.projectDir ?? BUNDLED_EXAMPLES_DIR);
  const store = options.store ?? createMemoryStore();
  const registry = new ModelRegistry({ env: {}, baseDir: project.dir });
  const model = options.model ?? 'scripted:scripts/demo.json';
  const agent = (name: string) => buildAgent(project, getAgentConfig(project, name), registry, model);
  const identities = new Map<string, Identity>(
    (options.keys ?? []).map((key, index) => [
      key.key,
      {
        keyId: `test-key-${index}`,
        tenantId: key.tenantId,
        userId: key.userId,
        scopes: new Set(key.scopes ?? ALL_SCOPES.filter((scope) => scope !== 'admin')),
        onBehalf: key.onBehalf ?? false,
        plan: 'default',
      },
    ]),
  );
  const shutdown = new AbortController();
  const runner = new AgentRunner({ store, agent, ...options.runner });
  return {
    project,
    store,
    runner,
    workflows: createProjectWorkflowRunner(project, store, runner, options.workflows),
    agent,
    authenticate: options.authenticate ?? (async (raw) => identities.get(raw)),
    limiter: options.limiter,
    metrics: new ServerMetrics(),
    live: new LiveRuns(),
    logger: silentLogger,
    options: { ...DEFAULT_SERVER_OPTIONS, ...options.options },
    shutdown: shutdown.signal,
    stop: () => shutdown.abort(),
  };
}
