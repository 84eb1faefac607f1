import { createSearchKnowledgeTool } from '../../knowledge/search-knowledge-tool.ts';
import type { KnowledgeStore } from '../../store/knowledge.ts';
import type { AnyTool } from '../define-tool.ts';
import { calculatorTool } from './calculator/calculator-tool.ts';
import { createClockTool } from './clock.ts';

export interface BuiltinToolOptions {
  /** Where `search_knowledge` searches; without it the tool answers that search is unavailable. */
  knowledge?: KnowledgeStore;
}

const UNAVAILABLE: KnowledgeStore = {
  listDocuments: async () => new Map(),
  upsertDocument: async () => {},
  deleteDocument: async () => {},
  search: async () => {
    throw new Error('Knowledge search is not available in this process (no store is open).');
  },
};

/** The built-in tools by name; agents list the ones they use. A fresh set per call. */
export function builtinTools(options: BuiltinToolOptions = {}): Map<string, AnyTool> {
  const tools: AnyTool[] = [
    createClockTool(),
    calculatorTool,
    createSearchKnowledgeTool(options.knowledge ?? UNAVAILABLE),
  ];
  return new Map(tools.map((tool) => [tool.name, tool]));
}
