import { APICallError } from '@ai-sdk/provider';
import { AgentryError, isAgentryError } from '../errors.ts';

/**
 * Errors that providers send inside a stream that already started (Bedrock `throttlingException`
 * frames, Anthropic `overloaded_error` events) arrive as `error` parts holding a plain object that
 * `@ai-sdk/provider-utils` marks with this registered symbol, not as an APICallError.
 */
const PROVIDER_STREAM_ERROR = Symbol.for('vercel.ai.providerStreamError');

interface ProviderStreamError {
  message: string;
  statusCode?: number;
  isRetryable?: boolean;
}

function isProviderStreamError(error: unknown): error is ProviderStreamError {
  return (
    typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[PROVIDER_STREAM_ERROR] === true
  );
}

/**
 * Normalizes whatever a provider threw (or sent as a stream `error` part) into an AgentryError.
 * Throttling and server-side failures are retryable; the provider's own message stays in `cause`
 * because it may echo request content.
 */
export function mapModelError(error: unknown, modelId: string): AgentryError {
  if (isAgentryError(error)) return error;
  if (APICallError.isInstance(error)) {
    return mapStatus(error, error.statusCode, error.isRetryable, error.responseHeaders, modelId);
  }
  // A stream error with neither status nor retry hint is an unknown failure, not a network one.
  if (isProviderStreamError(error) && (error.statusCode !== undefined || error.isRetryable)) {
    return mapStatus(error, error.statusCode, error.isRetryable ?? false, undefined, modelId);
  }
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return new AgentryError('RUN_CANCELLED', 'The model call was cancelled.', { cause: error });
  }
  if (
    error instanceof TypeError &&
    /fetch failed|ECONNREFUSED|ECONNRESET|ENOTFOUND/i.test(`${error.message} ${String(error.cause)}`)
  ) {
    return new AgentryError('MODEL_UNAVAILABLE', `Model ${modelId} could not be reached.`, {
      retryable: true,
      cause: error,
      details: { model: modelId },
    });
  }
  return new AgentryError('MODEL_CALL_FAILED', `Model ${modelId} call failed.`, {
    cause: error,
    details: { model: modelId },
  });
}

/** Classifies by HTTP status, whether it came from a failed response or a provider's in-stream error. */
function mapStatus(
  error: unknown,
  status: number | undefined,
  isRetryable: boolean,
  headers: Record<string, string> | undefined,
  modelId: string,
): AgentryError {
  const retryAfterMs = parseRetryAfter(headers);
  const details = {
    model: modelId,
    ...(status ? { providerStatus: status } : {}),
    ...(retryAfterMs ? { retryAfterMs } : {}),
  };
  if (status === 429) {
    return new AgentryError('MODEL_THROTTLED', `Model ${modelId} is throttling requests.`, {
      retryable: true,
      cause: error,
      details,
    });
  }
  if (status === 401 || status === 403) {
    return new AgentryError('MODEL_AUTH_FAILED', `Model ${modelId} rejected the credentials (HTTP ${status}).`, {
      cause: error,
      details,
    });
  }
  if (status === undefined || status >= 500 || status === 408 || status === 424 || isRetryable) {
    return new AgentryError(
      'MODEL_UNAVAILABLE',
      `Model ${modelId} is unavailable${status ? ` (HTTP ${status})` : ''}.`,
      {
        retryable: true,
        cause: error,
        details,
      },
    );
  }
  return new AgentryError('MODEL_REQUEST_REJECTED', `Model ${modelId} rejected the request (HTTP ${status}).`, {
    cause: error,
    details,
  });
}

function parseRetryAfter(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.['retry-after'];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
