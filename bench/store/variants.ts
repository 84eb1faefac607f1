// Names the benchmarks accept, without importing any store or framework (workers parse them first).

export const BACKENDS = ['pglite', 'postgres', 'dynalite', 'memory'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const isBackendName = (value: string): value is BackendName => (BACKENDS as readonly string[]).includes(value);

/** A durable turn starts a new conversation (a new user question) or continues one conversation. */
export type Conversation = 'fresh' | 'continuing';

export type AgentryVariantName =
  | { kind: 'memory' }
  | {
      kind: 'durable';
      backend: BackendName;
      conversation: Conversation;
      /** `-sync`: `store.journalCommit: sync` (every commit flushed); default `async`. */
      journalCommit: 'async' | 'sync';
      /**
       * `-side-effects`: the tools are declared with side effects (not idempotent, defineTool's
       * default), so the journal entry that starts them is flushed. By default they are declared
       * idempotent, which `add` and `get_time` are (pure, like the built-in calculator and clock).
       */
      idempotentTools: boolean;
    };

/**
 * `agentry-memory` (runAgent, no store) or
 * `durable-<memory|pglite|postgres|dynalite>-<fresh|continuing>[-sync][-side-effects]`.
 */
export function parseAgentryVariant(name: string): AgentryVariantName | undefined {
  if (name === 'agentry-memory') return { kind: 'memory' };
  const match = /^durable-([a-z]+)-(fresh|continuing)(-sync)?(-side-effects)?$/.exec(name);
  const backend = match?.[1];
  if (!match || backend === undefined || !isBackendName(backend)) return undefined;
  return {
    kind: 'durable',
    backend,
    conversation: match[2] as Conversation,
    journalCommit: match[3] ? 'sync' : 'async',
    idempotentTools: !match[4],
  };
}
