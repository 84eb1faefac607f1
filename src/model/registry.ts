import type { LanguageModelV4 } from '@ai-sdk/provider';
import { AgentryError } from '../errors.ts';
import { type ModelSpec, parseModelSpec } from './model-spec.ts';
import type {
  ConfigurationCheck,
  ModelCallSettings,
  ModelProvider,
  ProviderCallOptions,
  ProviderContext,
} from './provider.ts';
import { anthropicProvider } from './providers/anthropic.ts';
import { bedrockProvider } from './providers/bedrock.ts';
import { openaiProvider } from './providers/openai.ts';
import { openaiCompatibleProvider } from './providers/openai-compatible.ts';
import { scriptedProvider } from './providers/scripted.ts';

export const BUILTIN_PROVIDERS: readonly ModelProvider[] = [
  bedrockProvider,
  anthropicProvider,
  openaiProvider,
  openaiCompatibleProvider,
  scriptedProvider,
];

/** A model ready for the run loop: the SDK model plus the provider's per-call options. */
export interface ResolvedModel {
  spec: ModelSpec;
  /** `provider:modelId` with defaults filled in, for telemetry and events. */
  id: string;
  model: LanguageModelV4;
  callOptions: ProviderCallOptions;
}

/**
 * Resolves model strings to models. One registry per process (or per test); models are cached by
 * their string so a scripted model keeps its cursor across runs, and SDK clients are built once.
 */
export class ModelRegistry {
  private readonly providers = new Map<string, ModelProvider>();
  private readonly models = new Map<string, LanguageModelV4>();

  constructor(
    private readonly context: ProviderContext,
    providers: readonly ModelProvider[] = BUILTIN_PROVIDERS,
  ) {
    for (const provider of providers) this.providers.set(provider.name, provider);
  }

  providerNames(): string[] {
    return [...this.providers.keys()];
  }

  resolve(modelString: string, settings: ModelCallSettings = {}): ResolvedModel {
    const spec = parseModelSpec(modelString);
    const provider = this.provider(spec);
    const target = spec.target || provider.defaultTarget || '';
    const key = `${provider.name}:${target}`;
    let model = this.models.get(key);
    if (!model) {
      model = provider.create(target, this.context);
      this.models.set(key, model);
    }
    return { spec, id: key, model, callOptions: provider.callOptions?.(settings) ?? {} };
  }

  /** Checks credentials and settings for a model string without calling the model. */
  check(modelString: string): ConfigurationCheck {
    try {
      const spec = parseModelSpec(modelString);
      const provider = this.provider(spec);
      return provider.checkConfiguration(spec.target || provider.defaultTarget || '', this.context);
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  }

  private provider(spec: ModelSpec): ModelProvider {
    const provider = this.providers.get(spec.provider);
    if (!provider) {
      throw new AgentryError(
        'MODEL_SPEC_INVALID',
        `Unknown model provider "${spec.provider}" in "${spec.raw}". Known providers: ${this.providerNames().join(', ')}.`,
      );
    }
    return provider;
  }
}
