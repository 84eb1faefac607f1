import { StatesError, StatesErrors, toStatesError } from '../errors.ts';
import type { TaskState } from '../types.ts';
import { resolveNumber, type StateAction } from './action.ts';

const WAIT_FOR_TASK_TOKEN = '.waitForTaskToken';

/**
 * Task: calls the injected handler with the resource and effective input. TimeoutSeconds races the handler on
 * the injected clock and fails the attempt with States.Timeout; the handler's signal aborts either way.
 * `.waitForTaskToken` resources get a task token in `$$.Task.Token` and in the handler context; the handler's
 * resolved value is the callback result (SendTaskSuccess), a rejection is SendTaskFailure.
 */
export const executeTask: StateAction<TaskState> = async (call) => {
  const { state, runtime, frame, name } = call;
  const timeoutSeconds = await resolveNumber(call, state.TimeoutSeconds, state.TimeoutSecondsPath, 'TimeoutSeconds', {
    integer: true,
    min: 1,
  });
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(frame.signal.reason);
  frame.signal.addEventListener('abort', onOuterAbort, { once: true });
  const taskToken = state.Resource.endsWith(WAIT_FOR_TASK_TOKEN) ? call.context.Task?.Token : undefined;
  const timeoutMs = timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000;
  runtime.events.emit(frame.path, {
    type: 'TaskScheduled',
    state: name,
    resource: state.Resource,
    input: call.input,
    attempt: call.context.State.RetryCount,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const context = { signal: controller.signal, stateName: name, ...(taskToken === undefined ? {} : { taskToken }) };
  const racers: Promise<unknown>[] = [runtime.handlers(state.Resource, call.input, context)];
  const timer = new AbortController();
  if (timeoutMs !== undefined) {
    racers.push(
      runtime.sleep(timeoutMs, timer.signal).then(() => {
        throw new StatesError(StatesErrors.Timeout, `Task '${name}' timed out after ${timeoutSeconds} seconds`);
      }),
    );
  }
  try {
    const result = await Promise.race(racers);
    runtime.events.emit(frame.path, { type: 'TaskSucceeded', state: name, resource: state.Resource, output: result });
    return { result: result === undefined ? null : result };
  } catch (thrown) {
    if (frame.signal.aborted) throw thrown;
    const error = toStatesError(thrown);
    if (error.name === StatesErrors.Timeout) {
      runtime.events.emit(frame.path, { type: 'TaskTimedOut', state: name, resource: state.Resource });
    } else {
      runtime.events.emit(frame.path, {
        type: 'TaskFailed',
        state: name,
        resource: state.Resource,
        error: error.name,
        cause: error.cause,
      });
    }
    throw error;
  } finally {
    frame.signal.removeEventListener('abort', onOuterAbort);
    timer.abort();
    controller.abort(new StatesError(StatesErrors.Timeout, 'Task attempt ended'));
  }
};
