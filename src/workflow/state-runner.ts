import { toStatesError } from './errors.ts';
import { buildContextObject } from './paths/context-object.ts';
import { checkPayloadSize } from './payload-size.ts';
import { findCatcher, nextRetry } from './retry-catch.ts';
import type { Frame, RunSubMachine, Runtime } from './runtime.ts';
import { prepareInput, type Shaped, shapeCaughtOutput, shapeOutput } from './state-io.ts';
import type { StateAction, StateCall } from './states/action.ts';
import { executeChoice } from './states/choice.ts';
import { executeFail } from './states/fail.ts';
import { executeMap } from './states/map.ts';
import { executeParallel } from './states/parallel.ts';
import { executePass } from './states/pass.ts';
import { executeSucceed } from './states/succeed.ts';
import { executeTask } from './states/task.ts';
import { executeWait } from './states/wait.ts';
import type { State } from './types.ts';

const ACTIONS: { [K in State['Type']]: StateAction<Extract<State, { Type: K }>> } = {
  Pass: executePass,
  Task: executeTask,
  Choice: executeChoice,
  Wait: executeWait,
  Succeed: executeSucceed,
  Fail: executeFail,
  Parallel: executeParallel,
  Map: executeMap,
};

export interface StateTransition {
  output: unknown;
  /** Undefined when the state ends its (sub)machine. */
  next: string | undefined;
}

/**
 * Runs one state: input processing, the action, output processing, then Retry (on the injected clock) and
 * Catch. Variables are assigned only when the state completes (or is caught), never on a failed attempt.
 */
export async function runState(
  name: string,
  state: State,
  rawInput: unknown,
  frame: Frame,
  runtime: Runtime,
  runSubMachine: RunSubMachine,
): Promise<StateTransition> {
  const events = runtime.events;
  const entered = events.emit(frame.path, {
    type: 'StateEntered',
    state: name,
    stateType: state.Type,
    input: rawInput,
  });
  const finished = events.replay?.finishedVisit(frame.path, name);
  if (finished) {
    frame.variables.assignAll(finished.assigned ?? {});
    return { output: finished.output, next: finished.next };
  }
  const enteredTime = entered.timestamp;
  const retries: number[] = [];
  let retryCount = 0;
  for (;;) {
    const context = buildContextObject(runtime.execution, {
      name,
      enteredTime,
      retryCount,
      // Step Functions gives a token to callback tasks only.
      ...(state.Type === 'Task' && state.Resource.endsWith('.waitForTaskToken')
        ? { taskToken: events.replay?.upcomingTaskToken(frame.path) ?? runtime.newTaskToken() }
        : {}),
    });
    const call: StateCall = {
      name,
      state,
      input: rawInput,
      rawInput,
      context,
      queryLanguage: state.QueryLanguage ?? frame.queryLanguage,
      frame,
      runtime,
      runSubMachine,
    };
    try {
      call.input = await prepareInput(call);
      const action = ACTIONS[state.Type] as StateAction<State>;
      const outcome = await action(call);
      const shaped = await shapeOutput(call, outcome);
      return finish(call, shaped, outcome.next ?? (state.End ? undefined : state.Next));
    } catch (thrown) {
      if (frame.signal.aborted) throw frame.signal.reason;
      const error = toStatesError(thrown);
      events.emit(frame.path, {
        type: 'StateFailed',
        state: name,
        stateType: state.Type,
        error: error.name,
        cause: error.cause,
      });
      const retry = nextRetry(state.Retry, error.name, retries, runtime.random);
      if (retry) {
        const retried = events.emit(frame.path, {
          type: 'StateRetried',
          state: name,
          retryCount: retryCount + 1,
          delayMs: retry.delayMs,
        });
        // A resumed execution waits only for what is left of the recorded delay.
        if (retried.type === 'StateRetried' && retried.delayMs > 0) {
          await runtime.checkpoint();
          const remaining = Date.parse(retried.timestamp) + retried.delayMs - runtime.now();
          if (remaining > 0) await runtime.sleep(remaining, frame.signal);
        }
        retryCount++;
        continue;
      }
      const catcher = findCatcher(state.Catch, error.name);
      if (!catcher) throw error;
      events.emit(frame.path, { type: 'StateCaught', state: name, error: error.name, next: catcher.Next });
      const shaped = await shapeCaughtOutput(call, catcher, { Error: error.name, Cause: error.cause });
      return finish(call, shaped, catcher.Next);
    }
  }
}

function finish(call: StateCall, shaped: Shaped, next: string | undefined): StateTransition {
  checkPayloadSize(shaped.output, `The output of state '${call.name}'`);
  call.frame.variables.assignAll(shaped.assignments);
  call.runtime.events.emit(call.frame.path, {
    type: 'StateExited',
    state: call.name,
    stateType: call.state.Type,
    output: shaped.output,
    ...(next === undefined ? {} : { next }),
    ...(Object.keys(shaped.assignments).length === 0 ? {} : { assigned: shaped.assignments }),
  });
  return { output: shaped.output, next };
}
