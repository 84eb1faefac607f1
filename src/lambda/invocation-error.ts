import type { AgentryError, ErrorCode } from '../errors.ts';

/**
 * A failed direct invocation as Lambda reports it. The Node.js runtime turns a thrown error into
 * `{"errorType": name, "errorMessage": message, "trace": [...]}`, and Step Functions matches
 * `errorType` in `Retry` and `Catch` (`"ErrorEquals": ["MODEL_THROTTLED", "RATE_LIMITED"]`). So the
 * name is the AgentryError code and the message its message (safe by contract); the cause and the
 * original stack stay out of the response, and the trace is just the first line.
 */
export class InvocationError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(error: AgentryError) {
    super(error.message);
    this.name = error.code;
    this.code = error.code;
    this.retryable = error.retryable;
    this.stack = `${error.code}: ${error.message}`;
  }
}
