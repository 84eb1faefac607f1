import { StatesError, StatesErrors } from '../errors.ts';
import { evaluateExpression } from '../jsonata/evaluate.ts';
import type { ChoiceRule, ChoiceState, JsonObject } from '../types.ts';
import { jsonataScope, pathSources, type StateAction, type StateCall } from './action.ts';
import { evaluateChoiceRule } from './choice-rules.ts';

/**
 * Choice: the first matching rule picks Next; otherwise Default, otherwise States.NoChoiceMatched.
 * The output is the input (after InputPath/OutputPath; JSONata rules may carry their own Output and Assign).
 */
export const executeChoice: StateAction<ChoiceState> = async (call) => {
  for (const rule of call.state.Choices) {
    if (await matches(call, rule)) {
      const fields: { Output?: unknown; Assign?: JsonObject } = {};
      if (rule.Output !== undefined) fields.Output = rule.Output;
      if (rule.Assign !== undefined) fields.Assign = rule.Assign as JsonObject;
      return { result: call.input, next: String(rule.Next), fields };
    }
  }
  if (call.state.Default !== undefined) return { result: call.input, next: call.state.Default };
  throw new StatesError(StatesErrors.NoChoiceMatched, `No choice rule matched in state '${call.name}'`);
};

async function matches(call: StateCall<ChoiceState>, rule: ChoiceRule): Promise<boolean> {
  if (call.queryLanguage === 'JSONPath') return evaluateChoiceRule(rule, pathSources(call));
  const condition = rule.Condition;
  const value = typeof condition === 'string' ? await evaluateExpression(condition, jsonataScope(call)) : condition;
  if (typeof value !== 'boolean') {
    throw new StatesError(StatesErrors.QueryEvaluationError, `Choice Condition in '${call.name}' is not a boolean`);
  }
  return value;
}
