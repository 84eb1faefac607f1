import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { runStateMachine } from '../engine.ts';
import { validateDefinition } from '../validate.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { allStates, type CorpusCase, loadCorpus, makeHandler, type Outcome } from './corpus-case.ts';

/**
 * Differential conformance: every corpus definition runs on our engine and on aws-local-stepfunctions with the
 * same data-described handlers; both must succeed with the same output or fail with the same error name.
 * Cases where the oracle deviates from AWS carry `divergence` and assert our (AWS) behaviour instead.
 */

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LocalHandler = LocalHandlers[string];
type OracleJson = Awaited<ReturnType<LocalHandler>>;

const corpus = loadCorpus(join(dirname(fileURLToPath(import.meta.url)), 'corpus'));

async function runOurs(testCase: CorpusCase): Promise<Outcome> {
  const handlers = new Map(Object.entries(testCase.handlers).map(([resource, spec]) => [resource, makeHandler(spec)]));
  const clock = new VirtualClock();
  const result = await runStateMachine(structuredClone(testCase.definition), structuredClone(testCase.input), {
    handlers: async (resource, input) => {
      const handler = handlers.get(resource);
      if (!handler) throw new Error(`No corpus handler for ${resource}`);
      return handler(input);
    },
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
  });
  if (result.status === 'SUCCEEDED') return { status: 'SUCCEEDED', output: result.output };
  return { status: 'FAILED', error: result.error };
}

async function runOracle(testCase: CorpusCase): Promise<Outcome> {
  const handlers = new Map(Object.entries(testCase.handlers).map(([resource, spec]) => [resource, makeHandler(spec)]));
  const taskResourceLocalHandlers: LocalHandlers = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of allStates(testCase.definition)) {
    if (state.Type === 'Task') {
      const handler = handlers.get(state.Resource);
      if (handler) taskResourceLocalHandlers[name] = async (input) => (await handler(input)) as OracleJson;
    }
    if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (state.Retry) retryIntervalOverrides[name] = 0;
  }
  const machine = new StateMachine(structuredClone(testCase.definition) as never);
  const execution = machine.run(structuredClone(testCase.input) as never, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
  });
  try {
    return { status: 'SUCCEEDED', output: await execution.result };
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    return { status: 'FAILED', error: cause instanceof Error ? cause.name : String(error) };
  }
}

describe('differential conformance against aws-local-stepfunctions', () => {
  it('has a corpus of at least 40 definitions, all valid', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    for (const { file, case: testCase } of corpus) {
      expect({ file, ...validateDefinition(testCase.definition) }).toMatchObject({ file, valid: true });
    }
  });

  it.each(corpus.map(({ file, case: testCase }) => [file, testCase] as const))('%s', async (_file, testCase) => {
    const [ours, oracle] = await Promise.all([runOurs(testCase), runOracle(testCase)]);
    if (testCase.divergence) {
      expect(ours).toEqual(testCase.divergence.expected);
      expect(oracle).not.toEqual(ours);
      return;
    }
    expect(ours).toEqual(oracle);
  });
});
