import { intrinsicFailure } from './errors.ts';
import type { IntrinsicCall } from './function-types.ts';
import { MAX_STRING_INPUT_CHARS } from './limits.ts';

/** The JSON type of a value, for error messages that must not echo the value itself. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function argumentError(call: IntrinsicCall, index: number, label: string, problem: string): Error {
  return intrinsicFailure(`${call.name}: argument ${index + 1} (${label}) ${problem}`);
}

function wrongType(call: IntrinsicCall, index: number, label: string, expected: string): Error {
  return argumentError(call, index, label, `must be ${expected}, got ${typeName(call.args[index])}`);
}

export function stringArg(call: IntrinsicCall, index: number, label: string): string {
  const value = call.args[index];
  if (typeof value !== 'string') throw wrongType(call, index, label, 'a string');
  return value;
}

export function arrayArg(call: IntrinsicCall, index: number, label: string): readonly unknown[] {
  const value = call.args[index];
  if (!Array.isArray(value)) throw wrongType(call, index, label, 'an array');
  return value;
}

export function objectArg(call: IntrinsicCall, index: number, label: string): Record<string, unknown> {
  const value = call.args[index];
  if (!isJsonObject(value)) throw wrongType(call, index, label, 'an object');
  return value;
}

export function booleanArg(call: IntrinsicCall, index: number, label: string): boolean {
  const value = call.args[index];
  if (typeof value !== 'boolean') throw wrongType(call, index, label, 'a boolean');
  return value;
}

export function numberArg(call: IntrinsicCall, index: number, label: string): number {
  const value = call.args[index];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(call, index, label, 'a number');
  return value;
}

/** "If you specify a non-integer value ... Step Functions will round it off to the nearest integer." */
export function roundedIntegerArg(call: IntrinsicCall, index: number, label: string): number {
  const rounded = Math.round(numberArg(call, index, label));
  if (!Number.isSafeInteger(rounded)) throw argumentError(call, index, label, 'is outside the safe integer range');
  return rounded;
}

/** A string argument of at most 10,000 characters (Base64Encode, Base64Decode, Hash). */
export function limitedStringArg(call: IntrinsicCall, index: number, label: string): string {
  const value = stringArg(call, index, label);
  if (value.length > MAX_STRING_INPUT_CHARS) {
    throw argumentError(
      call,
      index,
      label,
      `is longer than ${MAX_STRING_INPUT_CHARS.toLocaleString('en-US')} characters`,
    );
  }
  return value;
}
