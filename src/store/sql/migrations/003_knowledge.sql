-- Knowledge base: the project's knowledge/ documents, chunked, searched with PostgreSQL full-text
-- search. Derived data: it can be dropped and rebuilt from the files at any time.

create table if not exists knowledge_documents (
  source text primary key,
  hash text not null,
  schema_version int not null,
  indexed_at timestamptz not null default now()
);

create table if not exists knowledge_chunks (
  source text not null references knowledge_documents (source) on delete cascade,
  chunk_index int not null,
  title text not null default '',
  body text not null,
  -- Title lexemes weigh A, body lexemes B, so ts_rank_cd favours chunks whose heading matches.
  tsv tsvector generated always as (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', body), 'B')
  ) stored,
  primary key (source, chunk_index)
);

create index if not exists knowledge_chunks_tsv_idx on knowledge_chunks using gin (tsv);
