import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStoreConformance } from '../conformance/store-conformance.ts';
import { LOCAL_SCOPE } from '../scope.ts';
import { openPgliteStore } from './sql-store.ts';

const folders: string[] = [];
async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'agentry-pglite-'));
  folders.push(folder);
  return folder;
}
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describeStoreConformance('pglite (on disk)', async () => {
  // A folder that does not exist yet: the store creates it on first start.
  const store = await openPgliteStore(join(await tempFolder(), 'data'));
  return { store };
});

describe('PGlite store on disk', () => {
  it('keeps conversations and runs across close and reopen of the same folder', async () => {
    const folder = join(await tempFolder(), 'data');
    const first = await openPgliteStore(folder);
    expect(first.kind).toBe('pglite');
    await first.conversations.ensureConversation(LOCAL_SCOPE, 'c1', 'Kept');
    await first.conversations.appendMessages(LOCAL_SCOPE, 'c1', 0, [
      { role: 'user', content: [{ type: 'text', text: 'remember me' }] },
    ]);
    const at = new Date().toISOString();
    await first.runs.createRun({
      ...LOCAL_SCOPE,
      id: 'r1',
      agent: 'assistant',
      conversationId: 'c1',
      query: 'remember me',
      status: 'running',
      createdAt: at,
      updatedAt: at,
      leaseOwner: 'w',
      leaseExpiresAt: 1,
    });
    await first.close();

    const second = await openPgliteStore(folder);
    try {
      expect(await second.conversations.getConversation(LOCAL_SCOPE, 'c1')).toMatchObject({
        title: 'Kept',
        lastSeq: 1,
      });
      const [stored] = await second.conversations.loadMessages(LOCAL_SCOPE, 'c1');
      expect(stored?.message).toEqual({ role: 'user', content: [{ type: 'text', text: 'remember me' }] });
      expect((await second.runs.getRunById('r1'))?.createdAt).toBe(at);
    } finally {
      await second.close();
    }
  }, 60_000);

  it("serializes a query behind another caller's open transaction", async () => {
    const { openPgliteClient } = await import('./pglite-client.ts');
    const client = await openPgliteClient();
    try {
      await client.exec('CREATE TABLE t (n integer)');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const inTransaction = client.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (1)');
        await gate;
        await tx.query('INSERT INTO t VALUES (2)');
        throw new Error('roll back');
      });
      // Issued while the transaction is open: it must neither see nor join it.
      const outside = client.query<{ count: number }>('SELECT count(*)::int AS count FROM t');
      release();
      await expect(inTransaction).rejects.toThrow('roll back');
      expect((await outside).rows[0]?.count).toBe(0);
    } finally {
      await client.close();
    }
  });
  it('runs parameterized queries as named statements that survive failures and rollbacks', async () => {
    const { openPgliteClient } = await import('./pglite-client.ts');
    const client = await openPgliteClient();
    try {
      await client.exec('CREATE TABLE t (n integer PRIMARY KEY, tags text[], at timestamptz, note text)');
      const insert = 'INSERT INTO t VALUES ($1, $2, $3, $4) RETURNING n, tags, at, note';
      const at = new Date('2026-01-02T03:04:05.678Z');
      expect((await client.query(insert, [1, ['a', 'b "c"', 'd\\e'], at, null])).rows).toEqual([
        { n: 1, tags: ['a', 'b "c"', 'd\\e'], at, note: null },
      ]);
      // A failed execution (duplicate key) forgets the statement; the next call parses it again.
      await expect(client.query(insert, [1, [], at, 'again'])).rejects.toMatchObject({ code: 'INTERNAL' });
      await client.query(insert, [2, [], at, 'x']);
      // Inside a transaction that rolls back: the statement stays usable, its rows are gone.
      await expect(
        client.transaction(async (tx) => {
          await tx.query(insert, [3, [], at, 'rolled back']);
          await tx.query('SELECT n FROM t WHERE n = $1', [3]);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      await client.query(insert, [4, ['z'], at, 'after']);
      const { rows } = await client.query<{ n: number }>('SELECT n FROM t WHERE n > $1 ORDER BY n', [0]);
      expect(rows.map((row) => row.n)).toEqual([1, 2, 4]);
      // Unparsable SQL fails without being remembered, and nothing else is disturbed.
      await expect(client.query('SELEC n FROM t WHERE n = $1', [1])).rejects.toMatchObject({
        details: { sqlState: '42601' },
      });
      expect((await client.query('SELECT count(*)::int AS c FROM t WHERE n <> $1', [0])).rows).toEqual([{ c: 3 }]);
    } finally {
      await client.close();
    }
  });
});
