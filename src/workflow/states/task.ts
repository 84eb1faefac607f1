import { StatesError, StatesErrors, toStatesError } from '../errors.ts';
import { checkPayloadSize } from '../payload-size.ts';
import type { TaskState } from '../types.ts';
import { resolveNumber, type StateAction, type StateCall, type StateOutcome } from './action.ts';

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
  const taskToken = state.Resource.endsWith(WAIT_FOR_TASK_TOKEN) ? call.context.Task?.Token : undefined;
  const timeoutMs = timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000;
  const scheduled = runtime.events.emit(frame.path, {
    type: 'TaskScheduled',
    state: name,
    resource: state.Resource,
    input: call.input,
    attempt: call.context.State.RetryCount,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(taskToken === undefined ? {} : { taskToken }),
  });
  // Only a timed attempt needs signals of its own (to stop the handler when the timer wins); otherwise the
  // handler gets the frame's signal, which aborts on failure elsewhere and on abort. Creating and aborting
  // controllers per task is a large share of an in-memory transition's cost.
  const timed = timeoutMs === undefined ? undefined : { attempt: new AbortController(), timer: new AbortController() };
  const onOuterAbort = (): void => timed?.attempt.abort(frame.signal.reason);
  if (timed) frame.signal.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const recorded = recordedOutcome(call, timeoutSeconds);
    if (recorded) return recorded();
    // The attempt is durable before it runs: a resumed execution finds it scheduled and runs it again with
    // the same task id (and input), never silently drops it.
    await runtime.checkpoint();
    const context = {
      signal: timed?.attempt.signal ?? frame.signal,
      stateName: name,
      taskId: `${runtime.execution.executionId}#${scheduled.id}`,
      ...(taskToken === undefined ? {} : { taskToken }),
    };
    const input = scheduled.type === 'TaskScheduled' ? scheduled.input : call.input;
    const racers: Promise<unknown>[] = [runtime.handlers(state.Resource, input, context)];
    if (timed && timeoutMs !== undefined) {
      // Measured from when the attempt was first scheduled, also across a resumption.
      const remaining = Date.parse(scheduled.timestamp) + timeoutMs - runtime.now();
      racers.push(
        runtime.sleep(Math.max(0, remaining), timed.timer.signal).then(() => {
          throw new StatesError(StatesErrors.Timeout, `Task '${name}' timed out after ${timeoutSeconds} seconds`);
        }),
      );
    }
    const result = await Promise.race(racers);
    checkPayloadSize(result, `The result of task '${name}'`);
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
    if (timed) {
      frame.signal.removeEventListener('abort', onOuterAbort);
      timed.timer.abort();
      timed.attempt.abort(new StatesError(StatesErrors.Timeout, 'Task attempt ended'));
    }
  }
};

/**
 * On a resumed execution, the outcome of an attempt that finished before the process died: replayed (the
 * history's event is consumed by re-emitting it) instead of running the task again.
 */
function recordedOutcome(
  call: StateCall<TaskState>,
  timeoutSeconds: number | undefined,
): (() => StateOutcome) | undefined {
  const { runtime, frame, name, state } = call;
  const next = runtime.events.replay?.peek(frame.path);
  if (!next || !('state' in next) || next.state !== name) return undefined;
  switch (next.type) {
    case 'TaskSucceeded':
      runtime.events.emit(frame.path, { type: 'TaskSucceeded', state: name, resource: state.Resource, output: null });
      return () => ({ result: next.output === undefined ? null : next.output });
    case 'TaskFailed':
    case 'TaskTimedOut':
      // Rethrown by the caller's catch, which emits the same event again and so consumes it.
      return () => {
        throw next.type === 'TaskFailed'
          ? new StatesError(next.error, next.cause)
          : new StatesError(StatesErrors.Timeout, `Task '${name}' timed out after ${timeoutSeconds} seconds`);
      };
    default:
      return undefined;
  }
}
