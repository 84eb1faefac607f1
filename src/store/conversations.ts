import type { Message } from '../agent/messages.ts';
import type { Scope } from './scope.ts';

export const CONVERSATION_SCHEMA_VERSION = 1;

/** Largest message accepted, in characters of its JSON; larger appends fail with MESSAGE_TOO_LARGE. */
export const MAX_MESSAGE_CHARS = 256 * 1024;

export interface Conversation {
  schemaVersion: number;
  id: string;
  tenantId: string;
  userId: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  /** Sequence number of the newest message; 0 when empty. */
  lastSeq: number;
}

export interface StoredMessage {
  schemaVersion: number;
  conversationId: string;
  /** 1, 2, 3… per conversation, without gaps. */
  seq: number;
  message: Message;
  /** The run that wrote it, if any: lets a resumed run see that its messages already landed. */
  runId?: string;
  createdAt: string;
}

export interface ConversationSummary {
  schemaVersion: number;
  /** The summary covers messages 1..throughSeq. */
  throughSeq: number;
  text: string;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface ConversationStore {
  /** Creates the conversation, or returns the existing one with that id in this scope (idempotent). */
  ensureConversation(scope: Scope, id: string, title?: string): Promise<Conversation>;
  getConversation(scope: Scope, id: string): Promise<Conversation | undefined>;
  /** Newest first by `updatedAt`. */
  listConversations(scope: Scope, options?: { limit?: number; cursor?: string }): Promise<Page<Conversation>>;
  /**
   * Every conversation of every tenant and user, in a stable backend-defined order, cursor-paged.
   * For the system (backups), never for a request: it ignores scopes by design.
   */
  listAllConversations(options?: { limit?: number; cursor?: string }): Promise<Page<Conversation>>;
  /** Deletes the conversation, its messages and its summary. False when there was nothing to delete. */
  deleteConversation(scope: Scope, id: string): Promise<boolean>;
  /**
   * Appends messages as seq `expectedLastSeq + 1…`, only if the conversation's last seq is still
   * `expectedLastSeq`; otherwise fails with CONVERSATION_CONFLICT (retryable) and writes nothing.
   * Fails with CONVERSATION_NOT_FOUND outside the scope and MESSAGE_TOO_LARGE above the limit.
   */
  appendMessages(
    scope: Scope,
    conversationId: string,
    expectedLastSeq: number,
    messages: readonly Message[],
    runId?: string,
  ): Promise<{ lastSeq: number }>;
  /**
   * Reads messages in ascending seq. With `last`, only the newest `last` messages (before
   * `beforeSeq` if given): a window read that never scans the whole conversation.
   */
  loadMessages(
    scope: Scope,
    conversationId: string,
    options?: { last?: number; beforeSeq?: number; afterSeq?: number },
  ): Promise<StoredMessage[]>;
  getSummary(scope: Scope, conversationId: string): Promise<ConversationSummary | undefined>;
  saveSummary(scope: Scope, conversationId: string, summary: Omit<ConversationSummary, 'schemaVersion'>): Promise<void>;
}
