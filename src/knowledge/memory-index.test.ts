import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { AgentryError } from '../errors.ts';
import type { KnowledgeDocument } from '../store/knowledge.ts';
import { clampLimit, MemoryKnowledgeIndex, makeSnippet, stem, tokenize } from './memory-index.ts';
import { syncKnowledge } from './sync-knowledge.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/knowledge', import.meta.url));

const doc = (source: string, chunks: { title?: string; text: string }[], hash = 'h'): KnowledgeDocument => ({
  source,
  hash,
  chunks: chunks.map((chunk, index) => ({ source, index, title: chunk.title ?? '', text: chunk.text })),
});

describe('tokenize', () => {
  it('lowercases, keeps unicode letters and digits, drops stopwords and light-stems plurals', () => {
    expect(tokenize('What are the SageMaker Endpoints?').map((token) => token.term)).toEqual(['sagemaker', 'endpoint']);
    expect(
      tokenize("SageMaker's policies, indexes & classes: Ünïcode naïve café S3 GPUs 2024").map((t) => t.term),
    ).toEqual(['sagemaker', 'policy', 'index', 'class', 'ünïcode', 'naïve', 'café', 's3', 'gpu', '2024']);
    expect(tokenize('the of and is a')).toEqual([]);
    expect(tokenize('  Amazon')).toEqual([{ term: 'amazon', start: 2, end: 8 }]);
  });

  it('stems only what is safe to strip', () => {
    expect(['status', 'analysis', 'access', 'aws', 'features', 'queries', 'boxes', 'gpus', 'apis'].map(stem)).toEqual([
      'status',
      'analysis',
      'access',
      'aws',
      'feature',
      'query',
      'box',
      'gpu',
      'api',
    ]);
  });
});

describe('MemoryKnowledgeIndex', () => {
  it('ranks with BM25 over the same normalization for documents and queries', async () => {
    const index = new MemoryKnowledgeIndex();
    await index.upsertDocument(doc('a.md', [{ text: 'Endpoints serve predictions. Endpoints scale automatically.' }]));
    await index.upsertDocument(
      doc('b.md', [{ text: 'An endpoint is mentioned once among many other unrelated words here.' }]),
    );
    await index.upsertDocument(doc('c.md', [{ text: 'Nothing relevant at all.' }]));
    const hits = await index.search('ENDPOINT', 10);
    expect(hits.map((hit) => hit.source)).toEqual(['a.md', 'b.md']);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });

  it('counts title terms more than body terms', async () => {
    const index = new MemoryKnowledgeIndex();
    await index.upsertDocument(doc('body.md', [{ title: 'Other', text: 'Lambda runs code.' }]));
    await index.upsertDocument(doc('title.md', [{ title: 'Lambda', text: 'Runs code.' }]));
    expect((await index.search('lambda', 5)).map((hit) => hit.source)).toEqual(['title.md', 'body.md']);
    expect((await index.search('lambda', 5))[0]).toMatchObject({ title: 'Lambda', snippet: 'Runs code.' });
  });

  it('returns [] for empty, stopword-only and unknown queries, and clamps the limit to 1..20', async () => {
    const index = new MemoryKnowledgeIndex();
    expect(await index.search('anything', 5)).toEqual([]);
    await index.upsertDocument(
      doc(
        'many.md',
        Array.from({ length: 30 }, (_, n) => ({ text: `Topic number ${n}.` })),
      ),
    );
    expect(await index.search('', 5)).toEqual([]);
    expect(await index.search('   ?!', 5)).toEqual([]);
    expect(await index.search('what is the', 5)).toEqual([]);
    expect(await index.search('xyzzy', 5)).toEqual([]);
    expect(await index.search('topic', 0)).toHaveLength(1);
    expect(await index.search('topic', 100)).toHaveLength(20);
    expect(await index.search('topic', Number.NaN)).toHaveLength(1);
    expect([clampLimit(-3), clampLimit(2.7), clampLimit(Number.POSITIVE_INFINITY)]).toEqual([1, 2, 1]);
    // Ties are broken by source, then by chunk position.
    expect((await index.search('topic', 3)).map((hit) => hit.snippet)).toEqual([
      'Topic number 0.',
      'Topic number 1.',
      'Topic number 2.',
    ]);
  });

  it('replaces a document on upsert, deletes it, and lists source hashes', async () => {
    const index = new MemoryKnowledgeIndex();
    await index.upsertDocument(doc('a.md', [{ text: 'Alpha bravo.' }], 'h1'));
    await index.upsertDocument(doc('b.md', [{ text: 'Charlie.' }], 'h2'));
    await index.upsertDocument(doc('a.md', [{ text: 'Delta echo.' }], 'h3'));
    expect(await index.listDocuments()).toEqual(
      new Map([
        ['a.md', 'h3'],
        ['b.md', 'h2'],
      ]),
    );
    expect(await index.search('alpha', 5)).toEqual([]);
    expect((await index.search('delta', 5)).map((hit) => hit.source)).toEqual(['a.md']);
    await index.deleteDocument('a.md');
    await index.deleteDocument('missing.md');
    expect(await index.search('delta', 5)).toEqual([]);
    expect([...(await index.listDocuments()).keys()]).toEqual(['b.md']);
  });

  it('rejects chunks that belong to another source', async () => {
    const index = new MemoryKnowledgeIndex();
    const bad = { source: 'a.md', hash: 'h', chunks: [{ source: 'b.md', index: 0, title: '', text: 'x' }] };
    await expect(index.upsertDocument(bad)).rejects.toThrow(AgentryError);
    await expect(index.upsertDocument(bad)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  describe('on the example knowledge folder', () => {
    const index = new MemoryKnowledgeIndex();
    beforeAll(async () => {
      const result = await syncKnowledge(index, EXAMPLES);
      expect(result.indexed).toContain('amazon-sagemaker.md');
    });

    it('answers "Tell me about Amazon SageMaker" with the SageMaker document first', async () => {
      const hits = await index.search('Tell me about Amazon SageMaker', 5);
      expect(hits[0]?.source).toBe('amazon-sagemaker.md');
      expect(hits[0]?.snippet).toMatch(/SageMaker/);
      expect(hits[0]?.title).toMatch(/^Amazon SageMaker/);
    });

    it('finds DynamoDB for "What is DynamoDB?" and nothing for nonsense', async () => {
      expect((await index.search('What is DynamoDB?', 5))[0]?.source).toBe('amazon-dynamodb.md');
      expect(await index.search('xyzzy plugh frobnicate', 5)).toEqual([]);
    });

    it('finds specific sections', async () => {
      expect((await index.search('Lambda cold starts', 3))[0]).toMatchObject({
        source: 'aws-lambda.md',
        title: 'AWS Lambda > Execution environment and cold starts',
      });
      expect((await index.search('overfitting regularization', 3))[0]?.source).toBe('machine-learning-basics.md');
      expect((await index.search('Bedrock guardrails PII', 3))[0]?.title).toBe('Amazon Bedrock > Guardrails');
    });
  });
});

describe('makeSnippet', () => {
  const filler = (word: string, count: number) => Array.from({ length: count }, () => word).join(' ');

  it('returns short text whole, flattened', () => {
    expect(makeSnippet('Short\n\ntext  with **bold**.', new Set(['text']))).toBe('Short text with bold.');
  });

  it('centres on the densest cluster of terms, cuts at word boundaries and marks cuts with …', () => {
    const text = `${filler('alpha', 60)} endpoint ${filler('beta', 5)} pricing ${filler('gamma', 60)}`;
    const snippet = makeSnippet(text, new Set(['endpoint', 'pricing']));
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('endpoint beta beta beta beta beta pricing');
    expect(snippet.length).toBeLessThanOrEqual(202);
    expect(snippet.length).toBeGreaterThan(150);
    for (const word of snippet.replace(/…/g, '').split(' ')) {
      expect(['alpha', 'beta', 'gamma', 'endpoint', 'pricing']).toContain(word);
    }
  });

  it('prefers more distinct terms over repeats of one, and opens the text when nothing matches', () => {
    const text = `${filler('endpoint', 10)} ${filler('filler', 50)} endpoint pricing ${filler('filler', 50)}`;
    expect(makeSnippet(text, new Set(['endpoint', 'pricing']))).toContain('endpoint pricing');
    const opening = makeSnippet(text, new Set(['absent']));
    expect(opening.startsWith('endpoint endpoint')).toBe(true);
    expect(opening.endsWith('…')).toBe(true);
  });
});
