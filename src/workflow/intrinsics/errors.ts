/**
 * Errors raised while parsing or evaluating an intrinsic. The ASL error name is the error's `name`,
 * so the interpreter can match it against `Retry`/`Catch` `ErrorEquals` without translation.
 *
 * Messages name the function and the argument but never echo argument values: those come from
 * execution input and may be large or sensitive.
 */

export const INTRINSIC_FAILURE = 'States.IntrinsicFailure';
/** The spec calls these runtime errors: an open escape backslash, a path that matches nothing. */
export const STATES_RUNTIME = 'States.Runtime';

export type IntrinsicErrorName = typeof INTRINSIC_FAILURE | typeof STATES_RUNTIME;

export class IntrinsicError extends Error {
  override readonly name: IntrinsicErrorName;

  constructor(name: IntrinsicErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

export function intrinsicFailure(message: string): IntrinsicError {
  return new IntrinsicError(INTRINSIC_FAILURE, message);
}

export function runtimeError(message: string): IntrinsicError {
  return new IntrinsicError(STATES_RUNTIME, message);
}
