-- Conversations, their messages and their rolling summary.
-- Ids compare byte-wise (COLLATE "C"): page cursors order by them, and the order must not depend
-- on the server's locale. Message bodies are JSON kept as text: jsonb rejects the \u0000 escape.

CREATE TABLE conversations (
  tenant_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  title text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_seq integer NOT NULL DEFAULT 0,
  schema_version integer NOT NULL,
  PRIMARY KEY (tenant_id, user_id, id)
);

-- listConversations: newest first within a scope, keyset-paged on (updated_at, id).
CREATE INDEX conversations_by_recency ON conversations (tenant_id, user_id, updated_at DESC, id DESC);

CREATE TABLE messages (
  tenant_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  conversation_id text COLLATE "C" NOT NULL,
  seq integer NOT NULL,
  body text NOT NULL,
  run_id text,
  created_at timestamptz NOT NULL,
  schema_version integer NOT NULL,
  -- Also the window-read index: seq DESC with LIMIT walks it backwards from the newest message.
  PRIMARY KEY (tenant_id, user_id, conversation_id, seq),
  FOREIGN KEY (tenant_id, user_id, conversation_id) REFERENCES conversations (tenant_id, user_id, id) ON DELETE CASCADE
);

CREATE TABLE conversation_summaries (
  tenant_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  conversation_id text COLLATE "C" NOT NULL,
  through_seq integer NOT NULL,
  summary text NOT NULL,
  created_at timestamptz NOT NULL,
  schema_version integer NOT NULL,
  PRIMARY KEY (tenant_id, user_id, conversation_id),
  FOREIGN KEY (tenant_id, user_id, conversation_id) REFERENCES conversations (tenant_id, user_id, id) ON DELETE CASCADE
);
