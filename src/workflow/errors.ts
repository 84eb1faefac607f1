/**
 * ASL error names. Errors raised by the engine carry these as their `name`, so `ErrorEquals` matching is a
 * plain string compare. Task handlers may throw any error; its `name` is the ASL error name they report.
 */
export const StatesErrors = {
  ALL: 'States.ALL',
  TaskFailed: 'States.TaskFailed',
  Timeout: 'States.Timeout',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  Runtime: 'States.Runtime',
  DataLimitExceeded: 'States.DataLimitExceeded',
  NoChoiceMatched: 'States.NoChoiceMatched',
  IntrinsicFailure: 'States.IntrinsicFailure',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  ParameterPathFailure: 'States.ParameterPathFailure',
  ItemReaderFailed: 'States.ItemReaderFailed',
  ResultWriterFailed: 'States.ResultWriterFailed',
  ExceedToleratedFailureThreshold: 'States.ExceedToleratedFailureThreshold',
  QueryEvaluationError: 'States.QueryEvaluationError',
  BranchFailed: 'States.BranchFailed',
  Permissions: 'States.Permissions',
} as const;

export type StatesErrorName = (typeof StatesErrors)[keyof typeof StatesErrors];

/**
 * Errors `States.ALL` (and every other matcher) never matches: AWS treats them as terminal for the execution.
 */
export const UNCATCHABLE_ERRORS: ReadonlySet<string> = new Set([StatesErrors.Runtime, StatesErrors.DataLimitExceeded]);

/** An ASL error: `name` is the error name matched by `ErrorEquals`, `cause` the human-readable Cause string. */
export class StatesError extends Error {
  override readonly name: string;
  override readonly cause: string;

  constructor(name: string, cause = '') {
    super(cause === '' ? name : `${name}: ${cause}`);
    this.name = name;
    this.cause = cause;
  }
}

/** Normalizes anything thrown by a handler or the engine into an ASL error name and cause. */
export function toStatesError(error: unknown): StatesError {
  if (error instanceof StatesError) return error;
  if (error instanceof Error) {
    const name = error.name === '' || error.name === 'Error' ? 'Error' : error.name;
    return new StatesError(name, error.message);
  }
  return new StatesError('Error', typeof error === 'string' ? error : (JSON.stringify(error) ?? ''));
}

export function runtimeError(cause: string): StatesError {
  return new StatesError(StatesErrors.Runtime, cause);
}
