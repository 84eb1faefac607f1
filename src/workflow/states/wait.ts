import { StatesError, StatesErrors } from '../errors.ts';
import type { WaitState } from '../types.ts';
import { resolveField, resolveNumber, type StateAction } from './action.ts';

/**
 * Wait: sleeps on the injected clock for Seconds/SecondsPath or until Timestamp/TimestampPath. The deadline is
 * made durable before sleeping.
 */
export const executeWait: StateAction<WaitState> = async (call) => {
  const { state, runtime } = call;
  const now = runtime.now();
  let until = now;
  if (state.Seconds !== undefined || state.SecondsPath !== undefined) {
    const seconds = await resolveNumber(call, state.Seconds, state.SecondsPath, 'Seconds');
    until = now + (seconds ?? 0) * 1000;
  } else if (state.Timestamp !== undefined || state.TimestampPath !== undefined) {
    const timestamp = await resolveField(call, state.Timestamp, state.TimestampPath, 'Timestamp');
    const ms = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(ms)) {
      throw new StatesError(StatesErrors.Runtime, `Wait state '${call.name}': invalid timestamp ${String(timestamp)}`);
    }
    until = ms;
  }
  const started = runtime.events.emit(call.frame.path, { type: 'WaitStarted', state: call.name, untilMs: until });
  // A resumed execution keeps the recorded deadline: the timer fires at the same wall-clock time.
  const deadline = started.type === 'WaitStarted' ? started.untilMs : until;
  await runtime.checkpoint();
  const remaining = deadline - runtime.now();
  if (remaining > 0) await runtime.sleep(remaining, call.frame.signal);
  return { result: call.input };
};
