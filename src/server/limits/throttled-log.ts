import type { Logger, LogLevel } from '../logger.ts';

export type ThrottledLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/**
 * Logs the first line at once and then at most one line per `everyMs`, counting what it held back
 * (`suppressed`): a store outage hits every request, and must not flood the log.
 */
export function throttledLog(logger: Logger, everyMs: number, now: () => number): ThrottledLog {
  let lastAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (level, message, fields) => {
    const at = now();
    if (at - lastAt < everyMs) {
      suppressed++;
      return;
    }
    logger.log(level, message, suppressed > 0 ? { ...fields, suppressed } : fields);
    lastAt = at;
    suppressed = 0;
  };
}
