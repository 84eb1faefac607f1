import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { AgentryError, isAgentryError } from '../../errors.ts';
import { lockDataDir } from './pglite-lock.ts';
import type { SqlClient } from './sql-client.ts';
import { mapSqlError } from './sql-errors.ts';

/**
 * PGlite: PostgreSQL compiled to WebAssembly, in this process, one connection.
 *
 * Serialization: PGlite runs every `query`/`exec` and every `transaction()` under one internal
 * mutex, and a transaction holds it from BEGIN to COMMIT/ROLLBACK. So a query made on the client
 * while another caller's transaction is open waits until that transaction ends; it can never run
 * inside it. The flip side: inside `transaction(fn)`, `fn` must use its `tx` argument only —
 * the outer client would wait for the very transaction that is waiting on it.
 *
 * One process per folder: PGlite does not lock its data directory, and two processes opening the
 * same folder corrupt it, so `lockDataDir` refuses a second live process (see pglite-lock.ts).
 */
export async function openPgliteClient(dataDir?: string): Promise<SqlClient> {
  let db: PGlite;
  let unlock = () => {};
  try {
    // A folder on disk, created on first start; without one, the database lives in memory.
    if (dataDir !== undefined) {
      await mkdir(dataDir, { recursive: true });
      unlock = lockDataDir(dataDir);
    }
    db = await PGlite.create(dataDir);
  } catch (error) {
    unlock();
    if (isAgentryError(error)) throw error;
    throw new AgentryError(
      'STORE_UNAVAILABLE',
      `Could not open the embedded database${dataDir ? ` in ${dataDir}` : ''}.`,
      {
        cause: error,
      },
    );
  }

  const client: SqlClient = {
    dialect: 'pglite',
    async query<T>(sql: string, params?: unknown[]) {
      try {
        const result = await db.query<T>(sql, params);
        return { rows: result.rows };
      } catch (error) {
        throw mapSqlError(error);
      }
    },
    async exec(sql: string) {
      try {
        await db.exec(sql);
      } catch (error) {
        throw mapSqlError(error);
      }
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>) {
      // What `fn` throws is rethrown as is; only PGlite's own BEGIN/COMMIT/ROLLBACK failures are mapped.
      let thrown: { error: unknown } | undefined;
      try {
        return await db.transaction(async (tx) => {
          try {
            return await fn(transactionClient(tx));
          } catch (error) {
            thrown = { error };
            throw error;
          }
        });
      } catch (error) {
        if (thrown && thrown.error === error) throw error;
        throw mapSqlError(error);
      }
    },
    async close() {
      try {
        if (!db.closed) await db.close();
      } finally {
        unlock();
      }
    },
  };
  return client;
}

function transactionClient(tx: Transaction): SqlClient {
  const client: SqlClient = {
    dialect: 'pglite',
    async query<T>(sql: string, params?: unknown[]) {
      try {
        const result = await tx.query<T>(sql, params);
        return { rows: result.rows };
      } catch (error) {
        throw mapSqlError(error);
      }
    },
    async exec(sql: string) {
      try {
        await tx.exec(sql);
      } catch (error) {
        throw mapSqlError(error);
      }
    },
    // Nested transactions join the enclosing one: PGlite has a single connection.
    transaction: (fn) => fn(client),
    close: async () => {
      throw new AgentryError('INTERNAL', 'A transaction client cannot be closed; close the client that opened it.');
    },
  };
  return client;
}
