import { AgentryError } from '../../errors.ts';
import { NETWORK_ERROR_CODES } from '../network-errors.ts';

/**
 * Driver errors → AgentryError, in one place for both clients. The driver error stays in `cause`
 * only: its text can echo SQL parameters (message content) or connection details.
 */

/** SQLSTATEs meaning "this server/connection cannot serve you right now", worth a retry. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57P05', '53300', '53400']);

/** Aborted by concurrency control; the same statement succeeds on retry. */
const TRANSIENT_STATES = new Set(['40001', '40P01', '55P03']);

/**
 * Texts `pg`, `pg-pool` and PGlite use for a dead, closed or unobtainable connection; these
 * errors carry no code.
 */
const CONNECTION_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|after calling end on the pool|PGlite is closed|Connection ended|Client was closed/i;

function fieldOf(value: unknown, field: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
}

function codeOf(error: unknown): string | undefined {
  const code = fieldOf(error, 'code');
  if (typeof code === 'string') return code;
  // Node reports a failed multi-address connect as an AggregateError of per-address errors.
  const nested = fieldOf(error, 'errors');
  if (Array.isArray(nested)) return nested.map(codeOf).find((inner) => inner !== undefined);
  return undefined;
}

function isSqlState(code: string | undefined): code is string {
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code);
}

export function isConnectionFailure(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) {
    return true;
  }
  const message = fieldOf(error, 'message');
  return typeof message === 'string' && CONNECTION_MESSAGE.test(message);
}

export function storeUnavailable(cause: unknown, message = 'The database is unavailable.'): AgentryError {
  return new AgentryError('STORE_UNAVAILABLE', message, { retryable: true, cause });
}

export function mapSqlError(error: unknown): AgentryError {
  if (error instanceof AgentryError) return error;
  if (isConnectionFailure(error)) return storeUnavailable(error);
  const code = codeOf(error);
  if (!isSqlState(code)) {
    return new AgentryError('INTERNAL', 'A database operation failed.', { cause: error });
  }
  const details = { sqlState: code };
  if (TRANSIENT_STATES.has(code)) {
    return new AgentryError('STORE_UNAVAILABLE', 'The database aborted the operation under contention; retry it.', {
      retryable: true,
      cause: error,
      details,
    });
  }
  if (code.startsWith('28') || code === '3D000') {
    return new AgentryError(
      'STORE_UNAVAILABLE',
      'The database refused the connection (credentials or database name).',
      {
        cause: error,
        details,
      },
    );
  }
  if (code.startsWith('22')) {
    return new AgentryError('INPUT_INVALID', 'The database rejected a value.', { cause: error, details });
  }
  return new AgentryError('INTERNAL', 'A database operation failed.', { cause: error, details });
}
