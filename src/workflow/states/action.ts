import { StatesError, StatesErrors } from '../errors.ts';
import { evaluateExpression, isJsonataExpression, type JsonataScope } from '../jsonata/evaluate.ts';
import type { ContextObject } from '../paths/context-object.ts';
import type { PathSources } from '../paths/jsonpath.ts';
import { evaluateDynamicValue } from '../paths/payload-template.ts';
import type { Frame, RunSubMachine, Runtime } from '../runtime.ts';
import type { JsonObject, QueryLanguage, State } from '../types.ts';

/** Everything one state action needs. `input` is the effective input (after InputPath/Parameters or Arguments). */
export interface StateCall<S extends State = State> {
  name: string;
  state: S;
  input: unknown;
  rawInput: unknown;
  context: ContextObject;
  queryLanguage: QueryLanguage;
  frame: Frame;
  runtime: Runtime;
  runSubMachine: RunSubMachine;
}

/**
 * What an action produced. `next` overrides the state's `Next` (Choice); `fields` overrides the state's
 * Output/Assign (a JSONata Choice rule's own Output and Assign).
 */
export interface StateOutcome {
  result: unknown;
  next?: string;
  fields?: { Output?: unknown; Assign?: JsonObject };
}

export type StateAction<S extends State> = (call: StateCall<S>) => Promise<StateOutcome>;

export function pathSources(call: StateCall, input: unknown = call.input): PathSources {
  return { input, context: call.context, variables: call.frame.variables };
}

export function jsonataScope(call: StateCall, extra: { result?: unknown; errorOutput?: unknown } = {}): JsonataScope {
  return {
    states: { input: call.rawInput, context: call.context, ...extra },
    variables: call.frame.variables.snapshot(),
    random: call.runtime.random,
  };
}

/**
 * Resolves a field that is a literal, a JSONata `{% %}` expression (JSONata states) or has a `…Path` twin
 * (JSONPath states), e.g. TimeoutSeconds/TimeoutSecondsPath or MaxConcurrency/MaxConcurrencyPath.
 */
export async function resolveField(
  call: StateCall,
  value: unknown,
  path: string | undefined,
  field: string,
): Promise<unknown> {
  if (path !== undefined) return evaluateDynamicValue(path, pathSources(call), call.runtime.random);
  if (call.queryLanguage === 'JSONata' && isJsonataExpression(value)) {
    return evaluateExpression(value, jsonataScope(call));
  }
  if (call.queryLanguage === 'JSONata' && typeof value === 'string' && value.includes('{%')) {
    throw new StatesError(StatesErrors.QueryEvaluationError, `Field '${field}' is not a valid JSONata expression`);
  }
  return value;
}

export async function resolveNumber(
  call: StateCall,
  value: unknown,
  path: string | undefined,
  field: string,
  options: { integer?: boolean; min?: number } = {},
): Promise<number | undefined> {
  const resolved = await resolveField(call, value, path, field);
  if (resolved === undefined) return undefined;
  const min = options.min ?? 0;
  if (typeof resolved !== 'number' || !Number.isFinite(resolved) || resolved < min) {
    throw new StatesError(StatesErrors.Runtime, `Field '${field}' of state '${call.name}' must be a number ≥ ${min}`);
  }
  if (options.integer && !Number.isInteger(resolved)) {
    throw new StatesError(StatesErrors.Runtime, `Field '${field}' of state '${call.name}' must be an integer`);
  }
  return resolved;
}
