import type { Agent } from '../agent/agent.ts';
import { buildAgent, chooseModelString, getAgentConfig } from '../agent/build-agent.ts';
import { findProjectDir, loadProject, type Project } from '../config/load-project.ts';
import { AgentryError } from '../errors.ts';
import { ModelRegistry } from '../model/registry.ts';

export interface SessionOptions {
  project?: string | undefined;
  model?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** What every command needs: the project, one model registry, and agents built on demand. */
export interface Session {
  project: Project;
  registry: ModelRegistry;
  env: SessionOptions['env'];
  modelOverride: string | undefined;
  modelStringFor(agentName: string): string;
  /** Builds the agent; refuses with MODEL_NOT_CONFIGURED (saying what to set) when its provider lacks credentials. */
  agent(name: string): Agent;
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
  const project = await loadProject(findProjectDir(options.project, options.cwd));
  const registry = new ModelRegistry({ env: options.env, baseDir: project.dir, fallbackDir: options.cwd });
  const modelStringFor = (agentName: string) =>
    chooseModelString(getAgentConfig(project, agentName), project, options.model, options.env);
  return {
    project,
    registry,
    env: options.env,
    modelOverride: options.model,
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
  };
}
