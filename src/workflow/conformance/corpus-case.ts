import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { State, StateMachineDefinition, SubMachine } from '../types.ts';

/** A task handler described as data, so the same behaviour can be given to both engines. */
export type HandlerSpec =
  | { result: unknown }
  | { echo: true }
  | { error: string; cause: string }
  | { sequence: Array<{ result: unknown } | { error: string; cause: string }> };

export interface CorpusCase {
  name: string;
  definition: StateMachineDefinition;
  input: unknown;
  /** Keyed by resource ARN. */
  handlers: Record<string, HandlerSpec>;
  /**
   * Set when aws-local-stepfunctions deviates from the AWS behaviour: the reason, and what we assert for our
   * engine instead of the oracle's outcome.
   */
  divergence?: { reason: string; expected: Outcome };
}

export type Outcome = { status: 'SUCCEEDED'; output: unknown } | { status: 'FAILED'; error: string };

export function loadCorpus(directory: string): Array<{ file: string; case: CorpusCase }> {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, case: JSON.parse(readFileSync(join(directory, file), 'utf8')) as CorpusCase }));
}

function fail(error: string, cause: string): never {
  const thrown = new Error(cause);
  thrown.name = error;
  throw thrown;
}

/** A fresh, stateful handler for one resource (sequences advance per call, repeating their last step). */
export function makeHandler(spec: HandlerSpec): (input: unknown) => Promise<unknown> {
  let call = 0;
  return async (input) => {
    if ('echo' in spec) return input;
    if ('result' in spec) return structuredClone(spec.result);
    if ('error' in spec) return fail(spec.error, spec.cause);
    const step = spec.sequence[Math.min(call++, spec.sequence.length - 1)];
    if (!step) throw new Error('Empty handler sequence');
    if ('error' in step) return fail(step.error, step.cause);
    return structuredClone(step.result);
  };
}

/** Every state of a machine, nested Parallel branches and Map processors included, by name. */
export function allStates(machine: SubMachine): Array<[string, State]> {
  const found: Array<[string, State]> = [];
  for (const [name, state] of Object.entries(machine.States)) {
    found.push([name, state]);
    if (state.Type === 'Parallel') for (const branch of state.Branches) found.push(...allStates(branch));
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) found.push(...allStates(processor));
    }
  }
  return found;
}
