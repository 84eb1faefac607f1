import { describe, expect, it } from 'vitest';
import { parseModelSpec } from './model-spec.ts';
import { parseCompatibleTarget } from './providers/openai-compatible.ts';
import { ModelRegistry } from './registry.ts';

describe('model strings', () => {
  it('splits provider and target at the first colon only', () => {
    expect(parseModelSpec('bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0')).toEqual({
      provider: 'bedrock',
      target: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      raw: 'bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0',
    });
    expect(parseModelSpec('bedrock')).toMatchObject({ provider: 'bedrock', target: '' });
    expect(parseCompatibleTarget('http://127.0.0.1:11434/v1#llama3.1')).toEqual({
      baseURL: 'http://127.0.0.1:11434/v1',
      model: 'llama3.1',
    });
  });

  it('rejects malformed strings and unknown providers with the list of known ones', () => {
    expect(() => parseModelSpec('gpt 4')).toThrow(/not a model string/);
    expect(() => parseCompatibleTarget('localhost#x')).toThrow(/openai-compatible:<baseURL>#<model>/);
    const registry = new ModelRegistry({ env: {}, baseDir: '/' });
    expect(() => registry.resolve('gemini:pro')).toThrow(
      /Unknown model provider "gemini".*bedrock, anthropic, openai, openai-compatible, scripted/,
    );
    expect(registry.check('gemini:pro')).toMatchObject({ ok: false });
  });

  it('builds each provider once per model string', () => {
    const registry = new ModelRegistry({ env: { OPENAI_API_KEY: 'k' }, baseDir: '/' });
    expect(registry.resolve('openai:gpt-4o-mini').model).toBe(registry.resolve('openai:gpt-4o-mini').model);
    expect(registry.resolve('openai').id).toBe('openai:gpt-4o-mini');
  });
});
