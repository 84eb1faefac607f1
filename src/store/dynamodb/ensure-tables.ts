import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { AgentryError } from '../../errors.ts';
import { errorName, mapDynamoDbError } from './map-dynamodb-error.ts';
import { type TableNamesOption, tableDefinitions } from './tables.ts';

export interface EnsureTablesOptions {
  /** How long to wait for new tables (and their indexes) to become ACTIVE. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const POLL_MS = 100;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates whichever of the store's tables are missing and waits until they are ACTIVE. For tests
 * and local development only: production tables come from the infrastructure (infra/), which
 * also enables point-in-time recovery and deletion protection. Existing tables are not compared
 * with the definitions.
 */
export async function ensureTables(
  client: DynamoDBClient,
  names: TableNamesOption = {},
  options: EnsureTablesOptions = {},
): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (const definition of tableDefinitions(names)) {
    await createIfMissing(client, definition);
    while (!(await isActive(client, definition.TableName!))) {
      if (Date.now() > deadline) {
        throw new AgentryError('STORE_UNAVAILABLE', `DynamoDB table ${definition.TableName} did not become active.`, {
          retryable: true,
        });
      }
      await sleep(POLL_MS);
    }
  }
}

async function createIfMissing(client: DynamoDBClient, definition: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
    return;
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw mapDynamoDbError(error);
  }
  try {
    await client.send(new CreateTableCommand(definition));
  } catch (error) {
    // Created concurrently by another process or test worker: fine.
    if (errorName(error) !== 'ResourceInUseException') throw mapDynamoDbError(error);
  }
}

async function isActive(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    return (
      Table?.TableStatus === 'ACTIVE' &&
      (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')
    );
  } catch (error) {
    throw mapDynamoDbError(error);
  }
}
