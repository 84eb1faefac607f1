import { evaluateRequired, evaluateTemplate } from './jsonata/evaluate.ts';
import {
  applyInputPath,
  applyOutputPath,
  applyResultPath,
  applyTemplate,
  evaluateJsonPathAssign,
} from './paths/data-flow.ts';
import { evaluatePayloadTemplate } from './paths/payload-template.ts';
import { jsonataScope, pathSources, type StateCall, type StateOutcome } from './states/action.ts';
import type { Catcher } from './types.ts';

/**
 * Query-language-specific input/output processing around a state action. Both produce the state output and
 * the variable assignments to apply; assignments are applied by the caller only once the state completes.
 */

export async function prepareInput(call: StateCall): Promise<unknown> {
  const { state } = call;
  if (call.queryLanguage === 'JSONata') {
    if (state.Arguments === undefined) return call.rawInput;
    return evaluateRequired(state.Arguments, jsonataScope(call), 'Arguments');
  }
  const afterInputPath = applyInputPath(state.InputPath, pathSources(call, call.rawInput));
  if (state.Type === 'Map' || state.Parameters === undefined) return afterInputPath;
  return applyTemplate(state.Parameters, pathSources(call, afterInputPath), call.runtime.random);
}

export interface Shaped {
  output: unknown;
  assignments: Record<string, unknown>;
}

export async function shapeOutput(call: StateCall, outcome: StateOutcome): Promise<Shaped> {
  const { state } = call;
  const assign = outcome.fields?.Assign ?? state.Assign;
  if (call.queryLanguage === 'JSONata') {
    const scope = jsonataScope(call, { result: outcome.result });
    const output = outcome.fields?.Output ?? state.Output;
    return {
      output: output === undefined ? outcome.result : await evaluateRequired(output, scope, 'Output'),
      assignments: assign === undefined ? {} : ((await evaluateTemplate(assign, scope)) as Record<string, unknown>),
    };
  }
  const random = call.runtime.random;
  const selected =
    state.ResultSelector === undefined
      ? outcome.result
      : evaluatePayloadTemplate(state.ResultSelector, pathSources(call, outcome.result), random);
  const assignments = assign === undefined ? {} : evaluateJsonPathAssign(assign, pathSources(call, selected), random);
  const merged = applyResultPath(state.ResultPath, call.rawInput, selected);
  return { output: applyOutputPath(state.OutputPath, pathSources(call, merged)), assignments };
}

/** Output of a caught error: ResultPath (JSONPath) or Output with `$states.errorOutput` (JSONata). */
export async function shapeCaughtOutput(call: StateCall, catcher: Catcher, errorOutput: unknown): Promise<Shaped> {
  if (call.queryLanguage === 'JSONata') {
    const scope = jsonataScope(call, { errorOutput });
    return {
      output: catcher.Output === undefined ? errorOutput : await evaluateRequired(catcher.Output, scope, 'Output'),
      assignments:
        catcher.Assign === undefined
          ? {}
          : ((await evaluateTemplate(catcher.Assign, scope)) as Record<string, unknown>),
    };
  }
  const assignments =
    catcher.Assign === undefined
      ? {}
      : evaluateJsonPathAssign(catcher.Assign, pathSources(call, errorOutput), call.runtime.random);
  return { output: applyResultPath(catcher.ResultPath, call.rawInput, errorOutput), assignments };
}
