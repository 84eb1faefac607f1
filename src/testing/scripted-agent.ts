import type { Agent } from '../agent/agent.ts';
import { DEFAULT_LIMITS, type RunLimits } from '../agent/limits.ts';
import { DEFAULT_MEMORY, type MemorySettings } from '../memory/settings.ts';
import type { AnyTool } from '../tools/define-tool.ts';
import { type ModelScript, parseModelScript } from './model-script.ts';
import { ScriptedModel } from './scripted-model.ts';

export interface ScriptedAgentOptions {
  script: ModelScript;
  tools?: AnyTool[];
  limits?: Partial<RunLimits>;
  memory?: Partial<MemorySettings>;
  instructions?: string;
  name?: string;
}

/** An agent on a fresh ScriptedModel, for tests of anything that runs agents. */
export function scriptedAgent(options: ScriptedAgentOptions): Agent & { model: { model: ScriptedModel } } {
  const model = new ScriptedModel(parseModelScript(options.script), { name: 'test-script' });
  return {
    name: options.name ?? 'test-agent',
    description: '',
    instructions: options.instructions ?? 'You are a test agent.',
    model: {
      spec: { provider: 'scripted', target: 'test-script', raw: 'scripted:test-script' },
      id: 'scripted:test-script',
      model,
      callOptions: {},
    },
    tools: new Map((options.tools ?? []).map((tool) => [tool.name, tool])),
    limits: { ...DEFAULT_LIMITS, retryBaseDelayMs: 1, retryMaxDelayMs: 5, ...options.limits },
    memory: { ...DEFAULT_MEMORY, ...options.memory },
  };
}
