/**
 * A test server: the HTTP app with the usage-plan limiter of `openLimiter`, on 127.0.0.1 at a
 * random port, which it prints as one JSON line (`{"port":1234}`) on stdout. Configured by env:
 * AGENTRY_RATE_LIMIT_STORE, DATABASE_URL / REDIS_URL, AGENTRY_TEST_LIMITS (JSON: `plans` and
 * `limits` as in agentry.config.yaml) and AGENTRY_TEST_API_KEY (the one key, on plan `default`).
 * Stops on SIGTERM or when its stdin closes (so a dying test leaves no server behind).
 *
 * Run: node --import tsx src/server/limits/testing/limiter-server.ts
 */
import { serve } from '@hono/node-server';
import { plansSchema, rateLimitsSchema } from '../../../config/schemas.ts';
import { createApp } from '../../app.ts';
import { createLogger } from '../../logger.ts';
import { createTestRuntime } from '../../testing/test-runtime.ts';
import { openLimiter } from '../open-limiter.ts';

const settings = JSON.parse(process.env['AGENTRY_TEST_LIMITS'] ?? '{}') as { plans?: unknown; limits?: unknown };
const plans = plansSchema.parse(settings.plans ?? {});
const limits = rateLimitsSchema.parse(settings.limits ?? {});
const logger = createLogger((line) => process.stderr.write(line), 'warn');
const opened = await openLimiter({ project: { config: { store: {}, plans, limits } }, env: process.env, logger });
const runtime = await createTestRuntime({
  limiter: opened.limiter,
  keys: [{ key: process.env['AGENTRY_TEST_API_KEY'] ?? 'limiter-test-key', tenantId: 't1', userId: 'u1' }],
});
const server = serve({ fetch: createApp(runtime).fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  runtime.stop();
  server.close();
  if ('closeAllConnections' in server) server.closeAllConnections();
  void opened.close().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
