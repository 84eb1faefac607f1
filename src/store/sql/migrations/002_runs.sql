-- Runs and their journals. A run row is updated on every journal append (journal_seq, which no
-- index covers): the spare page space (fillfactor) lets those updates stay HOT.

CREATE TABLE runs (
  id text COLLATE "C" PRIMARY KEY,
  tenant_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  agent text NOT NULL,
  conversation_id text COLLATE "C" NOT NULL,
  query text NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  lease_owner text,
  -- Milliseconds since the epoch, as the RunStore interface counts them.
  lease_expires_at bigint,
  -- Seq of the newest journal entry: appends are conditional on it.
  journal_seq integer NOT NULL DEFAULT 0,
  text text,
  usage text,
  error text,
  schema_version integer NOT NULL
) WITH (fillfactor = 90);

-- listRuns: newest first within a scope, optionally within one conversation, keyset-paged.
CREATE INDEX runs_by_scope ON runs (tenant_id, user_id, created_at DESC, id DESC);
CREATE INDEX runs_by_conversation ON runs (tenant_id, user_id, conversation_id, created_at DESC, id DESC);

-- listAbandonedRuns: only running runs, by lease expiry (no lease counts as expired at 0).
CREATE INDEX runs_abandoned ON runs ((coalesce(lease_expires_at, 0))) WHERE status = 'running';

CREATE TABLE run_journal (
  run_id text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL,
  schema_version integer NOT NULL,
  PRIMARY KEY (run_id, seq)
);
