import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { createTestRuntime } from '../testing/test-runtime.ts';

const alice = { key: 'key-alice', tenantId: 't1', userId: 'alice' };
const ORIGIN = 'https://app.example.com';
const SECURITY = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

async function setup() {
  const runtime = await createTestRuntime({ keys: [alice], options: { corsOrigins: [ORIGIN], bodyLimitBytes: 1024 } });
  return createApp(runtime);
}

function expectSecurityHeaders(response: Response, cacheControl = 'no-store'): void {
  for (const [name, value] of Object.entries(SECURITY)) expect(response.headers.get(name), name).toBe(value);
  expect(response.headers.get('cache-control')).toBe(cacheControl);
  expect(response.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]+$/);
}

describe('per-request middleware', () => {
  it('puts security headers and the request id on answers, errors and streams alike', async () => {
    const app = await setup();
    const ok = await app.request('/v1/agents', { headers: { 'x-api-key': alice.key, 'x-request-id': 'req-1' } });
    expect(ok.status).toBe(200);
    expectSecurityHeaders(ok);
    expect(ok.headers.get('x-request-id')).toBe('req-1');
    const denied = await app.request('/v1/agents', { headers: { 'x-request-id': 'bad id!' } });
    expect(denied.status).toBe(401);
    expectSecurityHeaders(denied);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="agentry"');
    expect((await denied.json()).requestId).toBe(denied.headers.get('x-request-id'));
    const missing = await app.request('/nowhere');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
    const stream = await app.request('/v1/agents/assistant/runs', {
      method: 'POST',
      headers: { 'x-api-key': alice.key, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'What is 25 * 47?' }),
    });
    expectSecurityHeaders(stream, 'no-cache');
    expect(await stream.text()).toContain('event: run-end');
  });

  it('answers CORS for configured origins only, and preflights with 204', async () => {
    const app = await setup();
    const allowed = await app.request('/healthz', { headers: { origin: ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(allowed.headers.get('vary')).toBe('Origin');
    const other = await app.request('/healthz', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toBe('Origin');
    const preflight = await app.request('/agent', {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST,DELETE,OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-api-key');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    expect(preflight.headers.get('content-type')).toBeNull();
    expectSecurityHeaders(preflight);
    const refused = await app.request('/agent', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses bodies over the limit, whether framed by Content-Length or chunked', async () => {
    const app = await setup();
    const headers = { 'x-api-key': alice.key, 'content-type': 'application/json' };
    const big = JSON.stringify({ query: 'x'.repeat(2048) });
    const framed = await app.request('/agent', {
      method: 'POST',
      headers: { ...headers, 'content-length': String(big.length) },
      body: big,
    });
    expect(framed.status).toBe(413);
    expect((await framed.json()).error.code).toBe('REQUEST_TOO_LARGE');
    const chunked = await app.request('/agent', {
      method: 'POST',
      headers,
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expectSecurityHeaders(chunked);
    const small = await app.request('/agent', {
      method: 'POST',
      headers,
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(JSON.stringify({ query: 'What is 25 * 47?' })));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(small.status).toBe(200);
    expect((await small.json()).response).toContain('1175');
  });
});
