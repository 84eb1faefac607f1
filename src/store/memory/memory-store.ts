import { MemoryKnowledgeIndex } from '../../knowledge/memory-index.ts';
import type { Store } from '../store.ts';
import { MemoryApiKeyStore } from './memory-api-keys.ts';
import { MemoryConversationStore } from './memory-conversations.ts';
import { MemoryRunStore } from './memory-runs.ts';
import { MemoryWorkflowStore } from './memory-workflows.ts';

/** Everything in process memory: for tests and throwaway runs. Lost when the process exits. */
export function createMemoryStore(options: { now?: () => Date } = {}): Store {
  return {
    kind: 'memory',
    conversations: new MemoryConversationStore(options.now),
    runs: new MemoryRunStore(options.now),
    knowledge: new MemoryKnowledgeIndex(),
    apiKeys: new MemoryApiKeyStore(),
    workflows: new MemoryWorkflowStore(options.now),
    ping: async () => {},
    close: async () => {},
  };
}
