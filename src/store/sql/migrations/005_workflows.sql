-- Workflow executions, their histories and task tokens. An execution row is updated on every history
-- append (last_event_id, updated_at, which no index covers): the spare page space (fillfactor) lets those
-- updates stay HOT. Data (input, results, events) is JSON kept as text: jsonb rejects the \u0000 escape and
-- would reorder keys.

CREATE TABLE workflow_executions (
  id text COLLATE "C" PRIMARY KEY,
  tenant_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  workflow text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  definition text NOT NULL,
  -- JSON; NULL for an undefined input.
  input text,
  status text NOT NULL,
  started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  stopped_at timestamptz,
  -- JSON object {output?, error?, cause?}, set by the finishing append.
  result text,
  -- Id of the newest history event: appends are conditional on it.
  last_event_id integer NOT NULL DEFAULT 0,
  lease_owner text,
  -- Milliseconds since the epoch, as the WorkflowStore interface counts them.
  lease_expires_at bigint,
  schema_version integer NOT NULL
) WITH (fillfactor = 90);

-- createExecution: one execution per tenant, user, workflow and name.
CREATE UNIQUE INDEX workflow_executions_by_name ON workflow_executions (tenant_id, user_id, workflow, name);

-- listExecutions: newest first within a scope (optionally one workflow), keyset-paged on (started_at, id).
CREATE INDEX workflow_executions_by_scope ON workflow_executions (tenant_id, user_id, started_at DESC, id DESC);
CREATE INDEX workflow_executions_by_workflow
  ON workflow_executions (tenant_id, user_id, workflow, started_at DESC, id DESC);

-- listAbandonedExecutions: only running executions, by lease expiry (no lease counts as expired at 0).
CREATE INDEX workflow_executions_abandoned
  ON workflow_executions ((coalesce(lease_expires_at, 0)), id) WHERE status = 'RUNNING';

-- No foreign key to workflow_executions: events are inserted only by the statement that has just locked and
-- updated their execution's row (sql-workflows.ts), and a per-row key check would slow every append.
CREATE TABLE workflow_events (
  execution_id text COLLATE "C" NOT NULL,
  id integer NOT NULL,
  body text NOT NULL,
  schema_version integer NOT NULL,
  PRIMARY KEY (execution_id, id)
);

CREATE TABLE workflow_task_tokens (
  token text COLLATE "C" PRIMARY KEY,
  execution_id text COLLATE "C" NOT NULL,
  tenant_id text COLLATE "C" NOT NULL,
  state_name text NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  -- JSON object {output?, error?, cause?}, set on completion.
  result text,
  schema_version integer NOT NULL
);
