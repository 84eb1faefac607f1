import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { AgentryError } from '../../errors.ts';
import type { ModelProvider } from '../provider.ts';

/** `openai-compatible:<baseURL>#<model>`, e.g. `openai-compatible:http://127.0.0.1:11434/v1#llama3.1`. */
export function parseCompatibleTarget(target: string): { baseURL: string; model: string } {
  const hash = target.lastIndexOf('#');
  const baseURL = hash > 0 ? target.slice(0, hash) : '';
  const model = hash > 0 ? target.slice(hash + 1) : '';
  if (!/^https?:\/\//.test(baseURL) || !model) {
    throw new AgentryError(
      'MODEL_SPEC_INVALID',
      `openai-compatible models are written openai-compatible:<baseURL>#<model>, ` +
        `for example openai-compatible:http://127.0.0.1:11434/v1#llama3.1 (got "${target}").`,
    );
  }
  return { baseURL, model };
}

export const openaiCompatibleProvider: ModelProvider = {
  name: 'openai-compatible',
  create(target, { env, fetch }) {
    const { baseURL, model } = parseCompatibleTarget(target);
    const provider = createOpenAICompatible({
      name: 'openai-compatible',
      baseURL,
      includeUsage: true,
      ...(env.OPENAI_COMPATIBLE_API_KEY ? { apiKey: env.OPENAI_COMPATIBLE_API_KEY } : {}),
      ...(fetch ? { fetch } : {}),
    });
    return provider.chatModel(model);
  },
  checkConfiguration(target) {
    try {
      const { baseURL, model } = parseCompatibleTarget(target);
      return { ok: true, message: `model ${model} at ${baseURL} (API key from OPENAI_COMPATIBLE_API_KEY if set)` };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  },
};
