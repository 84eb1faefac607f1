import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeHit, KnowledgeStore } from '../store/knowledge.ts';
import { MemoryKnowledgeIndex } from './memory-index.ts';
import { createSearchKnowledgeTool, type SearchKnowledgeResult } from './search-knowledge-tool.ts';
import { syncKnowledge } from './sync-knowledge.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/knowledge', import.meta.url));
const context = { signal: new AbortController().signal, toolCallId: 't' };

describe('search_knowledge', () => {
  const index = new MemoryKnowledgeIndex();
  const tool = createSearchKnowledgeTool(index);
  beforeAll(async () => {
    await syncKnowledge(index, EXAMPLES);
  });

  it('is an idempotent, low-risk tool with a bounded input schema', () => {
    expect(tool.name).toBe('search_knowledge');
    expect(tool.idempotent).toBe(true);
    expect(tool.risk).toBe('low');
    expect(tool.inputJsonSchema).toMatchObject({
      type: 'object',
      properties: {
        query: { type: 'string', minLength: 1, maxLength: 500 },
        limit: { type: 'integer', minimum: 1, maximum: 10, default: 5 },
      },
      required: ['query'],
    });
  });

  it('validates input: non-blank query up to 500 characters, limit 1..10 defaulting to 5', () => {
    expect(tool.input.safeParse({ query: '   ' }).success).toBe(false);
    expect(tool.input.safeParse({ query: 'x'.repeat(501) }).success).toBe(false);
    expect(tool.input.safeParse({ query: 'q', limit: 11 }).success).toBe(false);
    expect(tool.input.safeParse({ query: 'q', limit: 1.5 }).success).toBe(false);
    expect(tool.input.parse({ query: '  SageMaker  ' })).toEqual({ query: 'SageMaker', limit: 5 });
  });

  it('returns the top passages with source, title, snippet and score', async () => {
    const input = tool.input.parse({ query: 'Tell me about Amazon SageMaker', limit: 3 });
    const output = (await tool.run(input, context)) as SearchKnowledgeResult;
    expect(output.query).toBe('Tell me about Amazon SageMaker');
    expect(output.results).toHaveLength(3);
    expect(output.message).toBeUndefined();
    expect(output.results[0]).toMatchObject({ source: 'amazon-sagemaker.md', title: 'Amazon SageMaker' });
    expect(output.results[0]?.snippet).toMatch(/SageMaker/);
    for (const result of output.results)
      expect(Object.keys(result).sort()).toEqual(['score', 'snippet', 'source', 'title']);
  });

  it('says clearly when nothing matches', async () => {
    expect(await tool.run(tool.input.parse({ query: 'xyzzy plugh' }), context)).toEqual({
      query: 'xyzzy plugh',
      results: [],
      message: expect.stringMatching(/No knowledge documents matched/),
    });
  });

  it('passes the limit to the store, rounds scores and honours cancellation', async () => {
    const calls: [string, number][] = [];
    const hit: KnowledgeHit = { source: 's.md', title: 'T', snippet: 'x', score: 0.123456789 };
    const store: KnowledgeStore = {
      listDocuments: async () => new Map(),
      upsertDocument: async () => {},
      deleteDocument: async () => {},
      search: async (query, limit) => {
        calls.push([query, limit]);
        return [hit];
      },
    };
    const fake = createSearchKnowledgeTool(store);
    expect(((await fake.run({ query: 'q', limit: 7 }, context)) as SearchKnowledgeResult).results).toEqual([
      { ...hit, score: 0.1235 },
    ]);
    expect(calls).toEqual([['q', 7]]);
    const controller = new AbortController();
    controller.abort();
    await expect(fake.run({ query: 'q', limit: 5 }, { signal: controller.signal, toolCallId: 't' })).rejects.toThrow();
    expect(calls).toHaveLength(1);
  });
});
