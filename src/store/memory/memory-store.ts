import { MemoryKnowledgeIndex } from '../../knowledge/memory-index.ts';
import type { Store } from '../store.ts';
import { MemoryApiKeyStore } from './memory-api-keys.ts';
import { MemoryConversationStore } from './memory-conversations.ts';
import { MemoryRunStore } from './memory-runs.ts';
import { MemoryTurnStore } from './memory-turns.ts';
import { MemoryWorkflowStore } from './memory-workflows.ts';

/** Everything in process memory: for tests and throwaway runs. Lost when the process exits. */
export function createMemoryStore(options: { now?: () => Date } = {}): Store {
  const conversations = new MemoryConversationStore(options.now);
  const runs = new MemoryRunStore(options.now);
  return {
    kind: 'memory',
    conversations,
    runs,
    turns: new MemoryTurnStore(conversations, runs),
    knowledge: new MemoryKnowledgeIndex(),
    apiKeys: new MemoryApiKeyStore(),
    workflows: new MemoryWorkflowStore(options.now),
    ping: async () => {},
    close: async () => {},
  };
}
