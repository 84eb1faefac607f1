import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from './migrate.ts';
import { openPgClient } from './pg-client.ts';
import { openPgliteClient } from './pglite-client.ts';
import type { SqlClient } from './sql-client.ts';
import { type PostgresTestDatabase, postgresTestDatabase } from './testing/postgres-test-db.ts';

const database = await postgresTestDatabase();
const server = 'skipReason' in database ? undefined : database;
const skipReason = 'skipReason' in database ? database.skipReason : '';
afterAll(async () => {
  await server?.drop();
});

async function appliedVersions(client: SqlClient): Promise<number[]> {
  const { rows } = await client.query<{ version: number }>('SELECT version FROM agentry_migrations ORDER BY version');
  return rows.map((row) => Number(row.version));
}

describe('loadMigrations', () => {
  it('finds every NNN_*.sql file in version order, including ones added later', async () => {
    const migrations = await loadMigrations();
    const versions = migrations.map((migration) => migration.version);
    expect(versions.slice(0, 2)).toEqual([1, 2]);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));

    const dir = await mkdtemp(join(tmpdir(), 'agentry-migrations-'));
    try {
      await writeFile(join(dir, '010_later.sql'), 'SELECT 10;');
      await writeFile(join(dir, '002_second.sql'), 'SELECT 2;');
      await writeFile(join(dir, 'README.md'), 'not a migration');
      await writeFile(join(dir, '2_bad_name.sql'), 'SELECT 0;');
      expect((await loadMigrations(dir)).map((migration) => migration.name)).toEqual([
        '002_second.sql',
        '010_later.sql',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('migrate on PGlite', () => {
  it('applies everything once, then nothing', async () => {
    const client = await openPgliteClient();
    try {
      const all = (await loadMigrations()).map((migration) => migration.version);
      expect(await migrate(client)).toEqual({ applied: all, version: all.at(-1) });
      expect(await migrate(client)).toEqual({ applied: [], version: all.at(-1) });
      expect(await appliedVersions(client)).toEqual(all);
    } finally {
      await client.close();
    }
  });

  it('refuses a database migrated by a newer Agentry, telling the operator to upgrade', async () => {
    const client = await openPgliteClient();
    try {
      await migrate(client);
      await client.query("INSERT INTO agentry_migrations (version, name) VALUES (999, '999_from_the_future.sql')");
      const refusal = migrate(client);
      await expect(refusal).rejects.toMatchObject({ code: 'STORE_SCHEMA_TOO_NEW', details: { databaseVersion: 999 } });
      await expect(refusal).rejects.toThrow(/upgrade Agentry/);
    } finally {
      await client.close();
    }
  });

  it('applies pending migrations all or nothing', async () => {
    const client = await openPgliteClient();
    try {
      const broken = [
        { version: 1, name: '001_good.sql', sql: 'CREATE TABLE good (id integer);' },
        { version: 2, name: '002_bad.sql', sql: 'CREATE TABLE bad (id no_such_type);' },
      ];
      await expect(migrate(client, broken)).rejects.toMatchObject({
        code: 'INTERNAL',
        details: { migration: '002_bad.sql' },
      });
      const { rows } = await client.query("SELECT to_regclass('good') IS NOT NULL AS exists");
      expect(rows[0]).toEqual({ exists: false });
    } finally {
      await client.close();
    }
  });
});

describe.skipIf(!server)(`migrate on the PostgreSQL server${server ? '' : ` (skipped: ${skipReason})`}`, () => {
  const db = server as PostgresTestDatabase;

  it('4 replicas starting at once: all succeed and each migration is applied exactly once', async () => {
    const replicas = Array.from({ length: 4 }, () => openPgClient(db.connectionString, 2));
    try {
      const results = await Promise.all(replicas.map((client) => migrate(client)));
      const all = (await loadMigrations()).map((migration) => migration.version);
      expect(results.flatMap((result) => result.applied).sort((a, b) => a - b)).toEqual(all);
      expect(results.filter((result) => result.applied.length > 0)).toHaveLength(1);
      expect(await appliedVersions(replicas[0]!)).toEqual(all);
    } finally {
      await Promise.all(replicas.map((client) => client.close()));
    }
  });

  it('refuses a schema newer than this release', async () => {
    const client = openPgClient(db.connectionString, 1);
    try {
      await migrate(client);
      await client.query("INSERT INTO agentry_migrations (version, name) VALUES (998, '998_from_the_future.sql')");
      await expect(migrate(client)).rejects.toMatchObject({ code: 'STORE_SCHEMA_TOO_NEW', retryable: false });
      await client.query('DELETE FROM agentry_migrations WHERE version = 998');
    } finally {
      await client.close();
    }
  });
});
