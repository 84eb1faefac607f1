import { StatesError } from '../errors.ts';
import type { FailState } from '../types.ts';
import { resolveField, type StateAction } from './action.ts';

/** Fail: ends the (sub)machine with Error/Cause (literals, ErrorPath/CausePath or JSONata expressions). */
export const executeFail: StateAction<FailState> = async (call) => {
  const error = await resolveField(call, call.state.Error, call.state.ErrorPath, 'Error');
  const cause = await resolveField(call, call.state.Cause, call.state.CausePath, 'Cause');
  throw new StatesError(asText(error, 'States.Fail'), asText(cause, ''));
};

function asText(value: unknown, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
