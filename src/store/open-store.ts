import { isAbsolute, join } from 'node:path';
import type { StoreConfig } from '../config/schemas.ts';
import { AgentryError } from '../errors.ts';
import type { Store } from './store.ts';

export type StoreKind = NonNullable<StoreConfig['kind']>;

export interface OpenStoreOptions {
  config: StoreConfig;
  projectDir: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Which backend, strongest first: AGENTRY_STORE, the project's `store.kind`, `postgres` when
 * DATABASE_URL is set, else the embedded PGlite folder under the project.
 */
export function chooseStoreKind({ config, env }: Pick<OpenStoreOptions, 'config' | 'env'>): StoreKind {
  const fromEnv = env.AGENTRY_STORE;
  if (fromEnv !== undefined) {
    if (fromEnv === 'memory' || fromEnv === 'pglite' || fromEnv === 'postgres' || fromEnv === 'dynamodb')
      return fromEnv;
    throw new AgentryError(
      'CONFIG_INVALID',
      `AGENTRY_STORE must be memory, pglite, postgres or dynamodb (got "${fromEnv}").`,
    );
  }
  return config.kind ?? (env.DATABASE_URL ? 'postgres' : 'pglite');
}

export function pgliteDataDir({ config, projectDir, env }: OpenStoreOptions): string {
  const dir = env.AGENTRY_DATA_DIR ?? config.dataDir ?? join('.agentry', 'data');
  return isAbsolute(dir) ? dir : join(projectDir, dir);
}

/** Opens the configured store; backends are imported on demand so each process loads only its own. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const kind = chooseStoreKind(options);
  switch (kind) {
    case 'memory': {
      const { createMemoryStore } = await import('./memory/memory-store.ts');
      return createMemoryStore();
    }
    case 'pglite': {
      const { openPgliteStore } = await import('./sql/sql-store.ts');
      return openPgliteStore(pgliteDataDir(options));
    }
    case 'postgres': {
      const url = options.env.DATABASE_URL;
      if (!url)
        throw new AgentryError(
          'CONFIG_INVALID',
          'The postgres store needs DATABASE_URL, e.g. postgres://user@127.0.0.1:5432/agentry.',
        );
      const { openPostgresStore } = await import('./sql/sql-store.ts');
      const { journalCommit } = options.config;
      return openPostgresStore(url, journalCommit ? { journalCommit } : {});
    }
    case 'dynamodb': {
      const [{ DynamoDBClient }, { createDynamoDbStore }] = await Promise.all([
        import('@aws-sdk/client-dynamodb'),
        import('./dynamodb/dynamodb-store.ts'),
      ]);
      const endpoint = options.env.AWS_ENDPOINT_URL_DYNAMODB;
      const client = new DynamoDBClient(endpoint ? { endpoint } : {});
      return createDynamoDbStore({ client, ...(options.config.tables ? { tables: options.config.tables } : {}) });
    }
  }
}
