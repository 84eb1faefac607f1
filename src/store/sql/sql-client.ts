/**
 * The one seam between Agentry's SQL stores and a database: PGlite (embedded, in-process) or a
 * PostgreSQL server through `pg`. Stores write plain parameterized SQL against this and never see
 * the driver.
 *
 * Contracts every implementation keeps:
 * - Failures are AgentryErrors: a database that is unreachable or went away is STORE_UNAVAILABLE
 *   (retryable); other failures carry the SQLSTATE in `details.sqlState` and the driver error in
 *   `cause`. Messages never contain SQL parameters or connection strings.
 * - `transaction` runs `fn` on a client bound to one connection, commits when `fn` resolves and
 *   rolls back when it throws (rethrowing the same error). Inside `fn`, use only `tx`: the outer
 *   client may wait for the transaction to end (PGlite has a single connection), so calling it
 *   from inside `fn` can deadlock. A nested `tx.transaction()` joins the enclosing transaction.
 * - Constant SQL text with `$n` parameters: the `pg` client prepares each distinct text once per
 *   connection, so building SQL by string concatenation defeats the statement cache.
 */
export interface SqlClient {
  readonly dialect: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
