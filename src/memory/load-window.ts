import type { Message } from '../agent/messages.ts';
import type { ConversationStore, StoredMessage } from '../store/conversations.ts';
import type { Scope } from '../store/scope.ts';
import { estimateTokens, type MemorySettings } from './settings.ts';

export interface HistoryWindow {
  messages: Message[];
  /** Seq of the first message in the window; messages before it are outside (0 when empty). */
  firstSeq: number;
  lastSeq: number;
}

/**
 * The part of a conversation one turn sends to the model: at most `maxMessages` newest messages
 * (one bounded read, never the whole conversation), cut further to `maxTokens`, and always
 * starting at a user message, so a tool result never appears without the call that asked for it.
 */
export async function loadWindow(
  store: ConversationStore,
  scope: Scope,
  conversationId: string,
  settings: Pick<MemorySettings, 'maxMessages' | 'maxTokens'>,
): Promise<HistoryWindow> {
  const stored = await store.loadMessages(scope, conversationId, { last: settings.maxMessages });
  return trimWindow(stored, settings.maxTokens);
}

export function trimWindow(stored: readonly StoredMessage[], maxTokens: number): HistoryWindow {
  let start = stored.length;
  let tokens = 0;
  // Walk back from the newest message while the budget lasts.
  while (start > 0) {
    const cost = estimateTokens(JSON.stringify(stored[start - 1]!.message));
    if (tokens + cost > maxTokens) break;
    tokens += cost;
    start--;
  }
  // Move forward to a turn boundary: the window must open with a user message.
  while (start < stored.length && stored[start]!.message.role !== 'user') start++;
  const kept = stored.slice(start);
  return {
    messages: kept.map((entry) => entry.message),
    firstSeq: kept[0]?.seq ?? 0,
    lastSeq: stored.at(-1)?.seq ?? 0,
  };
}
