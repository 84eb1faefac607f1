import { type ExecutionResult, runStateMachine } from './engine.ts';
import type { ExecutionEvent } from './events.ts';
import type { TaskContext } from './runtime.ts';
import type { StateMachineDefinition } from './types.ts';
import { VirtualClock } from './virtual-clock.ts';

export type FakeHandler = (input: unknown, context: TaskContext) => unknown;

/** Test helper: runs on a virtual clock with handlers keyed by resource; unknown resources fail loudly. */
export async function runForTest(
  definition: unknown,
  input: unknown,
  handlers: Record<string, FakeHandler> = {},
  options: { random?: () => number; clock?: VirtualClock; signal?: AbortSignal } = {},
): Promise<ExecutionResult & { events: ExecutionEvent[]; clock: VirtualClock }> {
  const clock = options.clock ?? new VirtualClock();
  const events: ExecutionEvent[] = [];
  const result = await runStateMachine(definition as StateMachineDefinition, input, {
    handlers: async (resource, taskInput, context) => {
      const handler = handlers[resource];
      if (!handler) throw new Error(`No test handler for resource '${resource}'`);
      return handler(taskInput, context);
    },
    now: clock.now,
    sleep: clock.sleep,
    random: options.random ?? (() => 0.5),
    onEvent: (event) => events.push(event),
    executionName: 'test-execution',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { ...result, events, clock };
}

/** An Error whose `name` is an ASL error name, as task handlers throw them. */
export function namedError(name: string, message = ''): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
