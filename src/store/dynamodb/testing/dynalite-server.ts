import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { startTransactionProxy } from './transaction-proxy.ts';

export interface DynaliteServer {
  /** The endpoint to point DynamoDB clients at (the transaction proxy in front of dynalite). */
  endpoint: string;
  /** A client of `endpoint` with fake static credentials, us-east-1, few retries. */
  client: DynamoDBClient;
  stop: () => Promise<void>;
}

/**
 * An in-memory DynamoDB for tests: dynalite on 127.0.0.1 at a random port, behind a proxy that
 * adds TransactWriteItems (dynalite 4.0 has none; see emulate-transact-write.ts). Tables start
 * empty; create them with ensureTables. Each call starts its own server.
 */
export async function startDynalite(): Promise<DynaliteServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const proxy = await startTransactionProxy({ host: '127.0.0.1', port });
  const client = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
    maxAttempts: 2,
  });
  return {
    endpoint: proxy.endpoint,
    client,
    stop: async () => {
      client.destroy();
      await proxy.close();
      await new Promise<void>((resolve, reject) =>
        server.close((error?: Error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
