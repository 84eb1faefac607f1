import { z } from 'zod';
import type { KnowledgeStore } from '../store/knowledge.ts';
import { defineTool } from '../tools/define-tool.ts';

export interface SearchKnowledgeResult {
  query: string;
  results: { source: string; title: string; snippet: string; score: number }[];
  /** Set when nothing matched, telling the model what to do next. */
  message?: string;
}

/**
 * `search_knowledge`: full-text search over the project's knowledge/ documents. Replaces the
 * reference design's mock `search_database`. Scores are only comparable within one result list
 * (BM25 in memory, ts_rank_cd in SQL).
 */
export function createSearchKnowledgeTool(store: KnowledgeStore) {
  return defineTool({
    name: 'search_knowledge',
    description:
      "Searches the project's knowledge base (its documents) and returns the best-matching passages, each with " +
      'its source file, section title and a snippet. Use specific keywords, e.g. "SageMaker endpoints pricing"; ' +
      'search again with other words if the results do not answer the question.',
    input: z.object({
      query: z.string().trim().min(1).max(500).describe('What to look for: keywords or a short question.'),
      limit: z.number().int().min(1).max(10).default(5).describe('How many passages to return (1-10, default 5).'),
    }),
    idempotent: true,
    async run({ query, limit }, context): Promise<SearchKnowledgeResult> {
      context.signal.throwIfAborted();
      const hits = await store.search(query, limit);
      const results = hits.map((hit) => ({ ...hit, score: Number(hit.score.toPrecision(4)) }));
      if (results.length > 0) return { query, results };
      return {
        query,
        results: [],
        message: 'No knowledge documents matched this query. Try different or fewer keywords, or answer without them.',
      };
    },
  });
}
