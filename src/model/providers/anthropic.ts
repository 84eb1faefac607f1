import { createAnthropic } from '@ai-sdk/anthropic';
import type { ModelProvider } from '../provider.ts';

export const anthropicProvider: ModelProvider = {
  name: 'anthropic',
  defaultTarget: 'claude-sonnet-4-5',
  create(target, { env, fetch }) {
    const anthropic = createAnthropic({
      ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}),
      ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
      ...(fetch ? { fetch } : {}),
    });
    return anthropic.languageModel(target || 'claude-sonnet-4-5');
  },
  checkConfiguration(_target, { env }) {
    return env.ANTHROPIC_API_KEY
      ? { ok: true, message: 'Anthropic API key from ANTHROPIC_API_KEY' }
      : { ok: false, message: 'Set ANTHROPIC_API_KEY to use anthropic: models.' };
  },
  callOptions(settings) {
    // Anthropic caches up to a marked block; the system prompt follows the tools in its prefix order.
    return settings.promptCache
      ? { systemProviderOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } } }
      : {};
  },
};
