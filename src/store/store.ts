import type { ApiKeyStore } from './api-keys.ts';
import type { ConversationStore } from './conversations.ts';
import type { KnowledgeStore } from './knowledge.ts';
import type { RunStore } from './runs.ts';
import type { TurnStore } from './turns.ts';
import type { WorkflowStore } from './workflows.ts';

/**
 * Durable state, as small domain interfaces. A backend implements each domain; later domains
 * (workflow executions, API keys, usage) are added beside these without touching them.
 */
export interface Store {
  /** `memory`, `pglite`, `postgres` or `dynamodb`. */
  readonly kind: string;
  readonly conversations: ConversationStore;
  readonly runs: RunStore;
  /** Operations on a run and its conversation together: the start and the end of a durable turn. */
  readonly turns: TurnStore;
  readonly knowledge: KnowledgeStore;
  readonly apiKeys: ApiKeyStore;
  /** Workflow executions with their histories and leases, and task tokens. */
  readonly workflows: WorkflowStore;
  /** Cheap reachability check (for readiness probes). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
