import { describe, it } from 'vitest';
import { describeStoreConformance } from '../conformance/store-conformance.ts';
import { openPostgresStore } from './sql-store.ts';
import { postgresTestDatabase } from './testing/postgres-test-db.ts';

const database = await postgresTestDatabase();

if ('skipReason' in database) {
  describe('Store conformance: postgres', () => {
    it.skip(`all cases (skipped: ${database.skipReason})`, () => {});
  });
} else {
  describeStoreConformance('postgres', async () => ({
    store: await openPostgresStore(database.connectionString),
    cleanup: database.drop,
  }));
}
