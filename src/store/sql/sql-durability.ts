/**
 * Asynchronous commit for one statement: `set_config(…, true)` sets synchronous_commit for the
 * current transaction only, which for a statement sent alone (the extended protocol's implicit
 * transaction) is that statement, and it is read when the transaction commits. The session keeps
 * its own setting. The commit is visible at once and survives a crash of the client; only a crash
 * of the server before its WAL writer flushes (within 3 × wal_writer_delay, 600 ms by default)
 * loses it, and a later synchronous commit flushes it with everything before it.
 *
 * Put it in the select list of a statement that always returns at least one row: PostgreSQL
 * evaluates it per row returned.
 */
export const RELAXED_COMMIT = `set_config('synchronous_commit', 'off', true) AS relaxed_commit`;

/** `store.journalCommit` as the SQL stores take it: `async` only matters on a PostgreSQL server. */
export type JournalCommit = 'async' | 'sync';
