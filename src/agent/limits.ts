/** Spec defaults for a run; an agent's YAML `limits` overrides any of them. */
export interface RunLimits {
  /** Model calls per run. Reaching it ends the run with status `max_iterations`. */
  maxIterations: number;
  /** Default per-tool timeout; a tool's own `timeoutMs` wins. */
  toolTimeoutMs: number;
  /** Default cap on the characters of one tool result that the model sees. */
  toolOutputMaxChars: number;
  /** Retries of a retryable model error (throttling, 5xx) before the run fails. */
  modelRetries: number;
  /** First backoff delay; each retry doubles it, with full jitter, up to `retryMaxDelayMs`. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Upper bound of output tokens per model call, passed to the provider. */
  maxOutputTokens: number | undefined;
}

export const DEFAULT_LIMITS: Readonly<RunLimits> = Object.freeze({
  maxIterations: 10,
  toolTimeoutMs: 30_000,
  toolOutputMaxChars: 20_000,
  modelRetries: 3,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 8_000,
  maxOutputTokens: undefined,
});
