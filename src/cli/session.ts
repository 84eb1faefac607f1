import { join } from 'node:path';
import type { Agent } from '../agent/agent.ts';
import { buildAgent, chooseModelString, getAgentConfig } from '../agent/build-agent.ts';
import { findProjectDir, loadProject, PROJECT_FILE, type Project } from '../config/load-project.ts';
import { readYamlFile } from '../config/read-yaml.ts';
import { projectFileSchema } from '../config/schemas.ts';
import { AgentryError } from '../errors.ts';
import { type SyncKnowledgeResult, syncKnowledge } from '../knowledge/sync-knowledge.ts';
import { ModelRegistry } from '../model/registry.ts';
import { AgentRunner } from '../runner/agent-runner.ts';
import { createProjectWorkflowRunner } from '../runner/project-workflow-runner.ts';
import type { WorkflowRunner } from '../runner/workflow-runner.ts';
import type { KnowledgeStore } from '../store/knowledge.ts';
import { chooseStoreKind, openStore, pgliteDataDir } from '../store/open-store.ts';
import { LOCAL_SCOPE, type Scope } from '../store/scope.ts';
import type { Store } from '../store/store.ts';

export interface SessionOptions {
  project?: string | undefined;
  model?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** What every command needs: the project, one model registry, the store and runner on demand. */
export interface Session {
  project: Project;
  registry: ModelRegistry;
  env: SessionOptions['env'];
  modelOverride: string | undefined;
  /** Which backend the store uses and where, for people (no secrets). */
  storeDescription: string;
  /** The CLI acts for the local user. */
  scope: Scope;
  modelStringFor(agentName: string): string;
  /** Builds the agent; refuses with MODEL_NOT_CONFIGURED (saying what to set) when its provider lacks credentials. */
  agent(name: string): Agent;
  /** Opens the store once (and indexes knowledge/); later calls share it. */
  store(): Promise<Store>;
  runner(): Promise<AgentRunner>;
  /** The project's workflows, run durably on the same store; agent tasks go through `runner()`. */
  workflows(): Promise<WorkflowRunner>;
  knowledgeSync(): Promise<SyncKnowledgeResult | undefined>;
  close(): Promise<void>;
}

export const HOW_TO_CONFIGURE = [
  'Configure a model provider with one of:',
  '  • Amazon Bedrock (default): AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY + AWS_REGION, or AWS_PROFILE, or AWS_BEARER_TOKEN_BEDROCK',
  '  • Anthropic: ANTHROPIC_API_KEY, and --model anthropic:claude-sonnet-4-5 (or AGENTRY_MODEL)',
  '  • OpenAI: OPENAI_API_KEY, and --model openai:gpt-4o-mini',
  '  • A local OpenAI-compatible server (Ollama, vLLM, llama.cpp): --model openai-compatible:http://127.0.0.1:11434/v1#llama3.1',
  '  • Offline demo: --model scripted:scripts/demo.json (a scripted model, no network)',
].join('\n');

export async function openSession(options: SessionOptions): Promise<Session> {
  const dir = findProjectDir(options.project, options.cwd);
  let opened: Promise<{ store: Store; sync: SyncKnowledgeResult }> | undefined;
  let runner: AgentRunner | undefined;
  let workflows: WorkflowRunner | undefined;
  const open = () => {
    opened ??= (async () => {
      const config = readYamlFile(join(dir, PROJECT_FILE), projectFileSchema, dir);
      const store = await openStore({ config: config.store, projectDir: dir, env: options.env });
      const sync = await syncKnowledge(store.knowledge, join(dir, 'knowledge'));
      return { store, sync };
    })();
    return opened;
  };
  // search_knowledge reaches the store only when an agent actually searches.
  const knowledge: KnowledgeStore = {
    listDocuments: async () => (await open()).store.knowledge.listDocuments(),
    upsertDocument: async (document) => (await open()).store.knowledge.upsertDocument(document),
    deleteDocument: async (source) => (await open()).store.knowledge.deleteDocument(source),
    search: async (query, limit) => (await open()).store.knowledge.search(query, limit),
  };
  const project = await loadProject(dir, { knowledge });
  const storeOptions = { config: project.config.store, projectDir: dir, env: options.env };
  const kind = chooseStoreKind(storeOptions);
  const storeDescription =
    kind === 'pglite'
      ? `pglite (embedded) in ${pgliteDataDir(storeOptions)}`
      : kind === 'postgres'
        ? 'postgres (DATABASE_URL)'
        : kind;
  const registry = new ModelRegistry({ env: options.env, baseDir: project.dir, fallbackDir: options.cwd });
  const modelStringFor = (agentName: string) =>
    chooseModelString(getAgentConfig(project, agentName), project, options.model, options.env);
  const session: Session = {
    project,
    registry,
    env: options.env,
    modelOverride: options.model,
    storeDescription,
    scope: LOCAL_SCOPE,
    modelStringFor,
    agent(name) {
      const config = getAgentConfig(project, name);
      const modelString = modelStringFor(name);
      const check = registry.check(modelString);
      if (!check.ok) {
        throw new AgentryError(
          'MODEL_NOT_CONFIGURED',
          `Agent "${name}" uses model ${modelString}: ${check.message}\n\n${HOW_TO_CONFIGURE}`,
        );
      }
      return buildAgent(project, config, registry, modelString);
    },
    store: async () => (await open()).store,
    async runner() {
      runner ??= new AgentRunner({ store: await session.store(), agent: (name) => session.agent(name) });
      return runner;
    },
    async workflows() {
      workflows ??= createProjectWorkflowRunner(project, await session.store(), await session.runner());
      return workflows;
    },
    knowledgeSync: async () => (opened ? (await opened).sync : undefined),
    async close() {
      if (opened) await (await opened).store.close();
    },
  };
  return session;
}
