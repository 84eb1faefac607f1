/**
 * Structured logs: one JSON object a line, with the request id where there is one. Callers pass
 * fields, never raw errors (their messages can carry secrets); use `errorFields` for those.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(
  write: (line: string) => void,
  minimum: LogLevel = 'info',
  now: () => Date = () => new Date(),
): Logger {
  return {
    log(level, message, fields) {
      if (ORDER[level] < ORDER[minimum]) return;
      write(`${JSON.stringify({ time: now().toISOString(), level, message, ...fields })}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };

/** The safe parts of an error for a log line: code and name, not the message of unknown errors. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return { errorCode: error.code };
  }
  return { errorName: error instanceof Error ? error.name : typeof error };
}
