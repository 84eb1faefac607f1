import { StatesError, StatesErrors, toStatesError } from '../errors.ts';
import { evaluateRequired, evaluateTemplate } from '../jsonata/evaluate.ts';
import { buildContextObject } from '../paths/context-object.ts';
import { queryPath } from '../paths/jsonpath.ts';
import { evaluatePayloadTemplate } from '../paths/payload-template.ts';
import type { MapState, SubMachine } from '../types.ts';
import { jsonataScope, resolveNumber, type StateAction, type StateCall } from './action.ts';
import { MapFailureBudget } from './map-failures.ts';

/**
 * Map (inline): runs ItemProcessor (legacy: Iterator) once per item of ItemsPath / Items, at most
 * MaxConcurrency at a time (0 = unlimited). Each item's input is ItemSelector (legacy: Parameters) evaluated
 * with `$$.Map.Item.Index/Value`, else the item. The result is the array of iteration outputs in item order.
 */
export const executeMap: StateAction<MapState> = async (call) => {
  const { state, frame, runtime, name } = call;
  const processor: SubMachine | undefined = state.ItemProcessor ?? state.Iterator;
  if (!processor) throw new StatesError(StatesErrors.Runtime, `Map state '${name}' has no ItemProcessor`);
  const items = await readItems(call);
  const limit = (await resolveNumber(call, state.MaxConcurrency, state.MaxConcurrencyPath, 'MaxConcurrency')) ?? 0;
  const budget = new MapFailureBudget(
    items.length,
    await resolveNumber(call, state.ToleratedFailureCount, state.ToleratedFailureCountPath, 'ToleratedFailureCount'),
    await resolveNumber(
      call,
      state.ToleratedFailurePercentage,
      state.ToleratedFailurePercentagePath,
      'ToleratedFailurePercentage',
    ),
  );
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(frame.signal.reason);
  frame.signal.addEventListener('abort', onOuterAbort, { once: true });
  const results: unknown[] = new Array(items.length).fill(null);
  let nextIndex = 0;
  let failure: StatesError | undefined;

  const runItem = async (index: number): Promise<void> => {
    // Iteration events go on the iteration's own path: their order there is deterministic, which a replay needs.
    const path = `${frame.path}${name}/${index}/`;
    runtime.events.emit(path, { type: 'MapIterationStarted', state: name, index });
    try {
      const input = await itemInput(call, index, items[index]);
      results[index] = await call.runSubMachine(
        {
          machine: processor,
          queryLanguage: frame.queryLanguage,
          variables: frame.variables.child(),
          path,
          signal: controller.signal,
        },
        input,
        runtime,
      );
      runtime.events.emit(path, { type: 'MapIterationSucceeded', state: name, index });
    } catch (thrown) {
      if (controller.signal.aborted) return;
      const error = toStatesError(thrown);
      runtime.events.emit(path, {
        type: 'MapIterationFailed',
        state: name,
        index,
        error: error.name,
        cause: error.cause,
      });
      results[index] = { Error: error.name, Cause: error.cause };
      const verdict = budget.recordFailure(error);
      if (verdict) {
        failure = verdict;
        controller.abort(verdict);
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (!controller.signal.aborted && nextIndex < items.length) await runItem(nextIndex++);
  };
  const workers = limit === 0 ? items.length : Math.min(limit, items.length);
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    frame.signal.removeEventListener('abort', onOuterAbort);
  }
  if (frame.signal.aborted) throw frame.signal.reason;
  if (failure) throw failure;
  return { result: results };
};

async function readItems(call: StateCall<MapState>): Promise<unknown[]> {
  const { state } = call;
  let items: unknown;
  if (call.queryLanguage === 'JSONata') {
    items = state.Items === undefined ? call.input : await evaluateRequired(state.Items, jsonataScope(call), 'Items');
  } else {
    items = queryPath(state.ItemsPath ?? '$', {
      input: call.input,
      context: call.context,
      variables: call.frame.variables,
    });
  }
  if (!Array.isArray(items)) {
    throw new StatesError(StatesErrors.Runtime, `Map state '${call.name}': items must be an array`);
  }
  return items;
}

async function itemInput(call: StateCall<MapState>, index: number, value: unknown): Promise<unknown> {
  const { state, runtime } = call;
  const context = buildContextObject(runtime.execution, {
    name: call.name,
    enteredTime: call.context.State.EnteredTime,
    retryCount: call.context.State.RetryCount,
    mapItem: { index, value },
  });
  if (call.queryLanguage === 'JSONata') {
    if (state.ItemSelector === undefined) return value;
    const scope = jsonataScope(call);
    return evaluateTemplate(state.ItemSelector, { ...scope, states: { ...scope.states, context } });
  }
  const selector = state.ItemSelector ?? state.Parameters;
  if (selector === undefined) return value;
  const sources = { input: call.input, context, variables: call.frame.variables };
  return evaluatePayloadTemplate(selector, sources, runtime.random);
}
