import { AgentryError } from '../errors.ts';

/**
 * A model string names a provider and what that provider needs to find the model:
 * `bedrock:<modelId>`, `anthropic:<model>`, `openai:<model>`,
 * `openai-compatible:<baseURL>#<model>`, `scripted:<file>`.
 */
export interface ModelSpec {
  provider: string;
  /** Everything after the first `:`; empty means the provider's default. */
  target: string;
  /** The string as given, for messages and telemetry. */
  raw: string;
}

export const DEFAULT_BEDROCK_MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
export const DEFAULT_MODEL_SPEC = `bedrock:${DEFAULT_BEDROCK_MODEL}`;

export function parseModelSpec(raw: string): ModelSpec {
  const trimmed = raw.trim();
  const colon = trimmed.indexOf(':');
  if (colon <= 0) {
    // A bare name is a provider with its default model (`bedrock`), never a guess at a model id.
    if (/^[a-z][a-z-]*$/.test(trimmed)) return { provider: trimmed, target: '', raw: trimmed };
    throw new AgentryError(
      'MODEL_SPEC_INVALID',
      `Model "${raw}" is not a model string. Use provider:model, for example ${DEFAULT_MODEL_SPEC}.`,
    );
  }
  return { provider: trimmed.slice(0, colon), target: trimmed.slice(colon + 1), raw: trimmed };
}
