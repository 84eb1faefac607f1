-- The knowledge base: the project's knowledge/ documents, chunked, searched with PostgreSQL
-- full-text search. Derived data: it can be dropped and rebuilt from the files at any time.
-- Sources compare byte-wise (COLLATE "C"): search results tie-break on them, and that order must
-- not depend on the server's locale.

CREATE TABLE knowledge_documents (
  source text COLLATE "C" PRIMARY KEY,
  hash text NOT NULL,
  schema_version integer NOT NULL,
  indexed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE knowledge_chunks (
  source text COLLATE "C" NOT NULL REFERENCES knowledge_documents (source) ON DELETE CASCADE,
  chunk_index integer NOT NULL,
  title text NOT NULL DEFAULT '',
  body text NOT NULL,
  -- Title lexemes weigh A and body lexemes B, so ts_rank_cd favours chunks whose heading matches.
  -- The two-argument to_tsvector with a constant configuration is immutable, as a stored
  -- generated column requires.
  tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', body), 'B')
  ) STORED,
  PRIMARY KEY (source, chunk_index)
);

CREATE INDEX knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv);
