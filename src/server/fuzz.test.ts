import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { createTestRuntime } from './testing/test-runtime.ts';

/**
 * Property-based fuzzing of every route in the OpenAPI document: malformed, oversized, wrongly
 * typed and hostile bodies, path parameters and headers. Whatever arrives, the server answers
 * below 500, does not crash, and every error body has the documented shape.
 */
const KEY = 'fuzz-key';
const RUNS_PER_ROUTE = Number(process.env.AGENTRY_FUZZ_RUNS ?? 60);

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '../../etc/passwd',
    '%2e%2e%2f',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '{"$gt":""}',
    '__proto__',
    'constructor',
    '\uD800',
    'x'.repeat(5_000),
    '💥'.repeat(100),
  ),
);

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        hostileString,
        fc.constantFrom(
          'query',
          'user_id',
          'conversationId',
          'conversation_id',
          'agent_type',
          'messages',
          'model',
          'stream',
          '__proto__',
        ),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

const body = fc.oneof(
  jsonValue.map((value) => JSON.stringify(value)),
  fc
    .record({ query: jsonValue, conversationId: fc.option(jsonValue, { nil: undefined }) })
    .map((value) => JSON.stringify(value)),
  fc
    .record({ model: hostileString, messages: jsonValue, stream: fc.option(jsonValue, { nil: undefined }) })
    .map((value) => JSON.stringify(value)),
  fc.record({ id: hostileString, messages: jsonValue, trigger: hostileString }).map((value) => JSON.stringify(value)),
  hostileString, // not JSON at all
  fc.constantFrom('{', '{"query":', '[]', 'null', '"string"', '{"query":"x"}'.repeat(3)),
);

/** What HTTP can carry in a header value: visible ASCII and spaces (the client library refuses the rest). */
const headerValue = hostileString.map((value) => value.replace(/[^\x20-\x7e]/g, '').slice(0, 1_000));

const headers = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
    accept: fc.constantFrom('application/json', 'text/event-stream', '*/*', ''),
    'last-event-id': headerValue,
    'x-user-id': fc.constant('someone-else'),
    'x-tenant-id': fc.constant('other-tenant'),
    'x-request-id': headerValue,
  },
  { requiredKeys: [] },
);

function isErrorShape(status: number, json: unknown): boolean {
  if (typeof json !== 'object' || json === null || !('error' in json)) return false;
  const error = (json as { error: unknown }).error;
  if (typeof error === 'string') return true; // the reference contract's `{"error": "..."}` (POST /agent)
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string' &&
    typeof (error as { retryable?: unknown }).retryable === 'boolean' &&
    status >= 400
  );
}

describe('fuzzing every documented route', async () => {
  const runtime = await createTestRuntime({
    keys: [{ key: KEY, tenantId: 'fuzz', userId: 'fuzzer', scopes: ['agents:run', 'conversations:read', 'admin'] }],
  });
  const app = createApp(runtime);
  const document = (await (await app.request('/openapi.json')).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const statuses = new Map<number, number>();
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({ path, method })),
  );

  it('documents the routes it fuzzes', () => {
    expect(operations.length).toBeGreaterThanOrEqual(14);
  });

  for (const { path, method } of operations) {
    it(`${method.toUpperCase()} ${path}: no 5xx, no crash, documented error shape`, async () => {
      await fc.assert(
        fc.asyncProperty(
          body,
          headers,
          hostileString,
          fc.boolean(),
          async (payload, extraHeaders, param, authenticated) => {
            const target = path.replace(/\{\w+\}/g, encodeURIComponent(param) || 'x');
            const init: RequestInit = {
              method: method.toUpperCase(),
              headers: { ...extraHeaders, ...(authenticated ? { 'x-api-key': KEY } : {}) },
            };
            if (method !== 'get' && method !== 'delete') init.body = payload;
            const response = await app.request(target, init);
            expect(response.status, `${method} ${target}`).toBeLessThan(500);
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            const text = await response.text();
            if (response.status >= 400) {
              expect(isErrorShape(response.status, JSON.parse(text)), text.slice(0, 200)).toBe(true);
              expect(text).not.toMatch(/at .+\.ts:\d+|node_modules|Error: /);
            }
          },
        ),
        { numRuns: RUNS_PER_ROUTE, seed: 20261125 },
      );
    }, 120_000);
  }

  it('stays up, and the fuzzing reached both successes and each kind of refusal', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    for (const status of [200, 400, 401, 404])
      expect(statuses.get(status) ?? 0, `responses with ${status}`).toBeGreaterThan(0);
  });
});
