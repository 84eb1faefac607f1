import type { PassState } from '../types.ts';
import type { StateAction } from './action.ts';

/** Pass: the result is `Result` when given, else the effective input. */
export const executePass: StateAction<PassState> = async (call) => ({
  result: call.state.Result !== undefined ? structuredClone(call.state.Result) : call.input,
});
