import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { hashContent } from '../../knowledge/chunk-document.ts';
import { MemoryKnowledgeIndex } from '../../knowledge/memory-index.ts';
import { syncKnowledge } from '../../knowledge/sync-knowledge.ts';
import { SqlKnowledgeStore } from './knowledge-sql.ts';
import type { SqlClient } from './sql-client.ts';
import { postgresTestDatabase } from './testing/postgres-test-db.ts';

const EXAMPLES = fileURLToPath(new URL('../../../examples/knowledge', import.meta.url));
const MIGRATION = new URL('./migrations/003_knowledge.sql', import.meta.url);

/** Minimal SqlClient over PGlite: this file tests the store's SQL, not the production clients. */
function pgliteClient(db: PGlite): SqlClient {
  const wrap = (target: PGlite | Transaction, transaction: SqlClient['transaction']): SqlClient => ({
    dialect: 'pglite',
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await target.query<T>(sql, params)).rows }),
    exec: async (sql: string) => {
      await target.exec(sql);
    },
    transaction,
    close: async () => {},
  });
  return wrap(db, (fn) =>
    db.transaction((tx) => {
      const inner: SqlClient = wrap(tx, (nested) => nested(inner));
      return fn(inner);
    }),
  );
}

/** Minimal SqlClient over one `pg` connection (the tests never overlap queries). */
function pgClient(connection: pg.Client): SqlClient {
  const wrap = (transaction: SqlClient['transaction']): SqlClient => ({
    dialect: 'postgres',
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await connection.query(sql, params)).rows as T[] }),
    exec: async (sql: string) => {
      await connection.query(sql);
    },
    transaction,
    close: async () => {},
  });
  const inner: SqlClient = wrap((fn) => fn(inner));
  return wrap(async (fn) => {
    await connection.query('BEGIN');
    try {
      const result = await fn(inner);
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK');
      throw error;
    }
  });
}

type Opened = { client: SqlClient; close(): Promise<void> } | { skipReason: string };

const backends: { name: string; open(): Promise<Opened> }[] = [
  {
    name: 'PGlite',
    async open() {
      const db = new PGlite();
      return { client: pgliteClient(db), close: () => db.close() };
    },
  },
  {
    name: 'PostgreSQL server',
    async open() {
      // Skips when unreachable, unless AGENTRY_REQUIRE_SERVICES=1: then this throws and the suite fails.
      const database = await postgresTestDatabase();
      if ('skipReason' in database) return database;
      const connection = new pg.Client({ connectionString: database.connectionString });
      await connection.connect();
      return {
        client: pgClient(connection),
        close: async () => {
          await connection.end();
          await database.drop();
        },
      };
    },
  },
];

describe.each(backends)('SqlKnowledgeStore on $name', ({ name, open }) => {
  let opened: Opened | undefined;
  let store: SqlKnowledgeStore;
  let client: SqlClient;

  beforeAll(async () => {
    opened = await open();
    if ('skipReason' in opened) {
      console.warn(`[knowledge-sql] ${name} cases skipped: ${opened.skipReason}`);
      return;
    }
    client = opened.client;
    await client.exec(await readFile(MIGRATION, 'utf8'));
    store = new SqlKnowledgeStore(client);
  });
  afterAll(async () => {
    if (opened && !('skipReason' in opened)) await opened.close();
  });
  beforeEach(async (context) => {
    if (opened && 'skipReason' in opened) context.skip(opened.skipReason);
    await client.exec('TRUNCATE knowledge_documents CASCADE');
  });

  const chunkCount = async () =>
    Number((await client.query<{ n: number }>('SELECT count(*)::integer AS n FROM knowledge_chunks')).rows[0]?.n);
  const doc = (source: string, hash: string, ...texts: string[]) => ({
    source,
    hash,
    chunks: texts.map((text, index) => ({ source, index, title: `${source} title`, text })),
  });

  test('creates a GIN index that the search predicate uses', async () => {
    const { rows } = await client.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'knowledge_chunks' AND indexname = 'knowledge_chunks_tsv'`,
    );
    expect(rows[0]?.indexdef).toMatch(/USING gin \(tsv\)/);
    await syncKnowledge(store, EXAMPLES);
    const plan = await client.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const explained = await tx.query<Record<string, string>>(
        `EXPLAIN SELECT source FROM knowledge_chunks WHERE tsv @@ websearch_to_tsquery('english', 'sagemaker')`,
      );
      return explained.rows.map((row) => Object.values(row).join(' ')).join('\n');
    });
    expect(plan).toMatch(/Bitmap Index Scan on knowledge_chunks_tsv/);
  });

  test('on the example knowledge: SageMaker first, DynamoDB found, nonsense and stopwords give []', async () => {
    const result = await syncKnowledge(store, EXAMPLES);
    expect(result.indexed).toContain('amazon-sagemaker.md');
    expect(result.indexed).toContain('amazon-dynamodb.md');

    const sagemaker = await store.search('Tell me about Amazon SageMaker', 5);
    expect(sagemaker[0]?.source).toBe('amazon-sagemaker.md');
    expect(sagemaker[0]?.snippet).toMatch(/SageMaker/);
    expect(sagemaker[0]?.snippet).not.toMatch(/<\/?b>/);
    expect(sagemaker[0]?.title).toMatch(/^Amazon SageMaker/);
    expect(sagemaker[0]!.score).toBeGreaterThan(0);

    expect((await store.search('What is DynamoDB?', 5))[0]?.source).toBe('amazon-dynamodb.md');
    expect(await store.search('xyzzy plugh frobnicate', 5)).toEqual([]);
    expect(await store.search('what is the', 5)).toEqual([]);
    expect(await store.search('', 5)).toEqual([]);
  });

  test('agrees with the in-memory index on the best document for typical questions', async () => {
    const memory = new MemoryKnowledgeIndex();
    await syncKnowledge(memory, EXAMPLES);
    await syncKnowledge(store, EXAMPLES);
    const questions = [
      'How do Lambda cold starts work?',
      'What is overfitting?',
      'Bedrock guardrails PII',
      'DynamoDB global secondary index',
      'SageMaker Ground Truth labeling',
    ];
    for (const question of questions) {
      const [sqlTop] = await store.search(question, 1);
      const [memoryTop] = await memory.search(question, 1);
      expect({ question, source: sqlTop?.source }).toEqual({ question, source: memoryTop?.source });
    }
  });

  test('lists hashes, leaves unchanged documents alone, and re-indexes an older schema version', async () => {
    await syncKnowledge(store, EXAMPLES);
    const text = await readFile(`${EXAMPLES}/aws-lambda.md`, 'utf8');
    expect((await store.listDocuments()).get('aws-lambda.md')).toBe(hashContent(text));
    expect((await syncKnowledge(store, EXAMPLES)).indexed).toEqual([]);

    await client.query('UPDATE knowledge_documents SET schema_version = 0 WHERE source = $1', ['aws-lambda.md']);
    expect((await store.listDocuments()).get('aws-lambda.md')).toBe('');
    expect((await syncKnowledge(store, EXAMPLES)).indexed).toEqual(['aws-lambda.md']);
    expect((await store.listDocuments()).get('aws-lambda.md')).toBe(hashContent(text));
  });

  test('replaces chunks on upsert and cascades deletes', async () => {
    await store.upsertDocument(doc('a.md', 'h1', 'Alpha bravo.', 'Charlie delta.'));
    await store.upsertDocument(doc('b.md', 'h2', 'Echo foxtrot.'));
    expect(await chunkCount()).toBe(3);
    await store.upsertDocument(doc('a.md', 'h3', 'Golf hotel.'));
    expect(await chunkCount()).toBe(2);
    expect(await store.search('charlie', 5)).toEqual([]);
    expect(await store.search('golf', 5)).toMatchObject([
      { source: 'a.md', title: 'a.md title', snippet: 'Golf hotel.' },
    ]);
    await store.upsertDocument(doc('a.md', 'h4'));
    expect((await store.listDocuments()).get('a.md')).toBe('h4');
    await store.deleteDocument('a.md');
    await store.deleteDocument('missing.md');
    expect(await chunkCount()).toBe(1);
    expect([...(await store.listDocuments())]).toEqual([['b.md', 'h2']]);
  });

  test('an upsert that fails leaves the previous version in place', async () => {
    await store.upsertDocument(doc('a.md', 'h1', 'Alpha bravo.'));
    const duplicate = {
      source: 'a.md',
      hash: 'h2',
      chunks: [
        { source: 'a.md', index: 0, title: '', text: 'Kilo.' },
        { source: 'a.md', index: 0, title: '', text: 'Lima.' },
      ],
    };
    await expect(store.upsertDocument(duplicate)).rejects.toThrow();
    expect((await store.listDocuments()).get('a.md')).toBe('h1');
    expect((await store.search('alpha', 5)).map((hit) => hit.source)).toEqual(['a.md']);
    const foreign = { source: 'a.md', hash: 'h3', chunks: [{ source: 'b.md', index: 0, title: '', text: 'x' }] };
    await expect(store.upsertDocument(foreign)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  test('treats hostile query text as words, never as SQL or tsquery syntax', async () => {
    await syncKnowledge(store, EXAMPLES);
    const hostile = [
      "'); DROP TABLE knowledge_chunks; --",
      'sagemaker & !bedrock | (lambda <-> dynamodb):*',
      '"unclosed phrase',
      '\\',
      "''''",
      '-',
      'or',
      "it's O'Reilly's \\x00 backslash\\",
      '日本語のクエリ',
    ];
    for (const query of hostile) {
      const hits = await store.search(query, 5);
      expect(Array.isArray(hits)).toBe(true);
    }
    expect((await store.search('SageMaker & !bedrock', 5))[0]?.source).toBe('amazon-sagemaker.md');
    expect(await chunkCount()).toBeGreaterThan(0);
  });

  test('honours websearch syntax: phrases and exclusions are not widened to any word', async () => {
    await syncKnowledge(store, EXAMPLES);
    expect((await store.search('"Ground Truth"', 5))[0]?.source).toBe('amazon-sagemaker.md');
    expect(await store.search('"SageMaker xyzzy"', 5)).toEqual([]);
    const lambda = await store.search('Lambda', 20);
    expect(lambda.map((hit) => hit.source)).toContain('amazon-bedrock.md');
    const withoutBedrock = await store.search('Lambda -Bedrock', 20);
    expect(withoutBedrock.length).toBeGreaterThan(0);
    for (const hit of withoutBedrock) expect(hit.source).not.toBe('amazon-bedrock.md');
    expect(withoutBedrock.map((hit) => hit.title)).not.toContain('AWS Lambda > Common use cases');
  });

  test('clamps the limit to 1..20 and orders ties deterministically', async () => {
    await store.upsertDocument(doc('many.md', 'h', ...Array.from({ length: 30 }, (_, n) => `Topic number ${n}.`)));
    expect(await store.search('topic', 0)).toHaveLength(1);
    expect(await store.search('topic', 100)).toHaveLength(20);
    const first = await store.search('topic', 3);
    expect(first.map((hit) => hit.snippet)).toEqual(['Topic number 0.', 'Topic number 1.', 'Topic number 2.']);
  });
});
