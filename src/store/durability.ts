/**
 * How durable a write must be when its call resolves.
 * - `flush` (the default): committed and flushed, so it survives a crash of this process and of
 *   the database server.
 * - `relaxed`: committed and visible at once, so it survives a crash of this process, but the
 *   store may flush it a moment later (PostgreSQL with `store.journalCommit: async`: an
 *   asynchronous commit, lost only if the server itself crashes within about 600 ms).
 * Backends with a single commit mode ignore it: memory; DynamoDB; PGlite, whose database lives in
 * this process, so that a deferred flush would not even survive a crash of the process.
 *
 * A flushed commit also flushes every commit made before it (PostgreSQL's WAL is one sequence), so
 * what a server crash can lose is always a suffix of the relaxed writes, never a write before a
 * flushed one.
 */
export type WriteDurability = 'flush' | 'relaxed';

export interface WriteOptions {
  durability?: WriteDurability;
}
