import type { SucceedState } from '../types.ts';
import type { StateAction } from './action.ts';

/** Succeed: ends the (sub)machine successfully with its (processed) input. */
export const executeSucceed: StateAction<SucceedState> = async (call) => ({ result: call.input });
