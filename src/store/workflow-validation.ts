import { AgentryError } from '../errors.ts';
import type { ExecutionEvent } from '../workflow/events.ts';
import { MAX_PAGE_SIZE } from './validation.ts';
import type { ExecutionFinish, ExecutionRecord, TaskTokenOutcome, TaskTokenRecord } from './workflows.ts';

/**
 * Limits and error codes of the workflow domain, shared by every backend so a history that fits on one
 * fits on all: an execution that runs on PGlite runs unchanged on DynamoDB.
 *
 * - Data (an execution's input, one history event, a finish's result, a task token's outcome): at most
 *   MAX_EXECUTION_DATA_BYTES of UTF-8 JSON, else EXECUTION_DATA_TOO_LARGE. That is Step Functions' 256 KiB
 *   payload limit (States.DataLimitExceeded) plus room for an event's own fields, and well inside one
 *   DynamoDB item.
 * - One append: at most MAX_EVENTS_PER_APPEND events and MAX_APPEND_BYTES of them, else INPUT_INVALID (the
 *   caller splits the batch). Both come from DynamoDB: one TransactWriteItems holds 100 items (the execution's
 *   header is one of them) and 4 MB. An append is all-or-nothing, so it is never split behind the caller's back.
 */

export const MAX_EXECUTION_DATA_BYTES = 256 * 1024 + 16 * 1024;
export const MAX_EVENTS_PER_APPEND = 99;
/** Leaves room under DynamoDB's 4 MB per transaction for item overheads and a finish's result. */
export const MAX_APPEND_BYTES = 3 * 1024 * 1024;
/** Event ids are PostgreSQL `integer`s. */
export const MAX_EVENT_ID = 2_147_483_647;
export const DEFAULT_EXECUTION_PAGE_SIZE = 50;

export function executionPageSize(limit: number | undefined): number {
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit ?? DEFAULT_EXECUTION_PAGE_SIZE)));
}

export function executionNotFound(executionId: string): AgentryError {
  return new AgentryError('EXECUTION_NOT_FOUND', `Execution ${executionId} does not exist.`, {
    details: { executionId },
  });
}

export function executionLeaseLost(executionId: string, owner: string): AgentryError {
  return new AgentryError('EXECUTION_LEASE_LOST', `Execution ${executionId} is no longer leased to ${owner}.`, {
    details: { executionId },
  });
}

export function executionConflict(executionId: string, expected: number, actual: number): AgentryError {
  return new AgentryError(
    'EXECUTION_CONFLICT',
    `History of execution ${executionId} moved on (expected last event ${expected}, found ${actual}).`,
    { details: { expectedLastId: expected, lastEventId: actual } },
  );
}

/** The id is taken by an execution of another name: ids must be unique, so this is the caller's bug. */
export function executionIdTaken(executionId: string): AgentryError {
  return new AgentryError('EXECUTION_ALREADY_EXISTS', `An execution with id ${executionId} already exists.`, {
    details: { executionId },
  });
}

export function taskTokenInvalid(): AgentryError {
  // The token is a secret: never echo it.
  return new AgentryError('TASK_TOKEN_INVALID', 'The task token does not exist.');
}

export function taskTokenCompleted(): AgentryError {
  return new AgentryError('TASK_TOKEN_ALREADY_COMPLETED', 'The task token was already completed.');
}

function invalid(message: string, details: Record<string, unknown>): AgentryError {
  return new AgentryError('INPUT_INVALID', message, { details });
}

/**
 * Ids, names and the definition are stored as text, which PostgreSQL cannot hold with NUL in it: refused on
 * every backend alike. Data (input, events, results, error and cause) may hold NUL: it is stored as JSON.
 */
export function checkNames(fields: Record<string, string>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== 'string' || value.length === 0 || value.includes('\u0000')) {
      throw invalid(`${field} must be a non-empty string without NUL characters.`, { field });
    }
  }
}

function checkDataSize(what: string, size: number): void {
  if (size > MAX_EXECUTION_DATA_BYTES) {
    throw new AgentryError(
      'EXECUTION_DATA_TOO_LARGE',
      `${what} is ${size} bytes of JSON; the limit is ${MAX_EXECUTION_DATA_BYTES}.`,
      { details: { limit: MAX_EXECUTION_DATA_BYTES, size, unit: 'bytes' } },
    );
  }
}

/** JSON of one piece of execution data, or undefined for `undefined` (stored as absent). */
export function dataJson(what: string, value: unknown): string | undefined {
  const json = JSON.stringify(value);
  if (json !== undefined && json.length * 3 > MAX_EXECUTION_DATA_BYTES) checkDataSize(what, Buffer.byteLength(json));
  return json;
}

/** A result (of an execution or a task), checked as one piece of data; `output` as JSON. */
export interface EncodedResult {
  output?: string;
  error?: string;
  cause?: string;
}

function encodeResult(what: string, output: unknown, error: string | undefined, cause: string | undefined) {
  const json = JSON.stringify(output);
  const parts = [
    json,
    error === undefined ? undefined : JSON.stringify(error),
    cause === undefined ? undefined : JSON.stringify(cause),
  ];
  const texts = parts.filter((part): part is string => part !== undefined);
  // N UTF-16 units are at most 3N UTF-8 bytes: count exactly only when that bound is over the limit.
  const bound = texts.reduce((sum, text) => sum + text.length * 3, 0);
  if (bound > MAX_EXECUTION_DATA_BYTES) {
    checkDataSize(
      what,
      texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0),
    );
  }
  const result: EncodedResult = {};
  if (json !== undefined) result.output = json;
  if (error !== undefined) result.error = error;
  if (cause !== undefined) result.cause = cause;
  return result;
}

/**
 * Checks an append before anything is written and returns each event's JSON. Ids must continue the
 * history without gaps: `expectedLastId + 1`, `+ 2`, …
 */
export function encodeEvents(expectedLastId: number, events: readonly ExecutionEvent[]): string[] {
  if (!Number.isSafeInteger(expectedLastId) || expectedLastId < 0) {
    throw invalid('expectedLastId must be a non-negative integer.', { field: 'expectedLastId' });
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw invalid(`At most ${MAX_EVENTS_PER_APPEND} events can be appended at once; got ${events.length}.`, {
      limit: MAX_EVENTS_PER_APPEND,
      count: events.length,
    });
  }
  if (expectedLastId + events.length > MAX_EVENT_ID) {
    throw invalid(`Event ids end at ${MAX_EVENT_ID}.`, { limit: MAX_EVENT_ID });
  }
  let total = 0;
  return events.map((event, index) => {
    const id = expectedLastId + index + 1;
    if (event.id !== id) {
      throw invalid(`Event ${index + 1} of the append must have id ${id}.`, { index, expectedId: id });
    }
    const json = dataJson(`Event ${id}`, event) as string;
    total += Buffer.byteLength(json);
    if (total > MAX_APPEND_BYTES) {
      throw invalid(`An append holds at most ${MAX_APPEND_BYTES} bytes of events; split it.`, {
        limit: MAX_APPEND_BYTES,
        unit: 'bytes',
      });
    }
    return json;
  });
}

/** A finish, checked, with its result's output as JSON. */
export interface EncodedFinish extends EncodedResult {
  status: ExecutionFinish['status'];
  stoppedAt: string;
}

export function encodeFinish(finish: ExecutionFinish): EncodedFinish {
  return {
    status: finish.status,
    stoppedAt: finish.stoppedAt,
    ...encodeResult('The execution result', finish.output, finish.error, finish.cause),
  };
}

export function encodeOutcome(outcome: TaskTokenOutcome): EncodedResult {
  return outcome.status === 'succeeded'
    ? encodeResult('The task output', outcome.output, undefined, undefined)
    : encodeResult('The task error and cause', undefined, outcome.error, outcome.cause);
}

/** A new execution, checked: its input and any result it starts with (an import's), as JSON. */
export interface EncodedExecution extends EncodedResult {
  input?: string;
}

export function encodeNewExecution(record: Omit<ExecutionRecord, 'schemaVersion' | 'lastEventId'>): EncodedExecution {
  const { id, tenantId, userId, workflow, name, definition } = record;
  checkNames({ id, tenantId, userId, workflow, name, definition });
  const input = dataJson('The execution input', record.input);
  return {
    ...(input === undefined ? {} : { input }),
    ...encodeResult('The execution result', record.output, record.error, record.cause),
  };
}

export function checkNewTaskToken(
  record: Pick<TaskTokenRecord, 'token' | 'executionId' | 'tenantId' | 'stateName'>,
): void {
  const { token, executionId, tenantId, stateName } = record;
  checkNames({ token, executionId, tenantId, stateName });
}
