import type { Store } from '../store.ts';
import { SqlKnowledgeStore } from './knowledge-sql.ts';
import { migrate } from './migrate.ts';
import { openPgClient, type PgClientOptions } from './pg-client.ts';
import { openPgliteClient } from './pglite-client.ts';
import { SqlApiKeyStore } from './sql-api-keys.ts';
import type { SqlClient } from './sql-client.ts';
import { SqlConversationStore } from './sql-conversations.ts';
import type { JournalCommit } from './sql-durability.ts';
import { SqlRunStore } from './sql-runs.ts';
import { SqlTurnStore } from './sql-turns.ts';
import { SqlWorkflowStore } from './sql-workflows.ts';

export interface SqlStoreOptions {
  /** Clock for created/updated timestamps (default: the system clock). */
  now?: () => Date;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /**
   * `async` (default): journal writes asked for `relaxed` durability commit asynchronously on a
   * PostgreSQL server; `sync`: every commit waits for its WAL flush. PGlite always commits
   * synchronously (see durability.ts). See docs/OPERATIONS.md for the failure window.
   */
  journalCommit?: JournalCommit;
}

/**
 * The Store over any SqlClient: one implementation for PGlite and the PostgreSQL server. Runs the
 * migrations first (STORE_SCHEMA_TOO_NEW if a newer Agentry migrated the database). The store owns
 * the client: `close()` closes it, and so does a failed start.
 */
export async function createSqlStore(client: SqlClient, options: SqlStoreOptions = {}): Promise<Store> {
  if (options.migrate !== false) {
    try {
      await migrate(client);
    } catch (error) {
      await client.close().catch(() => {});
      throw error;
    }
  }
  const relaxedCommits = client.dialect === 'postgres' && options.journalCommit !== 'sync';
  return {
    kind: client.dialect,
    conversations: new SqlConversationStore(client, options.now),
    runs: new SqlRunStore(client, options.now, relaxedCommits),
    turns: new SqlTurnStore(client, options.now, relaxedCommits),
    knowledge: new SqlKnowledgeStore(client),
    apiKeys: new SqlApiKeyStore(client),
    workflows: new SqlWorkflowStore(client, options.now),
    ping: async () => {
      await client.query('SELECT 1');
    },
    close: () => client.close(),
  };
}

/** The embedded default: PGlite in `dataDir` (created on first start), or in memory without one. */
export async function openPgliteStore(dataDir?: string, options: SqlStoreOptions = {}): Promise<Store> {
  return createSqlStore(await openPgliteClient(dataDir), options);
}

/** A PostgreSQL server; the connection string is never echoed in errors. */
export async function openPostgresStore(
  connectionString: string,
  options: SqlStoreOptions & PgClientOptions = {},
): Promise<Store> {
  return createSqlStore(openPgClient(connectionString, options), options);
}
