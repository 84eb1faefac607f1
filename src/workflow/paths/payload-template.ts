import { StatesError, StatesErrors } from '../errors.ts';
import { evaluateIntrinsic, isIntrinsic } from '../intrinsics/index.ts';
import { type PathSources, queryPath } from './jsonpath.ts';

/**
 * Payload templates (Parameters, ResultSelector, ItemSelector, JSONPath Assign): a key ending in `.$` takes its
 * value from a path (`$.x`), the context object (`$$.x`), a variable (`$name`) or an intrinsic function
 * (`States.Format(...)`), and loses the `.$` suffix. Other values are copied, recursing into objects and arrays.
 */
export function evaluatePayloadTemplate(template: unknown, sources: PathSources, random: () => number): unknown {
  if (Array.isArray(template)) return template.map((item) => evaluatePayloadTemplate(item, sources, random));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      const name = key.slice(0, -2);
      if (typeof value !== 'string') {
        throw new StatesError(StatesErrors.Runtime, `The value of field '${key}' must be a path or intrinsic`);
      }
      out[name] = evaluateDynamicValue(value, sources, random);
    } else {
      out[key] = evaluatePayloadTemplate(value, sources, random);
    }
  }
  return out;
}

export function evaluateDynamicValue(expression: string, sources: PathSources, random: () => number): unknown {
  if (isIntrinsic(expression)) {
    const context = { input: sources.input, context: sources.context, variables: sources.variables.snapshot() };
    try {
      return evaluateIntrinsic(expression, context, random);
    } catch (error) {
      if (error instanceof Error && error.name.startsWith('States.')) {
        throw new StatesError(error.name, error.message);
      }
      throw new StatesError(StatesErrors.IntrinsicFailure, error instanceof Error ? error.message : String(error));
    }
  }
  return queryPath(expression, sources);
}
