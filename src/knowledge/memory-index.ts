import { AgentryError } from '../errors.ts';
import type { KnowledgeChunk, KnowledgeDocument, KnowledgeHit, KnowledgeStore } from '../store/knowledge.ts';

/** BM25 parameters (the usual defaults) and how much a title occurrence counts against a body one. */
const K1 = 1.2;
const B = 0.75;
const TITLE_WEIGHT = 2;
export const MAX_SEARCH_LIMIT = 20;
const SNIPPET_CHARS = 200;

/** A small English stopword list: words that carry no topic, dropped from documents and queries alike. */
const STOPWORDS = new Set(
  (
    'a about an and any are as at be been being but by can could did do does for from had has have how i if in ' +
    'into is it its me my no nor not of on or our ours she he so such than that the their them then there these ' +
    'they this those to too us was we were what when where which while who whom why will with would you your'
  ).split(' '),
);

export interface Token {
  term: string;
  /** Offsets of the original word in the tokenized text. */
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}\p{M}\p{N}]+)*/gu;

/**
 * Normalizes text into index terms; documents and queries go through this same function. Words are
 * runs of Unicode letters, marks and digits (apostrophes inside a word are dropped: "SageMaker's" →
 * "sagemakers" → "sagemaker"), lowercased, stopwords removed, then lightly stemmed.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase().replace(/['’]/g, '');
    if (STOPWORDS.has(word)) continue;
    tokens.push({ term: stem(word), start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/** Light plural stemming: "policies" → "policy", "indexes" → "index", "features" → "feature", "GPUs" → "gpu". */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return word.slice(0, -3) + 'y';
  if (word.endsWith('sses') || word.endsWith('xes')) return word.slice(0, -2);
  // "status" and "analysis" keep their s; short acronym plurals ("gpus", "apis") lose it.
  if (word.endsWith('s') && !word.endsWith('ss') && !(word.length > 4 && /(us|is)$/.test(word))) {
    return word.slice(0, -1);
  }
  return word;
}

interface IndexedChunk {
  chunk: KnowledgeChunk;
  /** Title-weighted term frequencies: a title occurrence counts TITLE_WEIGHT times. */
  frequencies: Map<string, number>;
  length: number;
}

/**
 * In-process knowledge search with BM25 ranking (title terms weighted higher), for the memory and
 * DynamoDB backends: it is rebuilt from knowledge/ at start. Every method runs synchronously
 * inside its promise, so an upsert is atomic with respect to searches.
 */
export class MemoryKnowledgeIndex implements KnowledgeStore {
  readonly #documents = new Map<string, { hash: string; chunks: IndexedChunk[] }>();
  /** term → the chunks that contain it. */
  readonly #postings = new Map<string, Set<IndexedChunk>>();
  #chunkCount = 0;
  #totalLength = 0;

  async listDocuments(): Promise<Map<string, string>> {
    return new Map([...this.#documents].map(([source, entry]) => [source, entry.hash]));
  }

  async upsertDocument(document: KnowledgeDocument): Promise<void> {
    const mismatch = document.chunks.find((chunk) => chunk.source !== document.source);
    if (mismatch) {
      throw new AgentryError('INPUT_INVALID', `Chunk of "${mismatch.source}" given for document "${document.source}".`);
    }
    this.#remove(document.source);
    // Copies, so a caller mutating its chunks later cannot change what is indexed.
    const chunks = document.chunks.map((chunk) => indexChunk({ ...chunk }));
    for (const entry of chunks) {
      for (const term of entry.frequencies.keys()) {
        const posting = this.#postings.get(term);
        if (posting) posting.add(entry);
        else this.#postings.set(term, new Set([entry]));
      }
      this.#chunkCount += 1;
      this.#totalLength += entry.length;
    }
    this.#documents.set(document.source, { hash: document.hash, chunks });
  }

  async deleteDocument(source: string): Promise<void> {
    this.#remove(source);
  }

  /** Best chunks first (ties by source, then position). An empty or all-stopword query gives []. */
  async search(query: string, limit: number): Promise<KnowledgeHit[]> {
    const terms = [...new Set(tokenize(query).map((token) => token.term))];
    if (terms.length === 0 || this.#chunkCount === 0) return [];
    const averageLength = this.#totalLength / this.#chunkCount || 1;
    const scores = new Map<IndexedChunk, number>();
    for (const term of terms) {
      const posting = this.#postings.get(term);
      if (!posting) continue;
      const idf = Math.log(1 + (this.#chunkCount - posting.size + 0.5) / (posting.size + 0.5));
      for (const entry of posting) {
        const frequency = entry.frequencies.get(term) ?? 0;
        const norm = frequency + K1 * (1 - B + (B * entry.length) / averageLength);
        scores.set(entry, (scores.get(entry) ?? 0) + (idf * frequency * (K1 + 1)) / norm);
      }
    }
    const ranked = [...scores]
      .sort(
        ([left, leftScore], [right, rightScore]) =>
          rightScore - leftScore ||
          compareStrings(left.chunk.source, right.chunk.source) ||
          left.chunk.index - right.chunk.index,
      )
      .slice(0, clampLimit(limit));
    return ranked.map(([entry, score]) => ({
      source: entry.chunk.source,
      title: entry.chunk.title,
      snippet: makeSnippet(entry.chunk.text, new Set(terms)),
      score,
    }));
  }

  #remove(source: string): void {
    const existing = this.#documents.get(source);
    if (!existing) return;
    for (const entry of existing.chunks) {
      for (const term of entry.frequencies.keys()) {
        const posting = this.#postings.get(term);
        posting?.delete(entry);
        if (posting?.size === 0) this.#postings.delete(term);
      }
      this.#chunkCount -= 1;
      this.#totalLength -= entry.length;
    }
    this.#documents.delete(source);
  }
}

/** Limits outside 1..20 are clamped; a non-number limit counts as 1. */
export function clampLimit(limit: number): number {
  if (!Number.isFinite(limit)) return 1;
  return Math.min(MAX_SEARCH_LIMIT, Math.max(1, Math.floor(limit)));
}

function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function indexChunk(chunk: KnowledgeChunk): IndexedChunk {
  const frequencies = new Map<string, number>();
  const titleTokens = tokenize(chunk.title);
  const bodyTokens = tokenize(chunk.text);
  for (const token of titleTokens) frequencies.set(token.term, (frequencies.get(token.term) ?? 0) + TITLE_WEIGHT);
  for (const token of bodyTokens) frequencies.set(token.term, (frequencies.get(token.term) ?? 0) + 1);
  return { chunk, frequencies, length: bodyTokens.length + TITLE_WEIGHT * titleTokens.length };
}

/**
 * About SNIPPET_CHARS of the chunk around the densest cluster of query terms (most distinct terms,
 * then most occurrences, then earliest), cut at word boundaries, with `…` where text was left out.
 * A chunk that matched on its title only gives its opening.
 */
export function makeSnippet(text: string, terms: ReadonlySet<string>, size = SNIPPET_CHARS): string {
  const flat = flattenForSnippet(text);
  if (flat.length <= size) return flat;
  const matches = tokenize(flat).filter((token) => terms.has(token.term));
  let windowStart = 0;
  let best = { distinct: 0, count: 0 };
  for (let first = 0; first < matches.length; first++) {
    const start = matches[first]!.start;
    const inWindow = matches.slice(first).filter((token) => token.end <= start + size);
    const distinct = new Set(inWindow.map((token) => token.term)).size;
    if (distinct > best.distinct || (distinct === best.distinct && inWindow.length > best.count)) {
      best = { distinct, count: inWindow.length };
      // A little lead-in before the first match reads better than starting on it.
      windowStart = Math.max(0, start - Math.floor(size / 8));
    }
  }
  let start = Math.min(windowStart, flat.length - size);
  let end = start + size;
  if (start > 0) {
    const space = flat.indexOf(' ', start - 1);
    start = space === -1 || space >= end ? start : space + 1;
  }
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    end = space <= start ? end : space;
  }
  return (start > 0 ? '…' : '') + flat.slice(start, end).trim() + (end < flat.length ? '…' : '');
}

/** Snippet text: whitespace collapsed and Markdown bold markers (`**`) removed; other text as is. */
export function flattenForSnippet(text: string): string {
  return text.replaceAll('**', '').replace(/\s+/g, ' ').trim();
}
