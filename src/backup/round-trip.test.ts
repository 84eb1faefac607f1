import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoDbStore } from '../store/dynamodb/dynamodb-store.ts';
import { ensureTables } from '../store/dynamodb/ensure-tables.ts';
import { startDynalite } from '../store/dynamodb/testing/dynalite-server.ts';
import { openPgliteStore, openPostgresStore } from '../store/sql/sql-store.ts';
import { postgresTestDatabase } from '../store/sql/testing/postgres-test-db.ts';
import type { Store } from '../store/store.ts';
import { importStore } from './import-store.ts';
import { AWKWARD, CAROL, comparable, exportLines, fillStore, linesOf, user } from './testing/backup-fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function pglite(): Promise<Store> {
  const folder = await mkdtemp(join(tmpdir(), 'agentry-backup-'));
  const store = await openPgliteStore(join(folder, 'data'));
  cleanups.push(async () => {
    await store.close();
    await rm(folder, { recursive: true, force: true });
  });
  return store;
}

async function dynamodb(): Promise<Store> {
  const server = await startDynalite();
  await ensureTables(server.client);
  const store = createDynamoDbStore({ client: server.client });
  cleanups.push(server.stop);
  return store;
}

const database = await postgresTestDatabase();

/**
 * One export carried through every backend. The exports compare equal after `comparable` drops
 * what an import cannot preserve through the Store API (listed in testing/backup-fixtures.ts):
 * the header's exportedAt, conversation createdAt/updatedAt, message and journal createdAt, run
 * updatedAt, and run leases (imported runs hold none).
 */
describe('backup round trip: PGlite → PostgreSQL → DynamoDB', () => {
  if ('skipReason' in database) {
    it.skip(`exports equal after each import (skipped: ${database.skipReason})`, () => {});
    return;
  }
  cleanups.push(database.drop);

  it('exports equal after each import', async () => {
    const source = await pglite();
    // 600 messages: exported in several pages, imported in several batches.
    await fillStore(source, { longConversation: 600 });
    const first = await exportLines(source);

    const postgres = await openPostgresStore(database.connectionString);
    cleanups.push(() => postgres.close());
    const intoPostgres = await importStore(postgres, linesOf(first));
    expect(intoPostgres.imported).toEqual({
      conversations: 5,
      messages: 608,
      summaries: 1,
      runs: 4,
      journalEntries: 7,
    });
    const second = await exportLines(postgres);

    const dynamo = await dynamodb();
    await importStore(dynamo, linesOf(second));
    const third = await exportLines(dynamo);

    expect(comparable(second)).toEqual(comparable(first));
    expect(comparable(third)).toEqual(comparable(first));
    expect(third).toHaveLength(first.length);

    // The last store works as a live one: scoped reads, awkward text, a resumable run.
    const [awkward] = await dynamo.conversations.loadMessages({ tenantId: 'acme', userId: 'alice' }, 'c1', { last: 1 });
    expect(awkward?.message).toEqual(user(AWKWARD));
    expect((await dynamo.conversations.loadMessages(CAROL, 'long', { last: 2 })).map((stored) => stored.seq)).toEqual([
      599, 600,
    ]);
    expect(
      (await dynamo.conversations.listConversations(CAROL)).items.map((conversation) => conversation.id).sort(),
    ).toEqual(['c#2%', 'empty', 'long']);
    const abandoned = await dynamo.runs.listAbandonedRuns(Date.now());
    expect(abandoned.map((run) => run.id)).toEqual(['run-running']);
    expect((await dynamo.runs.getRunById('run-ok'))?.createdAt).toBe('2026-01-02T03:04:05.678Z');
  }, 180_000);
});
