import { createHash } from 'node:crypto';
import pg from 'pg';
import { AgentryError } from '../../errors.ts';
import type { SqlClient } from './sql-client.ts';
import { mapSqlError } from './sql-errors.ts';

export interface PgClientOptions {
  /** Most connections held open at once (default 10). */
  poolSize?: number;
  /** How long a caller waits for a free connection before STORE_UNAVAILABLE (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * Prepare parameterized statements by name, once per connection (default true). Turn off behind
   * a pooler that does not support prepared statements (PgBouncer in transaction mode before 1.21).
   */
  prepare?: boolean;
}

interface Queryable {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
}

/** Distinct statement texts are few (the stores use constants); beyond this, stop naming new ones. */
const MAX_NAMED_STATEMENTS = 1000;

/**
 * A PostgreSQL server through a `pg.Pool`.
 *
 * Failure contract: every error leaving this client is an AgentryError (see sql-errors.ts). A
 * server that goes away never crashes the process: idle connections report on the pool's `error`
 * event and checked-out ones on their own, and both have listeners here; the dead connection is
 * discarded and the next call reconnects (or fails with STORE_UNAVAILABLE).
 */
export function openPgClient(connectionString: string, poolSizeOrOptions: number | PgClientOptions = {}): SqlClient {
  const options = typeof poolSizeOrOptions === 'number' ? { poolSize: poolSizeOrOptions } : poolSizeOrOptions;
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle connection that dies (server restart, pg_terminate_backend) is already removed from the
  // pool when this fires; without a listener, the 'error' event would be an uncaught exception.
  pool.on('error', () => {});

  const names = new Map<string, string>();
  const statementName = (sql: string): string | undefined => {
    if (options.prepare === false) return undefined;
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
      name = `agentry_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      names.set(sql, name);
    }
    return name;
  };

  const run = async <T>(target: Queryable, sql: string, params: unknown[] | undefined): Promise<{ rows: T[] }> => {
    try {
      // Without parameters, `pg` uses the simple protocol, which also accepts multi-statement scripts.
      const name = params === undefined || params.length === 0 ? undefined : statementName(sql);
      const config: pg.QueryConfig = { text: sql };
      if (params !== undefined) config.values = params;
      if (name !== undefined) config.name = name;
      const result = await target.query(config);
      return { rows: result.rows as T[] };
    } catch (error) {
      throw mapSqlError(error);
    }
  };

  let closed: Promise<void> | undefined;
  return {
    dialect: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    exec: async (sql) => {
      await run(pool, sql, undefined);
    },
    transaction: async (fn) => {
      let connection: pg.PoolClient;
      try {
        connection = await pool.connect();
      } catch (error) {
        throw mapSqlError(error);
      }
      // A checked-out connection that dies emits 'error' on itself, not on the pool.
      let broken: unknown;
      const onError = (error: unknown) => {
        broken = error;
      };
      connection.on('error', onError);
      const tx: SqlClient = {
        dialect: 'postgres',
        query: (sql, params) => run(connection, sql, params),
        exec: async (sql) => {
          await run(connection, sql, undefined);
        },
        // Nested transactions join the enclosing one.
        transaction: (inner) => inner(tx),
        close: async () => {
          throw new AgentryError('INTERNAL', 'A transaction client cannot be closed; close the client that opened it.');
        },
      };
      let fromFn = false;
      try {
        await run(connection, 'BEGIN', undefined);
        fromFn = true;
        const result = await fn(tx);
        fromFn = false;
        // If COMMIT's reply is lost with the connection, the outcome is unknown: callers get
        // STORE_UNAVAILABLE and must treat a retry's conflict as "maybe it landed".
        await run(connection, 'COMMIT', undefined);
        return result;
      } catch (error) {
        if (broken === undefined) {
          try {
            await connection.query('ROLLBACK');
          } catch (rollbackError) {
            broken = rollbackError;
          }
        }
        // What `fn` throws is rethrown as is (its queries' errors are already mapped).
        throw fromFn ? error : mapSqlError(error);
      } finally {
        connection.removeListener('error', onError);
        // Releasing with an error discards the connection instead of returning it to the pool.
        connection.release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
      }
    },
    close: () => {
      closed ??= pool.end();
      return closed;
    },
  };
}
