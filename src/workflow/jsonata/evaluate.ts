import jsonata from 'jsonata';
import { StatesError, StatesErrors } from '../errors.ts';
import { stepFunctionsBindings } from './step-functions-functions.ts';

/** `$states` as JSONata expressions see it. */
export interface StatesBinding {
  input: unknown;
  context: unknown;
  result?: unknown;
  errorOutput?: unknown;
}

export interface JsonataScope {
  states: StatesBinding;
  variables: Record<string, unknown>;
  /** The execution's random source, for `$random()` and `$uuid()`. */
  random?: () => number;
}

const functionBindings = new WeakMap<() => number, Record<string, unknown>>();

/** The Step Functions functions bound to one random source, built once per source. */
function bindingsFor(random: () => number): Record<string, unknown> {
  let bindings = functionBindings.get(random);
  if (!bindings) {
    bindings = stepFunctionsBindings(random);
    functionBindings.set(random, bindings);
  }
  return bindings;
}

const OPEN = '{%';
const CLOSE = '%}';

/** A string is a JSONata expression when it is wrapped in `{% … %}` as a whole. */
export function isJsonataExpression(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const trimmed = value.trim();
  return trimmed.startsWith(OPEN) && trimmed.endsWith(CLOSE) && trimmed.length >= OPEN.length + CLOSE.length;
}

function expressionBody(value: string): string {
  const trimmed = value.trim();
  return trimmed.slice(OPEN.length, trimmed.length - CLOSE.length);
}

const compiled = new Map<string, jsonata.Expression>();

function compile(body: string): jsonata.Expression {
  let expression = compiled.get(body);
  if (!expression) {
    try {
      expression = jsonata(body);
    } catch (error) {
      throw new StatesError(StatesErrors.QueryEvaluationError, `Invalid JSONata expression: ${describe(error)}`);
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(body, expression);
  }
  return expression;
}

function describe(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}

/** Evaluates one `{% … %}` string. `undefined` (no match) is returned as is; callers decide what it means. */
export async function evaluateExpression(value: string, scope: JsonataScope): Promise<unknown> {
  const expression = compile(expressionBody(value));
  const bindings: Record<string, unknown> = {
    ...bindingsFor(scope.random ?? Math.random),
    ...scope.variables,
    states: scope.states,
  };
  try {
    return normalize(await expression.evaluate(scope.states.input, bindings));
  } catch (error) {
    throw new StatesError(StatesErrors.QueryEvaluationError, describe(error));
  }
}

/**
 * JSONata results may be arrays carrying a `sequence` flag and functions; turn them into plain JSON so they
 * compare and serialize like any other state data.
 */
function normalize(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return undefined;
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const normalized = normalize(item);
      if (normalized !== undefined) out[key] = normalized;
    }
    return out;
  }
  return value;
}

/**
 * Evaluates a JSONata-mode field value: every `{% … %}` string found anywhere inside objects and arrays is
 * replaced by its result; fields whose expression yields nothing are dropped, as Step Functions does.
 */
export async function evaluateTemplate(value: unknown, scope: JsonataScope): Promise<unknown> {
  if (isJsonataExpression(value)) return evaluateExpression(value, scope);
  if (Array.isArray(value)) {
    const items = await Promise.all(value.map((item) => evaluateTemplate(item, scope)));
    return items.filter((item) => item !== undefined);
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const evaluated = await evaluateTemplate(item, scope);
      if (evaluated !== undefined) out[key] = evaluated;
    }
    return out;
  }
  return value;
}

/** A field that must produce a value (Output, Arguments, Items …): nothing is States.QueryEvaluationError. */
export async function evaluateRequired(value: unknown, scope: JsonataScope, field: string): Promise<unknown> {
  const result = await evaluateTemplate(value, scope);
  if (result === undefined) {
    throw new StatesError(StatesErrors.QueryEvaluationError, `The JSONata expression of '${field}' returned nothing`);
  }
  return result;
}
