import { describe, expect, it } from 'vitest';
import { AgentryError } from '../errors.ts';
import { createApp } from './app.ts';
import { LiveRuns } from './sse/live-runs.ts';
import { createTestRuntime } from './testing/test-runtime.ts';

const alice = { key: 'key-alice', tenantId: 't1', userId: 'alice' };
const bob = { key: 'key-bob', tenantId: 't1', userId: 'bob' };
const backend = { key: 'key-backend', tenantId: 't1', userId: 'service', onBehalf: true };

async function setup() {
  const runtime = await createTestRuntime({ keys: [alice, bob, backend] });
  const app = createApp(runtime);
  const call = (path: string, init: RequestInit & { key?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key) headers.set('x-api-key', init.key);
    if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return app.request(path, { ...init, headers });
  };
  return { runtime, app, call };
}

describe('HTTP API', () => {
  it('serves the reference contract: POST /agent', async () => {
    const { call } = await setup();
    const ok = await call('/agent', {
      method: 'POST',
      key: alice.key,
      body: JSON.stringify({ user_id: 'alice', query: 'What is 25 * 47?' }),
    });
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(Object.keys(body).sort()).toEqual(['conversation_id', 'response', 'user_id']);
    expect(body).toMatchObject({ response: '25 × 47 = 1175.', user_id: 'alice' });

    const missing = await call('/agent', {
      method: 'POST',
      key: alice.key,
      body: JSON.stringify({ user_id: 'alice' }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toBe('{"error":"Query is required"}');

    const spoof = await call('/agent', {
      method: 'POST',
      key: alice.key,
      body: JSON.stringify({ user_id: 'bob', query: 'hi' }),
    });
    expect(spoof.status).toBe(403);
    const onBehalf = await call('/agent', {
      method: 'POST',
      key: backend.key,
      body: JSON.stringify({ user_id: 'bob', query: 'What is 25 * 47?' }),
    });
    expect(await onBehalf.json()).toMatchObject({ user_id: 'bob' });
  });

  it("runs an agent as JSON and lists the caller's conversations only", async () => {
    const { call } = await setup();
    const run = await call('/v1/agents/assistant/runs', {
      method: 'POST',
      key: alice.key,
      body: JSON.stringify({ query: 'What is 25 * 47?' }),
    });
    expect(run.status).toBe(200);
    const body = await run.json();
    expect(body).toMatchObject({
      status: 'succeeded',
      text: '25 × 47 = 1175.',
      toolCalls: [{ toolName: 'calculate', output: { result: 1175 } }],
    });
    const mine = await (await call('/v1/conversations', { key: alice.key })).json();
    expect(mine.conversations.map((conversation: { id: string }) => conversation.id)).toEqual([body.conversationId]);
    expect((await (await call('/v1/conversations', { key: bob.key })).json()).conversations).toEqual([]);
    expect((await call(`/v1/conversations/${body.conversationId}/messages`, { key: bob.key })).status).toBe(404);
    expect((await call(`/v1/runs/${body.runId}`, { key: bob.key })).status).toBe(404);
    const messages = await (await call(`/v1/conversations/${body.conversationId}/messages`, { key: alice.key })).json();
    expect(messages.messages.map((entry: { message: { role: string } }) => entry.message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
    ]);
  });

  it('streams run events as SSE with ids, and a reconnect with Last-Event-ID gets exactly the rest', async () => {
    const { call, runtime } = await setup();
    const response = await call('/v1/agents/assistant/runs', {
      method: 'POST',
      key: alice.key,
      headers: { accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'What is 100 divided by 4, and then multiply that by 3?' }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await response.text());
    expect(events.map((event) => event.event)).toEqual([
      'run-start',
      'usage',
      'tool-call',
      'tool-result',
      'usage',
      'tool-call',
      'tool-result',
      'text-delta',
      'text-delta',
      'text-delta',
      'text-delta',
      'usage',
      'run-end',
    ]);
    const runId = JSON.parse(events[0]!.data).runId;
    const cut = events.findIndex((event) => event.event === 'tool-call' && event.id.startsWith('2:'));
    const live = events.slice(cut + 1);
    const liveText = textOf(live);

    // While the run is retained in this process, a reconnect replays the live buffer exactly.
    const fromBuffer = parseSse(
      await (
        await call(`/v1/runs/${runId}/events`, { key: alice.key, headers: { 'last-event-id': events[cut]!.id } })
      ).text(),
    );
    expect(fromBuffer).toEqual(live);

    // On another instance (or after a restart) the journal rebuilds the rest: same ids, same text.
    runtime.live = new LiveRuns();
    const fromJournal = parseSse(
      await (
        await call(`/v1/runs/${runId}/events`, { key: alice.key, headers: { 'last-event-id': events[cut]!.id } })
      ).text(),
    );
    expect(fromJournal.map((event) => event.event)).toEqual(['tool-result', 'text-delta', 'usage', 'run-end']);
    expect(textOf(fromJournal)).toBe(liveText);
    expect(fromJournal.map((event) => event.id)).toEqual(
      live
        .filter((event, index) => event.event !== 'text-delta' || live[index + 1]?.event !== 'text-delta')
        .map((event) => event.id),
    );

    // Mid-text: only the rest of the text.
    const midText = events.findIndex((event) => event.event === 'text-delta');
    const fromMid = parseSse(
      await (
        await call(`/v1/runs/${runId}/events`, { key: alice.key, headers: { 'last-event-id': events[midText]!.id } })
      ).text(),
    );
    expect(JSON.parse(events[midText]!.data).delta + textOf(fromMid)).toBe(liveText);
  });

  it('answers bad requests with coded errors and never leaks internals', async () => {
    const { call, runtime } = await setup();
    expect((await call('/v1/agents')).status).toBe(401);
    expect((await call('/v1/agents', { key: 'wrong' })).status).toBe(401);
    const malformed = await call('/v1/agents/assistant/runs', { method: 'POST', key: alice.key, body: '{"query": ' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('REQUEST_MALFORMED_JSON');
    const invalid = await call('/v1/agents/assistant/runs', {
      method: 'POST',
      key: alice.key,
      body: JSON.stringify({ query: 5, extra: true }),
    });
    const invalidBody = await invalid.json();
    expect(invalid.status).toBe(400);
    expect(invalidBody.error.details.fields.map((field: { path: string }) => field.path)).toEqual([
      'body.query',
      'body',
    ]);
    const huge = await call('/v1/agents/assistant/runs', {
      method: 'POST',
      key: alice.key,
      body: JSON.stringify({ query: 'x'.repeat(runtime.options.bodyLimitBytes) }),
    });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe('REQUEST_TOO_LARGE');
    const unknownAgent = await call('/v1/agents/nobody/runs', {
      method: 'POST',
      key: alice.key,
      body: JSON.stringify({ query: 'hi' }),
    });
    expect(unknownAgent.status).toBe(404);
    expect((await unknownAgent.json()).error.code).toBe('AGENT_NOT_FOUND');
    const nowhere = await call('/nowhere');
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    expect(nowhere.headers.get('x-request-id')).toBeTruthy();
    expect(nowhere.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await call('/metrics', { key: alice.key })).status).toBe(403);
  });

  it('publishes an OpenAPI 3.1 document of every route', async () => {
    const { call } = await setup();
    const document = await (await call('/openapi.json')).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/agent',
        '/v1/agents',
        '/v1/agents/{name}/runs',
        '/v1/runs/{id}',
        '/v1/runs/{id}/cancel',
        '/v1/conversations',
        '/healthz',
        '/readyz',
      ]),
    );
    expect(
      document.paths['/v1/agents/{name}/runs'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(['query']);
  });
});

function textOf(events: { event: string; data: string }[]): string {
  return events
    .filter((event) => event.event === 'text-delta')
    .map((event) => JSON.parse(event.data).delta)
    .join('');
}

function parseSse(text: string): { id: string; event: string; data: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .filter((line) => line.startsWith(`${name}:`))
          .map((line) => line.slice(name.length + 1).trimStart())
          .join('\n');
      return { id: field('id'), event: field('event'), data: field('data') };
    });
}

describe('HTTP API when the store fails', () => {
  it('answers a coded 503 and ends streams with an error event instead of crashing', async () => {
    const runtime = await createTestRuntime({ keys: [alice] });
    runtime.store.turns.startTurn = async () => {
      throw new AgentryError('STORE_UNAVAILABLE', 'The database is unreachable.', { retryable: true });
    };
    const app = createApp(runtime);
    const headers = { 'x-api-key': alice.key, 'content-type': 'application/json' };
    const json = await app.request('/v1/agents/assistant/runs', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: 'hi' }),
    });
    expect(json.status).toBe(503);
    expect((await json.json()).error.code).toBe('STORE_UNAVAILABLE');
    const stream = await app.request('/v1/agents/assistant/runs', {
      method: 'POST',
      headers: { ...headers, accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'hi' }),
    });
    const events = parseSse(await stream.text()).map((event) => event.event);
    expect(events).toEqual(['error', 'run-end']);
  });
});
