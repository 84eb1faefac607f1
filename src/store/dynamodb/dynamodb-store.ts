import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { MemoryKnowledgeIndex } from '../../knowledge/memory-index.ts';
import type { KnowledgeStore } from '../knowledge.ts';
import type { Store } from '../store.ts';
import { DynamoDbApiKeyStore } from './dynamodb-api-keys.ts';
import { DynamoDbConversationStore } from './dynamodb-conversations.ts';
import { DynamoDbRunStore } from './dynamodb-runs.ts';
import { DynamoDbTurnStore } from './dynamodb-turns.ts';
import { DynamoDbWorkflowStore } from './dynamodb-workflows.ts';
import { mapped } from './map-dynamodb-error.ts';
import { resolveTableNames, type TableNamesOption } from './tables.ts';
import type { TransactOptions } from './transact-write.ts';

export interface DynamoDbStoreOptions {
  /** Owned by the caller: close() does not destroy it. Credentials and region come with it. */
  client: DynamoDBClient;
  /** Table names; defaults `agent-memory`, `agent-sessions`, `agent-workflows`, `agent-api-keys`. */
  tables?: TableNamesOption | undefined;
  now?: () => Date;
  /** Waits between retries of transactions cancelled by contention. */
  sleep?: TransactOptions['sleep'];
  /** Defaults to an in-memory index, built at start from the project's knowledge/ files. */
  knowledge?: KnowledgeStore;
}

/**
 * A key nobody's item can have: encoded ids escape every `%` as `%25` or `%23` (keys.ts), so a
 * bare `%` followed by anything else never occurs in a real key.
 */
const PING_KEY = { user_id: '%ping', conversation_id: '%ping' };

/**
 * The AWS deployment's Store: conversations, runs, API keys and workflow executions in DynamoDB (tables:
 * tables.ts, created by the infrastructure or, in tests and local development, by ensureTables), knowledge
 * in memory.
 */
export function createDynamoDbStore(options: DynamoDbStoreOptions): Store {
  const tables = resolveTableNames(options.tables);
  const doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
  const now = options.now ?? (() => new Date());
  const transact = options.sleep ? { sleep: options.sleep } : {};
  const conversations = new DynamoDbConversationStore(doc, tables.memory, now, transact);
  const runs = new DynamoDbRunStore(doc, tables.sessions, now, transact);
  return {
    kind: 'dynamodb',
    conversations,
    runs,
    turns: new DynamoDbTurnStore(doc, tables, conversations, runs, now, transact),
    knowledge: options.knowledge ?? new MemoryKnowledgeIndex(),
    apiKeys: new DynamoDbApiKeyStore(doc, tables.apiKeys),
    workflows: new DynamoDbWorkflowStore(doc, tables.workflows, now, transact),
    // A data-plane read (DescribeTable is rate-limited control plane): proves reachability,
    // credentials and that the table exists.
    ping: async () => {
      await mapped(doc.send(new GetCommand({ TableName: tables.memory, Key: PING_KEY })));
    },
    close: async () => {},
  };
}
