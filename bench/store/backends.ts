// Opens the stores the benchmarks compare, each as an application would, plus the housekeeping a
// benchmark needs around them (statistics after a bulk load, cleanup afterwards).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoDbStore } from '../../src/store/dynamodb/dynamodb-store.ts';
import { ensureTables } from '../../src/store/dynamodb/ensure-tables.ts';
import { startDynalite } from '../../src/store/dynamodb/testing/dynalite-server.ts';
import { createMemoryStore } from '../../src/store/memory/memory-store.ts';
import { openPgClient } from '../../src/store/sql/pg-client.ts';
import { openPgliteClient } from '../../src/store/sql/pglite-client.ts';
import type { SqlClient } from '../../src/store/sql/sql-client.ts';
import { createSqlStore } from '../../src/store/sql/sql-store.ts';
import { postgresTestDatabase } from '../../src/store/sql/testing/postgres-test-db.ts';
import type { Store } from '../../src/store/store.ts';
import type { BackendName } from './variants.ts';

export interface OpenBackend {
  name: BackendName;
  store: Store;
  /** Short, stable name for tables: `PostgreSQL 15.20 server`. */
  label: string;
  /** Where the data lives, in detail (folder, schema), for the log. */
  where: string;
  /**
   * After a bulk load: VACUUM ANALYZE (planner statistics, visibility map) and CHECKPOINT (so the
   * load's dirty pages are not written back during the measurement). Nothing to do elsewhere.
   */
  settle(): Promise<void>;
  /** ANALYZE on the SQL backends (planner statistics, as autovacuum keeps them); nothing elsewhere. */
  analyze(): Promise<void>;
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

/**
 * BENCH_PG_SETTINGS="synchronous_commit=off work_mem=8MB": extra session settings for the PostgreSQL
 * backend, for experiments (e.g. how much of a durable turn is the WAL flush). Off by default.
 */
function withSessionSettings(connectionString: string): string {
  const settings = process.env['BENCH_PG_SETTINGS']?.trim();
  if (!settings) return connectionString;
  const url = new URL(connectionString);
  const extra = settings.split(/\s+/).map((setting) => `-c ${setting}`);
  url.searchParams.set('options', [url.searchParams.get('options') ?? '', ...extra].join(' ').trim());
  return url.toString();
}

export interface BackendOptions {
  /** `store.journalCommit` of the SQL stores (default `async`, as in a project). */
  journalCommit?: 'async' | 'sync';
}

export async function openBackend(name: BackendName, options: BackendOptions = {}): Promise<OpenBackend> {
  const sqlOptions = options.journalCommit ? { journalCommit: options.journalCommit } : {};
  switch (name) {
    case 'pglite': {
      const dir = await mkdtemp(join(tmpdir(), 'agentry-store-bench-'));
      const client = await openPgliteClient(join(dir, 'data'));
      const store = await createSqlStore(client, sqlOptions);
      const label = `PGlite ${await serverVersion(client)} on disk`;
      return {
        name,
        store,
        label,
        where: `${label} (${dir})`,
        settle: () => settleSql(client),
        analyze: () => client.exec('ANALYZE'),
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
        const client = openPgClient(withSessionSettings(db.connectionString));
        const store = await createSqlStore(client, sqlOptions);
        const settings = process.env['BENCH_PG_SETTINGS']?.trim();
        const label = `PostgreSQL ${(await serverVersion(client)).split(' ')[0]} server${settings ? ` (${settings})` : ''}`;
        return {
          name,
          store,
          label,
          where: `${label}, fresh schema ${db.schema} (dropped afterwards)`,
          settle: () => settleSql(client),
          analyze: () => client.exec('ANALYZE'),
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
        label: 'dynalite 4 + TransactWriteItems proxy',
        where: 'dynalite 4 (in memory, in the worker process) behind the TransactWriteItems-emulating proxy',
        settle: async () => {},
        analyze: async () => {},
        close: () => server.stop(),
      };
    }
    case 'memory':
      return {
        name,
        store: createMemoryStore(),
        label: 'memory store',
        where: 'process memory',
        settle: async () => {},
        analyze: async () => {},
        close: async () => {},
      };
  }
}
