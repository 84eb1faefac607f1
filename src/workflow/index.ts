export { type ExecutionResult, type RunOptions, realSleep, runStateMachine } from './engine.ts';
export { StatesError, type StatesErrorName, StatesErrors } from './errors.ts';
export type { EventSink, ExecutionEvent } from './events.ts';
export type { Sleep, TaskContext, TaskHandler } from './runtime.ts';
export type { StateMachineDefinition } from './types.ts';
export { type ValidationIssue, validateDefinition } from './validate.ts';
