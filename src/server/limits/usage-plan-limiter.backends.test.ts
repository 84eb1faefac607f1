import { randomBytes } from 'node:crypto';
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import pg from 'pg';
import { startDynalite } from '../../store/dynamodb/testing/dynalite-server.ts';
import { postgresTestDatabase } from '../../store/sql/testing/postgres-test-db.ts';
import { describeLimiterConformance } from './testing/limiter-conformance.ts';
import { redisTestServer } from './testing/redis-test-server.ts';

const prefix = () => `agentry_test_${randomBytes(6).toString('hex')}`;

describeLimiterConformance('memory', async () => ({
  backend: { kind: 'memory' },
  prefix: prefix(),
  cleanup: async () => {},
}));

describeLimiterConformance('postgres', async () => {
  const database = await postgresTestDatabase();
  if ('skipReason' in database) return database;
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 4 });
  return {
    backend: { kind: 'postgres', pool },
    prefix: prefix(),
    cleanup: async () => {
      await pool.end();
      await database.drop();
    },
  };
});

describeLimiterConformance('redis', async () => {
  const redis = await redisTestServer();
  if ('skipReason' in redis) return redis;
  return { backend: { kind: 'redis', client: redis.client }, prefix: redis.prefix, cleanup: redis.cleanup };
});

describeLimiterConformance('dynamodb (dynalite)', async () => {
  const server = await startDynalite();
  const client = new DynamoDB({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
    maxAttempts: 2,
  });
  return {
    backend: { kind: 'dynamodb', client },
    prefix: prefix(),
    cleanup: async () => {
      client.destroy();
      await server.stop();
    },
  };
});
