import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KnowledgeDocument, KnowledgeStore } from '../store/knowledge.ts';
import { hashContent } from './chunk-document.ts';
import { MemoryKnowledgeIndex } from './memory-index.ts';
import { MAX_KNOWLEDGE_FILE_BYTES, syncKnowledge } from './sync-knowledge.ts';

/** Records what the sync asked of the store, over a real index. */
class RecordingStore implements KnowledgeStore {
  readonly inner = new MemoryKnowledgeIndex();
  readonly upserts: KnowledgeDocument[] = [];
  readonly deletes: string[] = [];
  listDocuments() {
    return this.inner.listDocuments();
  }
  upsertDocument(document: KnowledgeDocument) {
    this.upserts.push(document);
    return this.inner.upsertDocument(document);
  }
  deleteDocument(source: string) {
    this.deletes.push(source);
    return this.inner.deleteDocument(source);
  }
  search(query: string, limit: number) {
    return this.inner.search(query, limit);
  }
}

describe('syncKnowledge', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentry-knowledge-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('indexes new files, skips unchanged ones, re-indexes changed ones and removes vanished ones', async () => {
    const store = new RecordingStore();
    await writeFile(join(dir, 'lambda.md'), '# AWS Lambda\n\nServerless functions.');
    await writeFile(join(dir, 'notes.txt'), 'Plain notes about quotas.');
    await mkdir(join(dir, 'guides', 'deep'), { recursive: true });
    await writeFile(join(dir, 'guides', 'deep', 'sagemaker.markdown'), '# SageMaker\n\nTraining jobs.');
    await writeFile(join(dir, 'image.png'), 'not a document');
    await writeFile(join(dir, '.draft.md'), '# Hidden\n\nNot indexed.');
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, '.git', 'HEAD.md'), 'Not indexed either.');

    expect(await syncKnowledge(store, dir)).toEqual({
      indexed: ['guides/deep/sagemaker.markdown', 'lambda.md', 'notes.txt'],
      unchanged: [],
      removed: [],
      skipped: [],
    });
    const lambda = store.upserts.find((document) => document.source === 'lambda.md');
    expect(lambda).toEqual({
      source: 'lambda.md',
      hash: hashContent('# AWS Lambda\n\nServerless functions.'),
      chunks: [{ source: 'lambda.md', index: 0, title: 'AWS Lambda', text: 'Serverless functions.' }],
    });
    expect((await store.search('training jobs', 5))[0]?.source).toBe('guides/deep/sagemaker.markdown');

    store.upserts.length = 0;
    expect(await syncKnowledge(store, dir)).toMatchObject({
      indexed: [],
      unchanged: ['guides/deep/sagemaker.markdown', 'lambda.md', 'notes.txt'],
      removed: [],
    });
    expect(store.upserts).toEqual([]);

    await writeFile(join(dir, 'lambda.md'), '# AWS Lambda\n\nServerless functions with SnapStart.');
    await rm(join(dir, 'notes.txt'));
    await writeFile(join(dir, 'dynamodb.md'), '# DynamoDB\n\nKey-value tables.');
    expect(await syncKnowledge(store, dir)).toEqual({
      indexed: ['dynamodb.md', 'lambda.md'],
      unchanged: ['guides/deep/sagemaker.markdown'],
      removed: ['notes.txt'],
      skipped: [],
    });
    expect(store.deletes).toEqual(['notes.txt']);
    expect((await store.search('SnapStart', 5))[0]?.source).toBe('lambda.md');
    expect(await store.search('quotas', 5)).toEqual([]);
  });

  it('treats a missing folder as empty: everything indexed is removed, nothing throws', async () => {
    const store = new MemoryKnowledgeIndex();
    await writeFile(join(dir, 'a.md'), 'Alpha.');
    await syncKnowledge(store, dir);
    expect(await syncKnowledge(store, join(dir, 'missing'))).toEqual({
      indexed: [],
      unchanged: [],
      removed: ['a.md'],
      skipped: [],
    });
    expect(await syncKnowledge(new MemoryKnowledgeIndex(), join(dir, 'missing'))).toEqual({
      indexed: [],
      unchanged: [],
      removed: [],
      skipped: [],
    });
  });

  it('skips files above 1 MB, binary and invalid UTF-8 files with a reason, and unindexes them', async () => {
    const store = new MemoryKnowledgeIndex();
    await writeFile(join(dir, 'big.md'), 'Small at first.');
    await syncKnowledge(store, dir);
    await writeFile(join(dir, 'big.md'), 'x '.repeat(MAX_KNOWLEDGE_FILE_BYTES / 2 + 1));
    await writeFile(join(dir, 'binary.txt'), Buffer.from([0x41, 0x00, 0x42]));
    await writeFile(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    await writeFile(join(dir, 'ok.md'), 'Fine.');
    const result = await syncKnowledge(store, dir);
    expect(result.indexed).toEqual(['ok.md']);
    expect(result.removed).toEqual(['big.md']);
    expect(result.skipped).toEqual([
      {
        source: 'big.md',
        reason: `larger than ${MAX_KNOWLEDGE_FILE_BYTES} bytes (${MAX_KNOWLEDGE_FILE_BYTES + 2} bytes)`,
      },
      { source: 'binary.txt', reason: 'binary content (NUL bytes)' },
      { source: 'latin1.txt', reason: 'not valid UTF-8' },
    ]);
    expect(await syncKnowledge(store, dir, { maxFileBytes: 3 })).toMatchObject({ removed: ['ok.md'] });
  });

  it('follows symlinks to files but not to folders, and rejects a knowledge path that is a file', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'agentry-knowledge-outside-'));
    try {
      await writeFile(join(outside, 'shared.md'), 'Shared text.');
      await symlink(join(outside, 'shared.md'), join(dir, 'linked.md'));
      await symlink(outside, join(dir, 'folder.md'));
      const store = new MemoryKnowledgeIndex();
      expect(await syncKnowledge(store, dir)).toMatchObject({
        indexed: ['linked.md'],
        skipped: [{ source: 'folder.md', reason: 'not a regular file' }],
      });
      await expect(syncKnowledge(store, join(outside, 'shared.md'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
