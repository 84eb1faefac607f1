import { AgentryError } from '../../errors.ts';
import { clampLimit, flattenForSnippet, makeSnippet } from '../../knowledge/memory-index.ts';
import {
  KNOWLEDGE_SCHEMA_VERSION,
  type KnowledgeDocument,
  type KnowledgeHit,
  type KnowledgeStore,
} from '../knowledge.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * ts_headline options: a 15-35 word extract with no highlight markup. Empty StartSel/StopSel must be
 * quoted: PostgreSQL rejects `StartSel=,` as an invalid parameter list.
 */
const HEADLINE_OPTIONS = `MaxWords=35, MinWords=15, StartSel="", StopSel=""`;

/** websearch_to_tsquery: words are ANDed; "quoted phrases", `or` and `-word` work as on a search engine. */
const WEBSEARCH_QUERY = `websearch_to_tsquery('english', $1::text)`;

/**
 * Any of the query's words: the query's own english lexemes, each quoted as a tsquery lexeme and
 * joined by `|`, then cast (not parsed again, so nothing is re-stemmed and no character of the user's
 * text can act as an operator). NULL when the query has no lexemes, which matches nothing.
 */
const ANY_WORD_QUERY = `(
  SELECT string_agg('''' || replace(replace(lexeme, chr(92), chr(92) || chr(92)), '''', '''''') || '''', ' | ')::tsquery
  FROM unnest(tsvector_to_array(to_tsvector('english', $1::text))) AS lexeme
)`;

/**
 * Ranks on the GIN index first and builds headlines (the costly part) only for the rows returned.
 * An empty query (only stopwords or punctuation) has no nodes and matches nothing.
 */
const searchSql = (tsquery: string) => `
  WITH q AS (SELECT ${tsquery} AS q)
  SELECT top.source, top.title, top.body, top.score,
    ts_headline('english', top.body, q.q, '${HEADLINE_OPTIONS}') AS headline
  FROM (
    SELECT c.source, c.chunk_index, c.title, c.body, ts_rank_cd(c.tsv, q.q) AS score
    FROM knowledge_chunks c CROSS JOIN q
    WHERE numnode(q.q) > 0 AND c.tsv @@ q.q
    ORDER BY score DESC, c.source, c.chunk_index
    LIMIT $2
  ) AS top CROSS JOIN q
  ORDER BY top.score DESC, top.source, top.chunk_index`;

const SEARCH_ALL_WORDS = searchSql(WEBSEARCH_QUERY);
const SEARCH_ANY_WORD = searchSql(ANY_WORD_QUERY);

interface SearchRow {
  source: string;
  title: string;
  body: string;
  score: number;
  headline: string;
}

/**
 * Knowledge in PostgreSQL (server or PGlite), tables from migration 003_knowledge.sql. Ranking is
 * ts_rank_cd over title (weight A) and body (weight B). Every value travels as a parameter.
 */
export class SqlKnowledgeStore implements KnowledgeStore {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    this.#db = db;
  }

  /**
   * Documents indexed under another schema version are listed with an empty hash, so the next sync
   * re-indexes them. Unlike other tables, a newer version is not an error: knowledge is derived
   * from the files and can always be rewritten.
   */
  async listDocuments(): Promise<Map<string, string>> {
    const { rows } = await this.#db.query<{ source: string; hash: string; schema_version: number }>(
      'SELECT source, hash, schema_version FROM knowledge_documents',
    );
    return new Map(rows.map((row) => [row.source, row.schema_version === KNOWLEDGE_SCHEMA_VERSION ? row.hash : '']));
  }

  /**
   * One transaction: the upsert locks the document row, so concurrent syncs of the same document
   * (two replicas starting together) apply one after the other, never interleaving their chunks.
   */
  async upsertDocument(document: KnowledgeDocument): Promise<void> {
    const mismatch = document.chunks.find((chunk) => chunk.source !== document.source);
    if (mismatch) {
      throw new AgentryError('INPUT_INVALID', `Chunk of "${mismatch.source}" given for document "${document.source}".`);
    }
    await this.#db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO knowledge_documents (source, hash, schema_version) VALUES ($1, $2, $3)
         ON CONFLICT (source) DO UPDATE
           SET hash = excluded.hash, schema_version = excluded.schema_version, indexed_at = now()`,
        [document.source, document.hash, KNOWLEDGE_SCHEMA_VERSION],
      );
      await tx.query('DELETE FROM knowledge_chunks WHERE source = $1', [document.source]);
      if (document.chunks.length === 0) return;
      await tx.query(
        `INSERT INTO knowledge_chunks (source, chunk_index, title, body)
         SELECT $1, chunk.chunk_index, chunk.title, chunk.body
         FROM unnest($2::integer[], $3::text[], $4::text[]) AS chunk (chunk_index, title, body)`,
        [
          document.source,
          document.chunks.map((chunk) => chunk.index),
          document.chunks.map((chunk) => chunk.title),
          document.chunks.map((chunk) => chunk.text),
        ],
      );
    });
  }

  async deleteDocument(source: string): Promise<void> {
    await this.#db.query('DELETE FROM knowledge_documents WHERE source = $1', [source]);
  }

  /**
   * All words first (websearch syntax). When that finds nothing and the query uses no phrase or
   * exclusion syntax, any word: "Tell me about Amazon SageMaker" must not need the word "tell".
   */
  async search(query: string, limit: number): Promise<KnowledgeHit[]> {
    const params = [query, clampLimit(limit)];
    let { rows } = await this.#db.query<SearchRow>(SEARCH_ALL_WORDS, params);
    if (rows.length === 0 && !usesSearchSyntax(query)) {
      ({ rows } = await this.#db.query<SearchRow>(SEARCH_ANY_WORD, params));
    }
    return rows.map((row) => ({
      source: row.source,
      title: row.title,
      snippet: markCuts(row.headline, row.body),
      score: Number(row.score),
    }));
  }
}

/** Quoted phrases and `-word` exclusions are deliberate; widening them to "any word" would ignore them. */
function usesSearchSyntax(query: string): boolean {
  return /"|(^|\s)-\S/.test(query);
}

/** ts_headline gives an extract without ellipses: flatten it as the memory index does, `…` where the body goes on. */
function markCuts(headline: string, body: string): string {
  const snippet = flattenForSnippet(headline);
  const flatBody = flattenForSnippet(body);
  if (snippet === '') return makeSnippet(body, new Set());
  return (flatBody.startsWith(snippet) ? '' : '…') + snippet + (flatBody.endsWith(snippet) ? '' : '…');
}
