// Opens the stores the benchmarks compare, each as an application would, plus the housekeeping a
// benchmark needs around them (statistics after a bulk load, cleanup afterwards).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTables } from '../../src/store/dynamodb/ensure-tables.ts';
import { createDynamoDbStore } from '../../src/store/dynamodb/dynamodb-store.ts';
import { startDynalite } from '../../src/store/dynamodb/testing/dynalite-server.ts';
import { createMemoryStore } from '../../src/store/memory/memory-store.ts';
import { openPgClient } from '../../src/store/sql/pg-client.ts';
import { openPgliteClient } from '../../src/store/sql/pglite-client.ts';
import type { SqlClient } from '../../src/store/sql/sql-client.ts';
import { createSqlStore } from '../../src/store/sql/sql-store.ts';
import { postgresTestDatabase } from '../../src/store/sql/testing/postgres-test-db.ts';
import type { Store } from '../../src/store/store.ts';

export const BACKENDS = ['pglite', 'postgres', 'dynalite', 'memory'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const isBackendName = (value: string): value is BackendName => (BACKENDS as readonly string[]).includes(value);

export interface OpenBackend {
  name: BackendName;
  store: Store;
  /** Where the data lives, for the report. */
  where: string;
  /**
   * After a bulk load: VACUUM ANALYZE (planner statistics, visibility map) and CHECKPOINT (so the
   * load's dirty pages are not written back during the measurement). Nothing to do elsewhere.
   */
  settle(): Promise<void>;
  /** Closes the store and removes every trace: the PGlite folder, the PostgreSQL schema. */
  close(): Promise<void>;
}

async function serverVersion(client: SqlClient): Promise<string> {
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  return rows[0]?.server_version ?? '?';
}

async function settleSql(client: SqlClient): Promise<void> {
  await client.exec('VACUUM ANALYZE');
  await client.exec('CHECKPOINT');
}

export async function openBackend(name: BackendName): Promise<OpenBackend> {
  switch (name) {
    case 'pglite': {
      const dir = await mkdtemp(join(tmpdir(), 'agentry-store-bench-'));
      const client = await openPgliteClient(join(dir, 'data'));
      const store = await createSqlStore(client);
      return {
        name,
        store,
        where: `PGlite ${await serverVersion(client)} on disk (${dir})`,
        settle: () => settleSql(client),
        close: async () => {
          await store.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    case 'postgres': {
      const db = await postgresTestDatabase();
      if ('skipReason' in db) throw new Error(db.skipReason);
      try {
        const client = openPgClient(db.connectionString);
        const store = await createSqlStore(client);
        return {
          name,
          store,
          where: `PostgreSQL ${await serverVersion(client)} server, fresh schema ${db.schema} (dropped afterwards)`,
          settle: () => settleSql(client),
          close: async () => {
            await store.close();
            await db.drop();
          },
        };
      } catch (error) {
        await db.drop();
        throw error;
      }
    }
    case 'dynalite': {
      const server = await startDynalite();
      try {
        await ensureTables(server.client);
      } catch (error) {
        await server.stop();
        throw error;
      }
      return {
        name,
        store: createDynamoDbStore({ client: server.client }),
        where: 'dynalite 4 (in memory, in the worker process) behind the TransactWriteItems-emulating proxy',
        settle: async () => {},
        close: () => server.stop(),
      };
    }
    case 'memory':
      return {
        name,
        store: createMemoryStore(),
        where: 'process memory',
        settle: async () => {},
        close: async () => {},
      };
  }
}
