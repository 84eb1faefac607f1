-- API keys: only the SHA-256 of each key's secret is stored, never the key. Ids are random and
-- globally unique; a key is never deleted, only revoked (revoked_at), so its id is never reused.

CREATE TABLE api_keys (
  id text COLLATE "C" PRIMARY KEY,
  tenant_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  name text NOT NULL,
  -- JSON array of scope names.
  scopes text NOT NULL,
  on_behalf boolean NOT NULL,
  plan text NOT NULL,
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  schema_version integer NOT NULL
);

-- listKeys of one tenant, oldest first.
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at, id);
