import { StatesError, StatesErrors, toStatesError } from '../errors.ts';
import type { ParallelState } from '../types.ts';
import type { StateAction } from './action.ts';

/**
 * Parallel: runs every branch on the same input, each in its own variable scope. The result is the array of
 * branch outputs in branch order. The first failing branch fails the state with its error; the other branches
 * are aborted through their signal and awaited before the state fails, so nothing keeps running behind it.
 */
export const executeParallel: StateAction<ParallelState> = async (call) => {
  const { frame, runtime, name } = call;
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(frame.signal.reason);
  frame.signal.addEventListener('abort', onOuterAbort, { once: true });
  let firstError: StatesError | undefined;
  try {
    const settled = await Promise.allSettled(
      call.state.Branches.map(async (branch, index) => {
        // Branch events go on the branch's own path: their order there is deterministic, which a replay needs.
        const path = `${frame.path}${name}/${index}/`;
        runtime.events.emit(path, { type: 'ParallelBranchStarted', state: name, branch: index });
        try {
          const output = await call.runSubMachine(
            {
              machine: branch,
              queryLanguage: frame.queryLanguage,
              variables: frame.variables.child(),
              path,
              signal: controller.signal,
            },
            call.input,
            runtime,
          );
          runtime.events.emit(path, { type: 'ParallelBranchSucceeded', state: name, branch: index });
          return output;
        } catch (thrown) {
          if (controller.signal.aborted) throw thrown;
          const error = toStatesError(thrown);
          firstError = error;
          runtime.events.emit(path, {
            type: 'ParallelBranchFailed',
            state: name,
            branch: index,
            error: error.name,
            cause: error.cause,
          });
          controller.abort(new StatesError(StatesErrors.BranchFailed, `Branch ${index} of '${name}' failed`));
          throw error;
        }
      }),
    );
    if (frame.signal.aborted) throw frame.signal.reason;
    if (firstError) throw firstError;
    return { result: settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : null)) };
  } finally {
    frame.signal.removeEventListener('abort', onOuterAbort);
  }
};
