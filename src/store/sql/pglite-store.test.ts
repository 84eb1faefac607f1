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
});
