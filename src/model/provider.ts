import type { LanguageModelV4, SharedV4ProviderOptions } from '@ai-sdk/provider';

/** What a provider may read to build a model. Injected so tests never touch the real environment. */
export interface ProviderContext {
  env: Readonly<Record<string, string | undefined>>;
  /** Overrides the HTTP client; contract tests point it at a loopback server. */
  fetch?: typeof globalThis.fetch;
  /** Folder that relative paths in model strings (scripted files) are resolved against first. */
  baseDir: string;
  /** Second place to look for such paths: the user's current folder, for `--model scripted:FILE`. */
  fallbackDir?: string;
}

/** Per-agent model settings that providers translate into their own request fields. */
export interface ModelCallSettings {
  /** Bedrock Guardrails: identifier and version, applied to every call of the agent. */
  guardrail?: { id: string; version: string; trace?: boolean | undefined };
  /** Mark the system prompt and tool definitions as a cacheable prefix (where supported). */
  promptCache?: boolean;
}

/** Options a provider adds to every call of one model. */
export interface ProviderCallOptions {
  /** Merged into `LanguageModelV4CallOptions.providerOptions`. */
  providerOptions?: SharedV4ProviderOptions;
  /** Set on the system message (Bedrock cache points live there). */
  systemProviderOptions?: SharedV4ProviderOptions;
}

export interface ConfigurationCheck {
  ok: boolean;
  /** For people: what is configured, or exactly what to set. Never a secret's value. */
  message: string;
}

export interface ModelProvider {
  readonly name: string;
  readonly defaultTarget?: string;
  create(target: string, context: ProviderContext): LanguageModelV4;
  /** Without any network call: are credentials and settings present? */
  checkConfiguration(target: string, context: ProviderContext): ConfigurationCheck;
  callOptions?(settings: ModelCallSettings): ProviderCallOptions;
}
