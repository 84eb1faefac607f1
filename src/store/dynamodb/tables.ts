import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The three tables of the reference design, with its key names, plus the API keys table, as plain
 * CreateTable inputs so the CDK app can build the same tables. All are on-demand (PAY_PER_REQUEST). Production tables also
 * get point-in-time recovery and deletion protection; CreateTable cannot set PITR (it is a separate
 * UpdateContinuousBackups call), so that lives in the infrastructure, not here. Key layout: keys.ts.
 */

export interface TableNames {
  memory: string;
  sessions: string;
  workflows: string;
  apiKeys: string;
}

export const DEFAULT_TABLE_NAMES: Readonly<TableNames> = Object.freeze({
  memory: 'agent-memory',
  sessions: 'agent-sessions',
  workflows: 'agent-workflows',
  apiKeys: 'agent-api-keys',
});

/** Table names as configured: any name left out (or undefined) keeps its default. */
export type TableNamesOption = { [K in keyof TableNames]?: string | undefined };

export function resolveTableNames(names: TableNamesOption = {}): TableNames {
  return {
    memory: names.memory ?? DEFAULT_TABLE_NAMES.memory,
    sessions: names.sessions ?? DEFAULT_TABLE_NAMES.sessions,
    workflows: names.workflows ?? DEFAULT_TABLE_NAMES.workflows,
    apiKeys: names.apiKeys ?? DEFAULT_TABLE_NAMES.apiKeys,
  };
}

export const INDEXES = {
  /** agent-memory: conversation headers by `user_id`, sorted by `updated_key` = `<updatedAt>#<conversation>`. */
  conversationsByUpdated: 'by-updated',
  /** agent-sessions: run items by `scope_key` = `<tenant>#<user>`, sorted by `created_key` = `<createdAt>#<runId>`. */
  runsByScope: 'by-scope',
  /**
   * agent-sessions, sparse: only running runs carry `resumable` = 'running' and `resume_at` (lease
   * expiry, 0 when unleased). All running runs share one index partition; that caps lease renewals
   * at roughly 1,000 writes a second before it needs sharding (`running#<n>`).
   */
  runsByLease: 'by-lease',
  /**
   * agent-workflows, sparse: execution headers by `scope_key` = `<tenant>#<user>`, sorted by `started_key` =
   * `<startedAt>#<execution>`. Projects only `workflow` and `status` (the list filters): appends change other
   * attributes of the header, which then costs no index write. Listings read the records from the table.
   */
  executionsByScope: 'by-scope',
  /**
   * agent-workflows, sparse, keys only: running executions carry `resumable` = 'RUNNING' and `resume_at`
   * (lease expiry, 0 when unleased), like runs in agent-sessions (one index partition, same ceiling).
   */
  executionsByLease: 'by-lease',
} as const;

export function memoryTable(name: string = DEFAULT_TABLE_NAMES.memory): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'user_id', AttributeType: 'S' },
      { AttributeName: 'conversation_id', AttributeType: 'S' },
      { AttributeName: 'updated_key', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'user_id', KeyType: 'HASH' },
      { AttributeName: 'conversation_id', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: INDEXES.conversationsByUpdated,
        KeySchema: [
          { AttributeName: 'user_id', KeyType: 'HASH' },
          { AttributeName: 'updated_key', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

export function sessionsTable(name: string = DEFAULT_TABLE_NAMES.sessions): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'session_id', AttributeType: 'S' },
      { AttributeName: 'timestamp', AttributeType: 'N' },
      { AttributeName: 'scope_key', AttributeType: 'S' },
      { AttributeName: 'created_key', AttributeType: 'S' },
      { AttributeName: 'resumable', AttributeType: 'S' },
      { AttributeName: 'resume_at', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'session_id', KeyType: 'HASH' },
      { AttributeName: 'timestamp', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: INDEXES.runsByScope,
        KeySchema: [
          { AttributeName: 'scope_key', KeyType: 'HASH' },
          { AttributeName: 'created_key', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: INDEXES.runsByLease,
        KeySchema: [
          { AttributeName: 'resumable', KeyType: 'HASH' },
          { AttributeName: 'resume_at', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** Workflow executions, one item per step of their history, plus name and task-token items (workflow-keys.ts). */
export function workflowsTable(name: string = DEFAULT_TABLE_NAMES.workflows): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'workflow_id', AttributeType: 'S' },
      { AttributeName: 'step_number', AttributeType: 'N' },
      { AttributeName: 'scope_key', AttributeType: 'S' },
      { AttributeName: 'started_key', AttributeType: 'S' },
      { AttributeName: 'resumable', AttributeType: 'S' },
      { AttributeName: 'resume_at', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'workflow_id', KeyType: 'HASH' },
      { AttributeName: 'step_number', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: INDEXES.executionsByScope,
        KeySchema: [
          { AttributeName: 'scope_key', KeyType: 'HASH' },
          { AttributeName: 'started_key', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['workflow', 'status'] },
      },
      {
        IndexName: INDEXES.executionsByLease,
        KeySchema: [
          { AttributeName: 'resumable', KeyType: 'HASH' },
          { AttributeName: 'resume_at', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}

/**
 * API keys, one item per key under `key_id`; only the SHA-256 of the secret is stored. Listing
 * (an admin operation on a small table) scans, so no index is needed.
 */
export function apiKeysTable(name: string = DEFAULT_TABLE_NAMES.apiKeys): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'key_id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'key_id', KeyType: 'HASH' }],
  };
}

export function tableDefinitions(names: TableNamesOption = {}): CreateTableCommandInput[] {
  const resolved = resolveTableNames(names);
  return [
    memoryTable(resolved.memory),
    sessionsTable(resolved.sessions),
    workflowsTable(resolved.workflows),
    apiKeysTable(resolved.apiKeys),
  ];
}
