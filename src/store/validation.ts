import type { Message } from '../agent/messages.ts';
import { AgentryError } from '../errors.ts';
import { MAX_MESSAGE_CHARS } from './conversations.ts';

/** Shared by every backend so limits and error codes are identical everywhere. */
export function checkMessageSizes(messages: readonly Message[]): string[] {
  return messages.map((message, index) => {
    const json = JSON.stringify(message);
    if (json.length > MAX_MESSAGE_CHARS) {
      throw new AgentryError(
        'MESSAGE_TOO_LARGE',
        `Message ${index + 1} is ${json.length} characters; the limit is ${MAX_MESSAGE_CHARS}.`,
        { details: { limit: MAX_MESSAGE_CHARS, size: json.length } },
      );
    }
    return json;
  });
}

export function conversationConflict(conversationId: string, expected: number, actual: number): AgentryError {
  return new AgentryError(
    'CONVERSATION_CONFLICT',
    `Conversation ${conversationId} moved on (expected seq ${expected}, found ${actual}).`,
    {
      retryable: true,
      details: { expectedLastSeq: expected, lastSeq: actual },
    },
  );
}

export function conversationNotFound(conversationId: string): AgentryError {
  return new AgentryError('CONVERSATION_NOT_FOUND', `Conversation ${conversationId} does not exist.`, {
    details: { conversationId },
  });
}

export function runNotFound(runId: string): AgentryError {
  return new AgentryError('RUN_NOT_FOUND', `Run ${runId} does not exist.`, { details: { runId } });
}

export function leaseLost(runId: string, owner: string): AgentryError {
  return new AgentryError('RUN_LEASE_LOST', `Run ${runId} is no longer leased to ${owner}.`, { details: { runId } });
}

export function journalConflict(runId: string, expected: number, actual: number): AgentryError {
  return new AgentryError(
    'RUN_CONFLICT',
    `Journal of run ${runId} moved on (expected seq ${expected}, found ${actual}).`,
    {
      details: { expectedLastSeq: expected, lastSeq: actual },
    },
  );
}

/** Opaque page cursors: base64url of a JSON position, validated on the way back in. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, check: (value: unknown) => value is T): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // fall through to the error below
  }
  throw new AgentryError('INPUT_INVALID', 'The page cursor is not valid.');
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageSize(limit: number | undefined): number {
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit ?? DEFAULT_PAGE_SIZE)));
}
