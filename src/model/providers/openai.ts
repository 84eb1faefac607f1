import { createOpenAI } from '@ai-sdk/openai';
import type { ModelProvider } from '../provider.ts';

/** OpenAI through Chat Completions (the API every OpenAI-compatible server also speaks). */
export const openaiProvider: ModelProvider = {
  name: 'openai',
  defaultTarget: 'gpt-4o-mini',
  create(target, { env, fetch }) {
    const openai = createOpenAI({
      ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
      ...(fetch ? { fetch } : {}),
    });
    return openai.chat(target || 'gpt-4o-mini');
  },
  checkConfiguration(_target, { env }) {
    return env.OPENAI_API_KEY
      ? { ok: true, message: 'OpenAI API key from OPENAI_API_KEY' }
      : { ok: false, message: 'Set OPENAI_API_KEY to use openai: models.' };
  },
};
