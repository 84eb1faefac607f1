import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where the tests look for a PostgreSQL server; override with AGENTRY_TEST_POSTGRES_URL. */
export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresTestDatabase {
  /** Connects with `search_path` set to `schema`, so unqualified tables land there. */
  connectionString: string;
  schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty schema on the test server, or the reason there is none. Tests skip on
 * `skipReason`, except when AGENTRY_REQUIRE_SERVICES=1 (CI with services): then an unreachable
 * server throws, so a missing database fails the build instead of silently skipping.
 */
export async function postgresTestDatabase(
  env: NodeJS.ProcessEnv = process.env,
): Promise<PostgresTestDatabase | { skipReason: string }> {
  const baseUrl = env['AGENTRY_TEST_POSTGRES_URL'] ?? DEFAULT_TEST_POSTGRES_URL;
  const schema = `agentry_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3_000 });
  admin.on('error', () => {});
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (error) {
    await admin.end().catch(() => {});
    const reason = `PostgreSQL test server not reachable at ${redact(baseUrl)} (${(error as Error).message})`;
    if (env['AGENTRY_REQUIRE_SERVICES'] === '1') throw new Error(`${reason}; AGENTRY_REQUIRE_SERVICES=1 requires it.`);
    return { skipReason: reason };
  }
  await admin.end();
  return {
    connectionString: withSearchPath(baseUrl, schema),
    schema,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: baseUrl });
      dropper.on('error', () => {});
      await dropper.connect();
      try {
        await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** Adds `options=-c search_path=<schema>` (sent in the startup packet, so every pooled connection has it). */
export function withSearchPath(connectionString: string, schema: string): string {
  const url = new URL(connectionString);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

function redact(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable connection string)';
  }
}
