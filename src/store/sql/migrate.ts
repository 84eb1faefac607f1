import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AgentryError } from '../../errors.ts';
import type { SqlClient } from './sql-client.ts';

export interface Migration {
  version: number;
  /** The file name, e.g. `001_conversations.sql`. */
  name: string;
  sql: string;
}

/**
 * Key of the transaction-level advisory lock every migrating process takes first. Replicas that
 * start together queue on it; each then sees what the previous one applied. The lock is per
 * database (not per schema), so migrations of different schemas in one database also queue.
 */
export const MIGRATION_LOCK_KEY = 4_207_310_661;

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const MIGRATION_FILE = /^(\d{3})_[A-Za-z0-9_-]+\.sql$/;

/** Every `NNN_*.sql` file of the folder, in version order; other files are ignored. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => MIGRATION_FILE.test(name)).sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const version = Number(name.slice(0, 3));
    if (migrations.at(-1)?.version === version) {
      throw new AgentryError(
        'INTERNAL',
        `Two migration files have version ${version}: ${migrations.at(-1)?.name}, ${name}.`,
      );
    }
    migrations.push({ version, name, sql: await readFile(`${dir}/${name}`, 'utf8') });
  }
  return migrations;
}

export interface MigrateResult {
  /** Versions applied by this call, in order. */
  applied: number[];
  /** The database's schema version afterwards. */
  version: number;
}

/**
 * Brings the schema up to date: applies every migration not yet recorded in
 * `agentry_migrations`, in version order, in ONE transaction holding MIGRATION_LOCK_KEY — either
 * all pending migrations land or none do, and concurrent callers apply each exactly once.
 *
 * A database already migrated past the newest known version (a newer Agentry ran against it) is
 * refused with STORE_SCHEMA_TOO_NEW before anything is written: this release's SQL may not match
 * that schema.
 */
export async function migrate(client: SqlClient, migrations?: readonly Migration[]): Promise<MigrateResult> {
  const known = migrations ?? (await loadMigrations());
  const latest = known.at(-1)?.version ?? 0;
  return client.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS agentry_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM agentry_migrations ORDER BY version');
    const done = new Set(rows.map((row) => Number(row.version)));
    const current = Math.max(0, ...done);
    if (current > latest) {
      throw new AgentryError(
        'STORE_SCHEMA_TOO_NEW',
        `The database schema is at version ${current}, but this Agentry release knows migrations up to ${latest}. ` +
          'A newer Agentry has migrated this database: upgrade Agentry to that release (or newer) to use it.',
        { details: { databaseVersion: current, supportedVersion: latest } },
      );
    }
    const applied: number[] = [];
    for (const migration of known) {
      if (done.has(migration.version)) continue;
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        if (error instanceof AgentryError && error.code === 'STORE_UNAVAILABLE') throw error;
        throw new AgentryError('INTERNAL', `Migration ${migration.name} failed; nothing was applied.`, {
          cause: error,
          details: { migration: migration.name },
        });
      }
      await tx.query('INSERT INTO agentry_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return { applied, version: Math.max(current, latest) };
  });
}
