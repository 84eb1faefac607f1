import { describeStoreConformance } from '../conformance/store-conformance.ts';
import { createDynamoDbStore } from './dynamodb-store.ts';
import { ensureTables } from './ensure-tables.ts';
import { startDynalite } from './testing/dynalite-server.ts';

describeStoreConformance('dynamodb (dynalite)', async () => {
  const server = await startDynalite();
  await ensureTables(server.client);
  return { store: createDynamoDbStore({ client: server.client }), cleanup: server.stop };
});
