/**
 * The one error type of Agentry. Every failure that crosses a module boundary is an AgentryError
 * with a stable `code` that clients and tests can match on; `message` is for people.
 *
 * `toJSON()` is what reaches clients and logs: code, message, retryable and safe details only.
 * Never put secrets or provider payloads in `message` or `details`; the `cause` (which may hold
 * them) and the stack are deliberately left out of `toJSON()`.
 */

export const ERROR_CODES = {
  // configuration and input
  CONFIG_INVALID: 400,
  CONFIG_NOT_FOUND: 404,
  INPUT_INVALID: 400,
  AGENT_NOT_FOUND: 404,
  TOOL_NOT_FOUND: 404,
  // models
  MODEL_NOT_CONFIGURED: 503,
  MODEL_SPEC_INVALID: 400,
  MODEL_SCRIPT_INVALID: 400,
  MODEL_SCRIPT_MISMATCH: 500,
  MODEL_SCRIPT_EXHAUSTED: 500,
  MODEL_THROTTLED: 429,
  MODEL_UNAVAILABLE: 503,
  MODEL_AUTH_FAILED: 502,
  MODEL_REQUEST_REJECTED: 502,
  MODEL_RESPONSE_INVALID: 502,
  MODEL_CALL_FAILED: 502,
  // runs and tools
  RUN_CANCELLED: 499,
  RUN_TIMEOUT: 504,
  RUN_MAX_ITERATIONS: 422,
  TOOL_INPUT_INVALID: 400,
  TOOL_TIMEOUT: 504,
  TOOL_FAILED: 500,
  CALC_SYNTAX: 400,
  CALC_UNKNOWN_NAME: 400,
  CALC_DOMAIN: 400,
  CALC_TOO_COMPLEX: 400,
  // state
  CONVERSATION_NOT_FOUND: 404,
  CONVERSATION_CONFLICT: 409,
  RUN_NOT_FOUND: 404,
  RUN_CONFLICT: 409,
  RUN_LEASE_LOST: 409,
  MESSAGE_TOO_LARGE: 413,
  STORE_UNAVAILABLE: 503,
  STORE_CORRUPT: 500,
  STORE_SCHEMA_TOO_NEW: 500,
  API_KEY_NOT_FOUND: 404,
  API_KEY_CONFLICT: 409,
  // workflows
  WORKFLOW_NOT_FOUND: 404,
  WORKFLOW_INVALID: 400,
  EXECUTION_NOT_FOUND: 404,
  EXECUTION_ALREADY_EXISTS: 409,
  EXECUTION_CONFLICT: 409,
  EXECUTION_LEASE_LOST: 409,
  EXECUTION_HISTORY_MISMATCH: 500,
  EXECUTION_DATA_TOO_LARGE: 413,
  TASK_TOKEN_INVALID: 404,
  TASK_TOKEN_ALREADY_COMPLETED: 409,
  WORKFLOWS_NOT_HOSTED: 501,
  // HTTP
  REQUEST_MALFORMED_JSON: 400,
  REQUEST_INVALID: 400,
  REQUEST_TOO_LARGE: 413,
  ROUTE_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AgentryErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** Safe, client-visible structured details (field names, limits). Never secrets. */
  details?: Record<string, unknown>;
  /** Overrides the code's default HTTP status. */
  status?: number;
}

export interface AgentryErrorJSON {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export class AgentryError extends Error {
  override readonly name = 'AgentryError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AgentryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code];
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  toJSON(): AgentryErrorJSON {
    const json: AgentryErrorJSON = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.details !== undefined) json.details = this.details;
    return json;
  }
}

export function isAgentryError(value: unknown): value is AgentryError {
  return value instanceof AgentryError;
}

/**
 * Wraps anything thrown into an AgentryError. Unknown errors become `fallback` with a generic
 * message: their text may contain internals, so it stays in `cause` only.
 */
export function toAgentryError(value: unknown, fallback: ErrorCode = 'INTERNAL'): AgentryError {
  if (value instanceof AgentryError) return value;
  return new AgentryError(fallback, 'An internal error occurred.', { cause: value });
}
