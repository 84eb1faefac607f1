import { AgentryError } from '../../errors.ts';
import { clampLimit, makeSnippet } from '../../knowledge/memory-index.ts';
import {
  KNOWLEDGE_SCHEMA_VERSION,
  type KnowledgeDocument,
  type KnowledgeHit,
  type KnowledgeStore,
} from '../knowledge.ts';

/**
 * The slice of the SQL client this store needs (PGlite and `pg` both fit it). It matches
 * `SqlClient` in `sql-client.ts`; it is declared here so this store depends on nothing more.
 */
export interface SqlQueryable {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
}

/**
 * ts_headline options: a 15-35 word extract with no highlight markup. Empty StartSel/StopSel must be
 * quoted: PostgreSQL rejects `StartSel=,` as an invalid parameter list.
 */
const HEADLINE_OPTIONS = `MaxWords=35, MinWords=15, StartSel="", StopSel=""`;

/** websearch_to_tsquery: words are ANDed; "quoted phrases", `or` and `-word` work as on a search engine. */
const WEBSEARCH_QUERY = `websearch_to_tsquery('english', $1)`;

/**
 * Any of the query's words: the query's own english lexemes, each quoted as a tsquery lexeme and
 * joined by `|`, then cast (not parsed again, so nothing is re-stemmed and no character of the user's
 * text can act as an operator). NULL when the query has no lexemes, which matches nothing.
 */
const ANY_WORD_QUERY = `(
  select string_agg('''' || replace(replace(lexeme, chr(92), chr(92) || chr(92)), '''', '''''') || '''', ' | ')::tsquery
  from unnest(tsvector_to_array(to_tsvector('english', $1))) as lexeme
)`;

const searchSql = (tsquery: string) => `
  with q as (select ${tsquery} as q)
  select top.source, top.title, top.body, top.score,
    ts_headline('english', top.body, q.q, '${HEADLINE_OPTIONS}') as headline
  from (
    select c.source, c.chunk_index, c.title, c.body, ts_rank_cd(c.tsv, q.q) as score
    from knowledge_chunks c cross join q
    where numnode(q.q) > 0 and c.tsv @@ q.q
    order by score desc, c.source, c.chunk_index
    limit $2
  ) as top cross join q
  order by top.score desc, top.source, top.chunk_index`;

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
  readonly #db: SqlQueryable;

  constructor(db: SqlQueryable) {
    this.#db = db;
  }

  /** Documents indexed under another schema version are listed with an empty hash, so they re-index. */
  async listDocuments(): Promise<Map<string, string>> {
    const { rows } = await this.#db.query<{ source: string; hash: string; schema_version: number }>(
      'select source, hash, schema_version from knowledge_documents',
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
        `insert into knowledge_documents (source, hash, schema_version) values ($1, $2, $3)
         on conflict (source) do update
           set hash = excluded.hash, schema_version = excluded.schema_version, indexed_at = now()`,
        [document.source, document.hash, KNOWLEDGE_SCHEMA_VERSION],
      );
      await tx.query('delete from knowledge_chunks where source = $1', [document.source]);
      if (document.chunks.length === 0) return;
      await tx.query(
        `insert into knowledge_chunks (source, chunk_index, title, body)
         select $1, chunk.chunk_index, chunk.title, chunk.body
         from unnest($2::int[], $3::text[], $4::text[]) as chunk (chunk_index, title, body)`,
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
    await this.#db.query('delete from knowledge_documents where source = $1', [source]);
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

/** ts_headline gives an extract without ellipses: collapse whitespace and add `…` where the body goes on. */
function markCuts(headline: string, body: string): string {
  const snippet = headline.replace(/\s+/g, ' ').trim();
  const flatBody = body.replace(/\s+/g, ' ').trim();
  if (snippet === '') return makeSnippet(body, new Set());
  return (flatBody.startsWith(snippet) ? '' : '…') + snippet + (flatBody.endsWith(snippet) ? '' : '…');
}
