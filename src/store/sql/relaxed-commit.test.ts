import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../runs.ts';
import type { Store } from '../store.ts';
import { openPgClient } from './pg-client.ts';
import { openPgliteClient } from './pglite-client.ts';
import type { SqlClient } from './sql-client.ts';
import type { JournalCommit } from './sql-durability.ts';
import { createSqlStore } from './sql-store.ts';
import { postgresTestDatabase } from './testing/postgres-test-db.ts';

const database = await postgresTestDatabase();
afterAll(async () => {
  if ('drop' in database) await database.drop();
});

const step: JournalEntry = { kind: 'tool-started', step: 1, toolCallId: 'c1', toolName: 'calculate' };

/** Records the SQL texts a client runs. */
function recording(client: SqlClient): { client: SqlClient; texts: string[] } {
  const texts: string[] = [];
  return {
    texts,
    client: {
      ...client,
      dialect: client.dialect,
      query: (sql, params) => {
        texts.push(sql);
        return client.query(sql, params);
      },
    },
  };
}

/** One turn's writes: a relaxed start, a relaxed and a flushed journal append, the end. */
async function turn(store: Store): Promise<void> {
  const scope = { tenantId: `t-${randomUUID()}`, userId: 'alice' };
  const at = new Date().toISOString();
  const run = {
    id: randomUUID(),
    ...scope,
    agent: 'a',
    conversationId: 'c1',
    query: 'q',
    status: 'running' as const,
    createdAt: at,
    updatedAt: at,
    leaseOwner: 'w',
    leaseExpiresAt: Date.now() + 60_000,
  };
  await store.turns.startTurn({ run, title: 't', last: 40 }, { durability: 'relaxed' });
  await store.runs.appendJournal(run.id, 'w', 0, [step], { durability: 'relaxed' });
  await store.runs.appendJournal(run.id, 'w', 1, [step], { durability: 'flush' });
  await store.turns.finishTurn({
    scope,
    conversationId: 'c1',
    runId: run.id,
    owner: 'w',
    journal: { expectedLastSeq: 2, entries: [] },
    messages: { expectedLastSeq: 0, messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }] }] },
    outcome: { status: 'succeeded', text: 'done' },
  });
}

const relaxedTexts = (texts: string[]) => texts.filter((text) => text.includes('synchronous_commit'));

describe('journal commit durability', () => {
  it.skipIf('skipReason' in database)(
    `PostgreSQL, journalCommit async: relaxed writes commit asynchronously, the rest synchronously${'skipReason' in database ? ` (skipped: ${database.skipReason})` : ''}`,
    async () => {
      if (!('connectionString' in database)) return;
      const base = openPgClient(database.connectionString, { poolSize: 1 });
      const { client, texts } = recording(base);
      const store = await createSqlStore(client);
      try {
        texts.length = 0;
        await turn(store);
        // The relaxed start and the relaxed append; not the flushed append nor the end.
        expect(relaxedTexts(texts)).toHaveLength(2);
        expect(texts).toHaveLength(4);

        // Right after an asynchronous commit the WAL is written up to it but not yet flushed, and
        // the setting stays with the transaction: the session (one connection here) keeps `on`.
        let behind = 0;
        for (let attempt = 0; attempt < 20; attempt++) {
          const scope = { tenantId: `t-${randomUUID()}`, userId: 'bob' };
          const at = new Date().toISOString();
          await store.turns.startTurn(
            {
              run: {
                id: randomUUID(),
                ...scope,
                agent: 'a',
                conversationId: 'c',
                query: 'q',
                status: 'running',
                createdAt: at,
                updatedAt: at,
              },
              title: '',
              last: 1,
            },
            { durability: 'relaxed' },
          );
          const { rows } = await base.query<{ behind: boolean; setting: string }>(
            "SELECT pg_current_wal_flush_lsn() < pg_current_wal_insert_lsn() AS behind, current_setting('synchronous_commit') AS setting",
          );
          if (rows[0]?.behind) behind++;
          expect(rows[0]?.setting).toBe('on');
        }
        // The WAL writer flushes every 200 ms, so a few checks may land just after a flush.
        expect(behind).toBeGreaterThanOrEqual(10);
      } finally {
        await store.close();
      }
    },
    60_000,
  );

  const modes: [string, () => Promise<SqlClient>, JournalCommit | undefined][] = [
    ['PGlite, journalCommit async (its database lives in this process)', () => openPgliteClient(), undefined],
  ];
  if ('connectionString' in database)
    modes.push(['PostgreSQL, journalCommit sync', async () => openPgClient(database.connectionString), 'sync']);
  for (const [name, open, journalCommit] of modes) {
    it(`${name}: every commit is synchronous`, async () => {
      const { client, texts } = recording(await open());
      const store = await createSqlStore(client, journalCommit ? { journalCommit } : {});
      try {
        await turn(store);
        expect(texts.length).toBeGreaterThanOrEqual(4);
        expect(relaxedTexts(texts)).toEqual([]);
      } finally {
        await store.close();
      }
    }, 60_000);
  }
});
