import { AgentryError } from '../errors.ts';

/** The error a cancelled run reports: the signal's reason when it is already coded. */
export function cancelledError(signal: AbortSignal): AgentryError {
  const reason = signal.reason;
  return reason instanceof AgentryError
    ? reason
    : new AgentryError('RUN_CANCELLED', 'The run was cancelled.', { cause: reason });
}
