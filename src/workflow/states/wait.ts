import { StatesError, StatesErrors } from '../errors.ts';
import type { WaitState } from '../types.ts';
import { resolveField, resolveNumber, type StateAction } from './action.ts';

/** Wait: sleeps on the injected clock for Seconds/SecondsPath or until Timestamp/TimestampPath. */
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
  runtime.events.emit(call.frame.path, { type: 'WaitStarted', state: call.name, untilMs: until });
  if (until > now) await runtime.sleep(until - now, call.frame.signal);
  return { result: call.input };
};
