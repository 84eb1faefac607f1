import type { AgentConfig, Project } from '../config/load-project.ts';
import { AgentryError } from '../errors.ts';
import { DEFAULT_MEMORY, type MemorySettings } from '../memory/settings.ts';
import { DEFAULT_MODEL_SPEC } from '../model/model-spec.ts';
import type { ModelRegistry } from '../model/registry.ts';
import type { AnyTool } from '../tools/define-tool.ts';
import type { Agent } from './agent.ts';
import { DEFAULT_LIMITS } from './limits.ts';

/**
 * Which model string an agent runs on, strongest first: an explicit override (`--model`), the
 * `AGENTRY_MODEL` environment variable, the agent's file, the project's default, Bedrock's default.
 */
export function chooseModelString(
  agent: AgentConfig,
  project: Project,
  override: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return override || env.AGENTRY_MODEL || agent.model || project.config.model || DEFAULT_MODEL_SPEC;
}

export function getAgentConfig(project: Project, name: string): AgentConfig {
  const agent = project.agents.get(name);
  if (!agent) {
    const known = [...project.agents.keys()].join(', ') || 'none';
    throw new AgentryError('AGENT_NOT_FOUND', `Unknown agent "${name}". Agents in ${project.name}: ${known}.`, {
      details: { agent: name },
    });
  }
  return agent;
}

export function buildAgent(project: Project, config: AgentConfig, registry: ModelRegistry, modelString: string): Agent {
  const tools = new Map<string, AnyTool>();
  for (const name of config.tools) tools.set(name, project.tools.get(name)!);
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(config.limits)) {
    if (value !== undefined) (limits as Record<string, unknown>)[key] = value;
  }
  const memory: MemorySettings = { ...DEFAULT_MEMORY };
  for (const [key, value] of Object.entries(config.memory)) {
    if (value !== undefined) (memory as unknown as Record<string, unknown>)[key] = value;
  }
  const agent: Agent = {
    name: config.name,
    description: config.description,
    instructions: config.instructions,
    model: registry.resolve(modelString, {
      ...(config.guardrail ? { guardrail: config.guardrail } : {}),
      promptCache: config.promptCache,
    }),
    tools,
    limits,
    memory,
  };
  if (config.temperature !== undefined) agent.temperature = config.temperature;
  return agent;
}
