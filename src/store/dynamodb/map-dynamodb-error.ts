import { AgentryError } from '../../errors.ts';
import { NETWORK_ERROR_CODES } from '../network-errors.ts';

/**
 * AWS SDK errors → AgentryError, in one place. The SDK error stays in `cause` only: its message can
 * echo request parameters, account ids or credential details.
 *
 * Conditional-check and transaction-cancellation errors are not mapped here: the stores read them
 * (isConditionalCheckFailed, cancellationReasons) and turn them into domain codes first.
 */

/** The request may succeed if sent again: throttling, contention, a DynamoDB-side failure. */
const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TransactionInProgressException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** The caller's identity or permissions were refused: retrying will not help. */
const CREDENTIAL_NAMES = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'AccessDeniedException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'CredentialsProviderError',
]);

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

export function errorName(error: unknown): string | undefined {
  const name = field(error, 'name');
  return typeof name === 'string' ? name : undefined;
}

function networkCode(error: unknown): string | undefined {
  const code = field(error, 'code');
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return code;
  // Node reports a failed multi-address connect as an AggregateError of per-address errors.
  const nested = field(error, 'errors');
  if (Array.isArray(nested)) return nested.map(networkCode).find((inner) => inner !== undefined);
  return undefined;
}

function httpStatus(error: unknown): number | undefined {
  const status = field(field(error, '$metadata'), 'httpStatusCode');
  return typeof status === 'number' ? status : undefined;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

export function isTransient(error: unknown): boolean {
  const name = errorName(error);
  return (
    (name !== undefined && TRANSIENT_NAMES.has(name)) ||
    networkCode(error) !== undefined ||
    (httpStatus(error) ?? 0) >= 500
  );
}

export function mapDynamoDbError(error: unknown): AgentryError {
  if (error instanceof AgentryError) return error;
  const name = errorName(error);
  if (isTransient(error)) {
    return new AgentryError('STORE_UNAVAILABLE', 'DynamoDB is unavailable or throttling requests; retry later.', {
      retryable: true,
      cause: error,
    });
  }
  if (name !== undefined && CREDENTIAL_NAMES.has(name)) {
    return new AgentryError('STORE_UNAVAILABLE', 'DynamoDB refused the credentials or permissions of this process.', {
      cause: error,
    });
  }
  if (name === 'ResourceNotFoundException') {
    return new AgentryError('STORE_UNAVAILABLE', 'A DynamoDB table or index of the store does not exist.', {
      cause: error,
    });
  }
  return new AgentryError('INTERNAL', 'A DynamoDB operation failed.', {
    cause: error,
    ...(name === undefined ? {} : { details: { dynamoDbError: name } }),
  });
}

/** Awaits a DynamoDB call and maps whatever it throws. */
export async function mapped<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw mapDynamoDbError(error);
  }
}
