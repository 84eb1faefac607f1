import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from '../../agent/messages.ts';
import { AgentryError } from '../../errors.ts';
import type { Scope } from '../scope.ts';
import type { Store } from '../store.ts';
import { openPgClient } from './pg-client.ts';
import { openPgliteClient } from './pglite-client.ts';
import type { SqlClient } from './sql-client.ts';
import { createSqlStore, openPostgresStore } from './sql-store.ts';
import { type PostgresTestDatabase, postgresTestDatabase } from './testing/postgres-test-db.ts';

const database = await postgresTestDatabase();
const server = 'skipReason' in database ? undefined : database;
const skipReason = 'skipReason' in database ? database.skipReason : '';
afterAll(async () => {
  await server?.drop();
});

const scope: Scope = { tenantId: 't1', userId: 'alice' };
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

/** Resolves to the error a call failed with, or undefined if it succeeded. */
async function failureOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return error;
  }
}

function expectUnavailable(error: unknown) {
  expect(error).toBeInstanceOf(AgentryError);
  expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
}

describe('corrupt rows', () => {
  let client: SqlClient;
  let store: Store;
  afterAll(async () => {
    await store?.close();
  });

  it('an unparsable message body is STORE_CORRUPT naming the table and key, not the content', async () => {
    client = await openPgliteClient();
    store = await createSqlStore(client);
    await store.conversations.ensureConversation(scope, 'c1');
    await store.conversations.appendMessages(scope, 'c1', 0, [user('fine'), user('secret text')]);
    await client.query(
      `UPDATE messages SET body = '{"role":"user","content":[{"type":"text","text":"secret te' WHERE seq = 2`,
    );
    const error = await failureOf(store.conversations.loadMessages(scope, 'c1'));
    expect(error).toMatchObject({ code: 'STORE_CORRUPT', details: { table: 'messages', key: '(t1, alice, c1, 2)' } });
    expect((error as Error).message).toContain('messages');
    expect((error as Error).message).not.toContain('secret');
    // The healthy part of the conversation is still readable.
    expect((await store.conversations.loadMessages(scope, 'c1', { last: 1, beforeSeq: 2 })).map((m) => m.seq)).toEqual([
      1,
    ]);
  });

  it('a row with a newer schema version is STORE_CORRUPT', async () => {
    await store.conversations.ensureConversation(scope, 'c2');
    await client.query("UPDATE conversations SET schema_version = 99 WHERE id = 'c2'");
    await expect(store.conversations.getConversation(scope, 'c2')).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      details: { table: 'conversations' },
    });
  });

  it('a corrupt run field or journal entry is STORE_CORRUPT', async () => {
    const at = new Date().toISOString();
    const run = { ...scope, id: 'r1', agent: 'a', conversationId: 'c1', query: 'q', status: 'running' as const };
    await store.runs.createRun({
      ...run,
      createdAt: at,
      updatedAt: at,
      leaseOwner: 'w',
      leaseExpiresAt: Date.now() + 60_000,
    });
    await store.runs.appendJournal('r1', 'w', 0, [
      { kind: 'tool-started', step: 1, toolCallId: 'x', toolName: 'calc' },
    ]);
    await client.query(`UPDATE run_journal SET body = '[1, 2' WHERE run_id = 'r1'`);
    await expect(store.runs.loadJournal('r1')).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      details: { table: 'run_journal' },
    });
    await client.query(`UPDATE runs SET usage = 'nope' WHERE id = 'r1'`);
    await expect(store.runs.getRunById('r1')).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      details: { table: 'runs', key: '(r1)' },
    });
  });
});

describe('unreachable databases', () => {
  it('a pg client pointed at a closed port fails with STORE_UNAVAILABLE and keeps the password out', async () => {
    const port = await closedPort();
    const url = `postgres://agentry:hunter2-secret@127.0.0.1:${port}/nowhere`;
    const client = openPgClient(url, { connectTimeoutMs: 2_000 });
    try {
      const error = await failureOf(client.query('SELECT 1'));
      expectUnavailable(error);
      expect(JSON.stringify((error as AgentryError).toJSON())).not.toContain('hunter2');
      expect((error as Error).message).not.toContain('hunter2');
      expectUnavailable(await failureOf(client.transaction((tx) => tx.query('SELECT 1'))));
    } finally {
      await client.close();
    }
    const opening = await failureOf(openPostgresStore(url, { connectTimeoutMs: 2_000 }));
    expectUnavailable(opening);
    expect((opening as Error).message).not.toContain('hunter2');
  });

  it('a closed PGlite fails with STORE_UNAVAILABLE', async () => {
    const client = await openPgliteClient();
    await client.close();
    expectUnavailable(await failureOf(client.query('SELECT 1')));
  });
});

describe.skipIf(!server)(`the PostgreSQL server going away${server ? '' : ` (skipped: ${skipReason})`}`, () => {
  const db = server as PostgresTestDatabase;
  const withName = (name: string) => {
    const url = new URL(db.connectionString);
    url.searchParams.set('application_name', name);
    return url.toString();
  };
  async function terminate(applicationName: string): Promise<number> {
    const admin = new pg.Client({ connectionString: db.connectionString });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      return rows[0].n as number;
    } finally {
      await admin.end();
    }
  }

  it('terminated pool connections: the next call fails with STORE_UNAVAILABLE or succeeds on a new connection', async () => {
    const store = await openPostgresStore(withName('agentry-faults-idle'), { poolSize: 4 });
    try {
      await store.conversations.ensureConversation(scope, 'c1');
      await Promise.all([store.ping(), store.ping(), store.ping()]);
      expect(await terminate('agentry-faults-idle')).toBeGreaterThan(0);
      // Each dead connection fails at most one call (it is then discarded); never an uncaught error.
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const error = await failureOf(
          store.conversations.appendMessages(scope, 'c1', outcomes.filter((o) => o === 'ok').length, [user('hi')]),
        );
        if (error !== undefined) expectUnavailable(error);
        outcomes.push(error === undefined ? 'ok' : 'unavailable');
      }
      expect(outcomes.at(-1)).toBe('ok');
      // Reads agree with the writes that reported success.
      const okCount = outcomes.filter((o) => o === 'ok').length;
      expect((await store.conversations.getConversation(scope, 'c1'))?.lastSeq).toBe(okCount);
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it('a connection terminated inside a transaction fails that transaction with STORE_UNAVAILABLE', async () => {
    const client = openPgClient(withName('agentry-faults-tx'), 2);
    try {
      const error = await failureOf(
        client.transaction(async (tx) => {
          await tx.query('SELECT 1');
          await terminate('agentry-faults-tx');
          await new Promise((resolve) => setTimeout(resolve, 50));
          await tx.query('SELECT 1');
        }),
      );
      expectUnavailable(error);
      expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.close();
    }
  });

  it('an exhausted pool times out with STORE_UNAVAILABLE', async () => {
    const client = openPgClient(db.connectionString, { poolSize: 1, connectTimeoutMs: 200 });
    try {
      let release!: () => void;
      const held = client.transaction(
        () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      expectUnavailable(await failureOf(client.query('SELECT 1')));
      release();
      await held;
    } finally {
      await client.close();
    }
  });
});

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
