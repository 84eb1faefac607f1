// Names the benchmarks accept, without importing any store or framework (workers parse them first).

export const BACKENDS = ['pglite', 'postgres', 'dynalite', 'memory'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const isBackendName = (value: string): value is BackendName => (BACKENDS as readonly string[]).includes(value);

/** A durable turn starts a new conversation (a new user question) or continues one conversation. */
export type Conversation = 'fresh' | 'continuing';

export type AgentryVariantName =
  | { kind: 'memory' }
  | { kind: 'durable'; backend: BackendName; conversation: Conversation };

/** `agentry-memory` (runAgent, no store) or `durable-<memory|pglite|postgres|dynalite>-<fresh|continuing>`. */
export function parseAgentryVariant(name: string): AgentryVariantName | undefined {
  if (name === 'agentry-memory') return { kind: 'memory' };
  const match = /^durable-([a-z]+)-(fresh|continuing)$/.exec(name);
  const backend = match?.[1];
  if (!match || backend === undefined || !isBackendName(backend)) return undefined;
  return { kind: 'durable', backend, conversation: match[2] as Conversation };
}
