import type { Message } from '../../agent/messages.ts';
import {
  CONVERSATION_SCHEMA_VERSION,
  type Conversation,
  type ConversationStore,
  type ConversationSummary,
  type Page,
  type StoredMessage,
} from '../conversations.ts';
import type { Scope } from '../scope.ts';
import {
  checkMessageSizes,
  conversationConflict,
  conversationNotFound,
  decodeCursor,
  encodeCursor,
  pageSize,
} from '../validation.ts';
import { jsonCopy } from './json-copy.ts';

interface Entry {
  conversation: Conversation;
  messages: StoredMessage[];
  summary?: ConversationSummary;
}

const key = (scope: Scope, id: string) => JSON.stringify([scope.tenantId, scope.userId, id]);
const isPosition = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string');

const isTriple = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length === 3 && value.every((part) => typeof part === 'string');

function compareTriples(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < 3; index++) {
    const x = a[index] ?? '';
    const y = b[index] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Conversations in process memory. Values are copied in and out so callers cannot mutate stored
 * state, as with a real database. Check-and-write sections contain no `await`, so they are atomic.
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async ensureConversation(scope: Scope, id: string, title = ''): Promise<Conversation> {
    return { ...this.ensureNow(scope, id, title) };
  }

  async getConversation(scope: Scope, id: string): Promise<Conversation | undefined> {
    const entry = this.entries.get(key(scope, id));
    return entry && { ...entry.conversation };
  }

  async listConversations(
    scope: Scope,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<Conversation>> {
    const limit = pageSize(options.limit);
    const after = decodeCursor(options.cursor, isPosition);
    const mine = [...this.entries.values()]
      .map((entry) => entry.conversation)
      .filter((conversation) => conversation.tenantId === scope.tenantId && conversation.userId === scope.userId)
      .sort((a, b) => (a.updatedAt === b.updatedAt ? b.id.localeCompare(a.id) : b.updatedAt.localeCompare(a.updatedAt)))
      .filter(
        (conversation) =>
          !after ||
          conversation.updatedAt < after[0] ||
          (conversation.updatedAt === after[0] && conversation.id < after[1]),
      );
    const items = mine.slice(0, limit).map((conversation) => ({ ...conversation }));
    const last = items.at(-1);
    return mine.length > limit && last ? { items, nextCursor: encodeCursor([last.updatedAt, last.id]) } : { items };
  }

  /** By (tenantId, userId, id), compared by UTF-16 code units; the cursor is the last item's triple. */
  async listAllConversations(options: { limit?: number; cursor?: string } = {}): Promise<Page<Conversation>> {
    const limit = pageSize(options.limit);
    const after = decodeCursor(options.cursor, isTriple);
    const position = (conversation: Conversation) => [conversation.tenantId, conversation.userId, conversation.id];
    const all = [...this.entries.values()]
      .map((entry) => entry.conversation)
      .filter((conversation) => !after || compareTriples(position(conversation), after) > 0)
      .sort((a, b) => compareTriples(position(a), position(b)));
    const items = all.slice(0, limit).map((conversation) => ({ ...conversation }));
    const last = items.at(-1);
    return all.length > limit && last ? { items, nextCursor: encodeCursor(position(last)) } : { items };
  }

  async deleteConversation(scope: Scope, id: string): Promise<boolean> {
    return this.entries.delete(key(scope, id));
  }

  async appendMessages(
    scope: Scope,
    conversationId: string,
    expectedLastSeq: number,
    messages: readonly Message[],
    runId?: string,
  ): Promise<{ lastSeq: number }> {
    const append = this.checkAppendNow(scope, conversationId, expectedLastSeq, messages);
    return append(runId);
  }

  async loadMessages(
    scope: Scope,
    conversationId: string,
    options: { last?: number; beforeSeq?: number; afterSeq?: number } = {},
  ): Promise<StoredMessage[]> {
    return this.loadNow(scope, conversationId, options);
  }

  async getSummary(scope: Scope, conversationId: string): Promise<ConversationSummary | undefined> {
    const summary = this.entries.get(key(scope, conversationId))?.summary;
    return summary && { ...summary };
  }

  async saveSummary(
    scope: Scope,
    conversationId: string,
    summary: Omit<ConversationSummary, 'schemaVersion'>,
  ): Promise<void> {
    const entry = this.entries.get(key(scope, conversationId));
    if (!entry) throw conversationNotFound(conversationId);
    entry.summary = { schemaVersion: CONVERSATION_SCHEMA_VERSION, ...summary };
  }
  // The synchronous cores below are shared with MemoryTurnStore, whose operations span this store
  // and the run store: with no `await` between their checks and writes, they stay atomic.

  /** The stored conversation itself: copy it before handing it out. */
  ensureNow(scope: Scope, id: string, title: string): Conversation {
    const existing = this.entries.get(key(scope, id));
    if (existing) return existing.conversation;
    const at = this.now().toISOString();
    const conversation: Conversation = {
      schemaVersion: CONVERSATION_SCHEMA_VERSION,
      id,
      tenantId: scope.tenantId,
      userId: scope.userId,
      title,
      createdAt: at,
      updatedAt: at,
      lastSeq: 0,
    };
    this.entries.set(key(scope, id), { conversation, messages: [] });
    return conversation;
  }

  /**
   * Everything appendMessages checks, throwing its errors; returns the write, to be called without
   * a yield in between (or not at all).
   */
  checkAppendNow(
    scope: Scope,
    conversationId: string,
    expectedLastSeq: number,
    messages: readonly Message[],
  ): (runId: string | undefined) => { lastSeq: number } {
    const copies = checkMessageSizes(messages).map((json) => JSON.parse(json) as Message);
    const entry = this.entries.get(key(scope, conversationId));
    if (!entry) throw conversationNotFound(conversationId);
    const { conversation } = entry;
    if (conversation.lastSeq !== expectedLastSeq)
      throw conversationConflict(conversationId, expectedLastSeq, conversation.lastSeq);
    return (runId) => {
      const at = this.now().toISOString();
      for (const message of copies) {
        conversation.lastSeq++;
        const stored: StoredMessage = {
          schemaVersion: CONVERSATION_SCHEMA_VERSION,
          conversationId,
          seq: conversation.lastSeq,
          message,
          createdAt: at,
        };
        if (runId !== undefined) stored.runId = runId;
        entry.messages.push(stored);
      }
      conversation.updatedAt = at;
      return { lastSeq: conversation.lastSeq };
    };
  }

  loadNow(
    scope: Scope,
    conversationId: string,
    options: { last?: number; beforeSeq?: number; afterSeq?: number },
  ): StoredMessage[] {
    const entry = this.entries.get(key(scope, conversationId));
    if (!entry) return [];
    // Messages are appended in order and never removed one by one: the one with seq n is at n - 1.
    const end = Math.min(entry.messages.length, Math.max(0, (options.beforeSeq ?? Number.POSITIVE_INFINITY) - 1));
    let start = Math.max(0, Math.min(end, options.afterSeq ?? 0));
    if (options.last !== undefined) start = Math.max(start, end - Math.max(0, options.last));
    return jsonCopy(entry.messages.slice(start, end));
  }
}
