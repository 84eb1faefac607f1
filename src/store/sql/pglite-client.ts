import { mkdir } from 'node:fs/promises';
import { Mutex, PGlite, type Transaction } from '@electric-sql/pglite';
import { AgentryError, isAgentryError } from '../../errors.ts';
import { lockDataDir } from './pglite-lock.ts';
import { PglitePreparedStatements } from './pglite-prepared.ts';
import type { SqlClient } from './sql-client.ts';
import { mapSqlError } from './sql-errors.ts';

/**
 * PGlite: PostgreSQL compiled to WebAssembly, in this process, one connection.
 *
 * Serialization: every `query`, `exec` and `transaction` of this client passes one gate, and a
 * transaction holds it from BEGIN to COMMIT/ROLLBACK. So a query made on the client while another
 * caller's transaction is open waits until that transaction ends; it can never run inside it. The
 * flip side: inside `transaction(fn)`, `fn` must use its `tx` argument only — the outer client
 * would wait for the very transaction that is waiting on it. (PGlite's own locks do the same for
 * its `query`; the gate also covers the prepared statements, which bypass them.)
 *
 * Parameterized queries run as named prepared statements (pglite-prepared.ts): parsed and planned
 * once per SQL text instead of on every call.
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

  const gate = new Mutex();
  const prepared = new PglitePreparedStatements(db);
  /**
   * Within the gate, or inside a transaction (`tx`): a named statement under PGlite's query lock,
   * else PGlite's own query (without parameters there is nothing to bind; `tx.query` inside a
   * transaction, since `db.query` would wait for the transaction lock the transaction holds).
   */
  const run = async <T>(sql: string, params: unknown[] | undefined, tx?: Transaction): Promise<{ rows: T[] }> => {
    try {
      if (params === undefined || params.length === 0 || !prepared.accepts(sql)) {
        const result = await (tx ?? db).query<T>(sql, params);
        return { rows: result.rows };
      }
      const result = await db.runExclusive(() => prepared.query<T>(sql, params));
      // What PGlite's own query does after a statement outside a transaction block.
      if (!tx) await db.syncToFs();
      return result;
    } catch (error) {
      throw mapSqlError(error);
    }
  };

  const client: SqlClient = {
    dialect: 'pglite',
    query: (sql, params) => gate.runExclusive(() => run(sql, params)),
    exec: (sql) =>
      gate.runExclusive(async () => {
        try {
          await db.exec(sql);
        } catch (error) {
          throw mapSqlError(error);
        }
      }),
    transaction: (fn) =>
      gate.runExclusive(async () => {
        // What `fn` throws is rethrown as is; only PGlite's own BEGIN/COMMIT/ROLLBACK failures are mapped.
        let thrown: { error: unknown } | undefined;
        try {
          return await db.transaction(async (tx) => {
            try {
              return await fn(transactionClient(tx, (sql, params) => run(sql, params, tx)));
            } catch (error) {
              thrown = { error };
              throw error;
            }
          });
        } catch (error) {
          if (thrown && thrown.error === error) throw error;
          throw mapSqlError(error);
        }
      }),
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

function transactionClient(tx: Transaction, query: SqlClient['query']): SqlClient {
  const client: SqlClient = {
    dialect: 'pglite',
    query,
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
