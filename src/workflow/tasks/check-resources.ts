import type { State, SubMachine } from '../types.ts';
import type { ValidationIssue } from '../validate.ts';
import { functionNameOf, parseResource } from './resources.ts';

export interface ResourceCatalog {
  hasAgent(name: string): boolean;
  hasFunction(name: string): boolean;
}

/**
 * Agentry's checks on top of the ASL schema: every Task resource must be one Agentry runs, every agent it
 * names must exist, and every function named statically (a Lambda ARN, or a literal `FunctionName`) must be
 * mapped. Dynamic names (`FunctionName.$`, JSONata) are checked when the task runs.
 */
export function checkResources(machine: SubMachine, catalog: ResourceCatalog): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [name, state] of Object.entries(machine.States)) {
    checkState(name, state, catalog, issues);
    if (state.Type === 'Parallel') for (const branch of state.Branches) issues.push(...checkResources(branch, catalog));
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) issues.push(...checkResources(processor, catalog));
    }
  }
  return issues;
}

function checkState(name: string, state: State, catalog: ResourceCatalog, issues: ValidationIssue[]): void {
  if (state.Type !== 'Task') return;
  const issue = (message: string): void => {
    issues.push({ code: 'RESOURCE_UNKNOWN', message, state: name, field: 'Resource' });
  };
  const resource = parseResource(state.Resource);
  switch (resource.kind) {
    case 'unsupported':
      issue(`Agentry does not run the resource '${state.Resource}'.`);
      return;
    case 'agent':
      if (!catalog.hasAgent(resource.agent)) issue(`No agent named "${resource.agent}".`);
      return;
    case 'function':
      if (!catalog.hasFunction(resource.functionName)) {
        issue(`No function named "${resource.functionName}" (map it under workflows.functions).`);
      }
      return;
    case 'lambda-invoke': {
      const parameters = (state.Parameters ?? state.Arguments) as Record<string, unknown> | undefined;
      const literal = parameters?.FunctionName;
      if (typeof literal !== 'string' || literal.includes('{%')) return;
      const functionName = functionNameOf(literal);
      if (!functionName || !catalog.hasFunction(functionName)) {
        issues.push({
          code: 'RESOURCE_UNKNOWN',
          message: `No function named "${literal}" (map it under workflows.functions).`,
          state: name,
          field: 'FunctionName',
        });
      }
    }
  }
}
