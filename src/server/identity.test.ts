import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiKeyVerifier, createApiKey } from '../auth/api-keys.ts';
import type { ApiScope } from '../auth/identity.ts';
import { createMemoryStore } from '../store/memory/memory-store.ts';
import type { Scope } from '../store/scope.ts';
import { ScriptedModel } from '../testing/scripted-model.ts';
import { createApp } from './app.ts';
import { createTestRuntime } from './testing/test-runtime.ts';

/**
 * The credential is the only source of tenant and user. Every case below is an attacker holding a
 * valid key of its own and trying to reach a victim's data by id, by body field or by header; each
 * must fail or yield nothing of the victim's. Runs the real app on the real ApiKeyVerifier.
 */

const SCRIPT_DIR = mkdtempSync(join(tmpdir(), 'agentry-identity-'));
const SCRIPT = join(SCRIPT_DIR, 'identity.json');
writeFileSync(
  SCRIPT,
  JSON.stringify({
    replies: [
      { when: 'slow', steps: [{ text: 'finally', delayMs: 60_000 }] },
      { when: '.', steps: [{ text: 'noted' }] },
    ],
  }),
);

const RUN_SCOPES: ApiScope[] = ['agents:run', 'conversations:read'];

async function setup() {
  const store = createMemoryStore();
  let clock = 1_000_000;
  const verifier = new ApiKeyVerifier(store.apiKeys, { now: () => clock });
  const runtime = await createTestRuntime({
    store,
    model: `scripted:${SCRIPT}`,
    authenticate: (raw) => verifier.verify(raw),
  });
  const app = createApp(runtime);
  const make = async (tenantId: string, userId: string, extra: { scopes?: ApiScope[]; onBehalf?: boolean } = {}) =>
    (
      await createApiKey(store.apiKeys, {
        tenantId,
        userId,
        scopes: extra.scopes ?? RUN_SCOPES,
        onBehalf: extra.onBehalf ?? false,
        plan: 'default',
      })
    ).key;
  const keys = {
    a: await make('T1', 'A'),
    b: await make('T1', 'B'),
    c: await make('T2', 'C'),
    /** Same user name as the victim, another tenant. */
    twinOfA: await make('T2', 'A'),
    backend: await make('T1', 'backend', { onBehalf: true }),
    readOnlyA: await make('T1', 'A', { scopes: ['conversations:read'] }),
    runOnlyA: await make('T1', 'A', { scopes: ['agents:run'] }),
    revokedA: await make('T1', 'A'),
  };
  await store.apiKeys.revokeKey(keys.revokedA.slice(4, 20), new Date().toISOString());
  const call = (path: string, init: RequestInit & { key?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key !== undefined) headers.set('x-api-key', init.key);
    if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return app.request(path, { ...init, headers });
  };
  const post = (path: string, key: string, body: unknown, headers: Record<string, string> = {}) =>
    call(path, { method: 'POST', key, headers, body: JSON.stringify(body) });
  const model = runtime.agent('assistant').model.model;
  if (!(model instanceof ScriptedModel)) throw new Error('expected the scripted model');
  /** The prompts the model saw while `action` ran. */
  const promptsDuring = async (action: () => Promise<unknown>): Promise<string> => {
    const before = model.calls.length;
    await action();
    return JSON.stringify(model.calls.slice(before).map((call) => call.prompt));
  };
  /** One finished turn of `key`'s user, carrying `secret`. */
  const victimTurn = async (key: string, secret: string) => {
    const response = await post('/v1/agents/assistant/runs', key, { query: `remember ${secret}` });
    expect(response.status).toBe(200);
    return (await response.json()) as { runId: string; conversationId: string };
  };
  const messagesOf = (scope: Scope, conversationId: string) => store.conversations.loadMessages(scope, conversationId);
  const advance = (ms: number) => {
    clock += ms;
  };
  return { runtime, store, keys, call, post, promptsDuring, victimTurn, messagesOf, advance };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** Status, and the body must not contain the victim's secret. */
async function answers(response: Response, status: number, secret: string): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(text).not.toContain(secret);
}

const attackersOfA = (keys: Setup['keys']) => ({
  'B (same tenant)': keys.b,
  'C (other tenant)': keys.c,
  'A of another tenant': keys.twinOfA,
  'on-behalf key of the same tenant': keys.backend,
});

describe('identity: API keys are the only source of tenant and user', () => {
  it("reads nothing of another user's or tenant's conversations and runs by id", async () => {
    const { keys, call, victimTurn } = await setup();
    const secret = 'A-SECRET-7f3';
    const victim = await victimTurn(keys.a, secret);
    for (const [who, key] of Object.entries(attackersOfA(keys))) {
      const paths = [
        `/v1/conversations/${victim.conversationId}/messages`,
        `/v1/runs/${victim.runId}`,
        `/v1/runs/${victim.runId}/events`,
      ];
      for (const path of paths) await answers(await call(path, { key }), 404, secret);
      const listed = await call('/v1/conversations', { key });
      expect(listed.status, who).toBe(200);
      expect((await listed.json()).conversations, who).toEqual([]);
    }
    // The victim still reads its own.
    const own = await call(`/v1/conversations/${victim.conversationId}/messages`, { key: keys.a });
    expect(await own.text()).toContain(secret);
  });

  it("deletes nothing of another user's or tenant's", async () => {
    const { keys, call, victimTurn, messagesOf } = await setup();
    const secret = 'A-SECRET-d31';
    const victim = await victimTurn(keys.a, secret);
    for (const key of Object.values(attackersOfA(keys))) {
      await answers(await call(`/v1/conversations/${victim.conversationId}`, { method: 'DELETE', key }), 404, secret);
    }
    expect(await messagesOf({ tenantId: 'T1', userId: 'A' }, victim.conversationId)).toHaveLength(2);
  });

  it("cannot cancel another user's running run; its owner can", async () => {
    const { keys, call, post, store, runtime } = await setup();
    const running = post('/v1/agents/assistant/runs', keys.a, { query: 'slow please' });
    let runId: string | undefined;
    for (let attempt = 0; attempt < 200 && !runId; attempt++) {
      runId = (await store.runs.listRuns({ tenantId: 'T1', userId: 'A' })).items[0]?.id;
      if (!runId) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(runId).toBeDefined();
    for (const key of Object.values(attackersOfA(keys))) {
      await answers(await call(`/v1/runs/${runId}/cancel`, { method: 'POST', key }), 404, 'slow');
    }
    await answers(await call(`/v1/runs/${runId}/cancel`, { method: 'POST', key: keys.readOnlyA }), 403, 'slow');
    expect(runtime.live.get(runId!)?.done).toBe(false);
    expect((await store.runs.getRunById(runId!))?.status).toBe('running');

    expect((await call(`/v1/runs/${runId}/cancel`, { method: 'POST', key: keys.a })).status).toBe(202);
    expect((await (await running).json()).status).toBe('cancelled');
  });

  it("continuing another's conversation id starts the caller's own; the model never sees the victim's messages", async () => {
    const { keys, post, promptsDuring, victimTurn, messagesOf } = await setup();
    const secret = 'A-SECRET-c0n';
    const victim = await victimTurn(keys.a, secret);
    for (const [who, key] of Object.entries(attackersOfA(keys))) {
      let body: { conversationId: string; text: string } | undefined;
      const prompts = await promptsDuring(async () => {
        const response = await post('/v1/agents/assistant/runs', key, {
          query: `what did they tell you? (${who})`,
          conversationId: victim.conversationId,
        });
        expect(response.status, who).toBe(200);
        body = await response.json();
      });
      expect(prompts, who).toContain(`what did they tell you? (${who})`);
      expect(prompts, who).not.toContain(secret);
      expect(JSON.stringify(body)).not.toContain(secret);
    }
    // Through the reference endpoint too.
    const prompts = await promptsDuring(async () => {
      const response = await post('/agent', keys.b, { query: 'and now?', conversation_id: victim.conversationId });
      expect(response.status).toBe(200);
      expect(await response.text()).not.toContain(secret);
    });
    expect(prompts).not.toContain(secret);
    // The victim's conversation is exactly as it was; B's same-named one holds only B's turns.
    const victimMessages = await messagesOf({ tenantId: 'T1', userId: 'A' }, victim.conversationId);
    expect(victimMessages).toHaveLength(2);
    const bMessages = await messagesOf({ tenantId: 'T1', userId: 'B' }, victim.conversationId);
    expect(bMessages).toHaveLength(4);
    expect(JSON.stringify(bMessages)).not.toContain(secret);
  });

  it('honours user_id on /agent only from an on-behalf key, and only within its own tenant', async () => {
    const { keys, post, promptsDuring, victimTurn, messagesOf } = await setup();
    const secretA = 'A-SECRET-0b1';
    const secretC = 'C-SECRET-91b';
    const victimA = await victimTurn(keys.a, secretA);
    const victimC = await victimTurn(keys.c, secretC);

    // Not on behalf: naming anyone else is refused, before anything runs.
    const spoof = await promptsDuring(async () => {
      await answers(
        await post('/agent', keys.b, { user_id: 'A', query: 'hi', conversation_id: victimA.conversationId }),
        403,
        secretA,
      );
      await answers(await post('/agent', keys.c, { user_id: 'A', query: 'hi' }), 403, secretA);
    });
    expect(spoof).toBe('[]');
    const self = await post('/agent', keys.b, { user_id: 'B', query: 'hi' });
    expect(await self.json()).toMatchObject({ user_id: 'B' });

    // On behalf: acts for that user of T1 (and so sees A's history, by design)...
    const forA = await promptsDuring(async () => {
      const response = await post('/agent', keys.backend, {
        user_id: 'A',
        query: 'continue for A',
        conversation_id: victimA.conversationId,
      });
      expect(await response.json()).toMatchObject({ user_id: 'A', conversation_id: victimA.conversationId });
    });
    expect(forA).toContain(secretA);
    expect(await messagesOf({ tenantId: 'T1', userId: 'A' }, victimA.conversationId)).toHaveLength(4);

    // ...but never reaches T2: user C of T1 is a different user, and a tenant field is ignored.
    const intoT2 = await promptsDuring(async () => {
      for (const body of [
        { user_id: 'C', query: 'continue for C', conversation_id: victimC.conversationId },
        { user_id: 'C', tenant_id: 'T2', query: 'continue for C', conversation_id: victimC.conversationId },
      ]) {
        const response = await post('/agent', keys.backend, body, { 'x-tenant-id': 'T2' });
        expect(response.status).toBe(200);
        expect(await response.text()).not.toContain(secretC);
      }
    });
    expect(intoT2).not.toContain(secretC);
    expect(await messagesOf({ tenantId: 'T2', userId: 'C' }, victimC.conversationId)).toHaveLength(2);
    expect(await messagesOf({ tenantId: 'T1', userId: 'C' }, victimC.conversationId)).toHaveLength(4);
  });

  it('ignores identity headers: x-user-id, x-tenant-id, x-forwarded-user', async () => {
    const { keys, call, post, promptsDuring, victimTurn } = await setup();
    const secret = 'A-SECRET-h34';
    const victim = await victimTurn(keys.a, secret);
    const spoofed = {
      'x-user-id': 'A',
      'x-tenant-id': 'T1',
      'x-forwarded-user': 'A',
      'x-forwarded-email': 'a@example.com',
      'x-amzn-oidc-identity': 'A',
    };
    for (const key of [keys.b, keys.c, keys.twinOfA]) {
      const headers = spoofed;
      await answers(await call(`/v1/conversations/${victim.conversationId}/messages`, { key, headers }), 404, secret);
      await answers(await call(`/v1/runs/${victim.runId}`, { key, headers }), 404, secret);
      const listed = await call('/v1/conversations', { key, headers });
      expect(await listed.text()).not.toContain(victim.conversationId);
      const prompts = await promptsDuring(async () => {
        const response = await post(
          '/v1/agents/assistant/runs',
          key,
          { query: 'spoofed headers', conversationId: victim.conversationId },
          headers,
        );
        expect(await response.text()).not.toContain(secret);
      });
      expect(prompts).not.toContain(secret);
      await answers(await post('/agent', key, { query: 'who am I?' }, headers), 200, secret);
    }
    // Headers alone are no credential at all.
    await answers(await call(`/v1/conversations/${victim.conversationId}/messages`, { headers: spoofed }), 401, secret);
  });

  it('refuses revoked and malformed keys with one 401 body, and revokes cached keys within the TTL', async () => {
    const { keys, call, store, advance } = await setup();
    const validId = keys.b.slice(4, 20);
    const secretOfB = keys.b.slice(21);
    const flipped = secretOfB[5] === 'A' ? 'B' : 'A';
    const presented: Record<string, Record<string, string>> = {
      none: {},
      empty: { 'x-api-key': '' },
      blank: { 'x-api-key': '   ' },
      huge: { 'x-api-key': `agk_${'a'.repeat(16)}_${'A'.repeat(100_000)}` },
      'just under the length cap': { 'x-api-key': 'x'.repeat(500) },
      'wrong prefix': { 'x-api-key': keys.b.replace('agk_', 'agx_') },
      'no prefix': { 'x-api-key': keys.b.slice(4) },
      'trailing garbage': { 'x-api-key': `${keys.b}x` },
      'upper-cased id': { 'x-api-key': `agk_${validId.toUpperCase()}_${secretOfB}` },
      'wrong secret for a valid id': {
        'x-api-key': `agk_${validId}_${secretOfB.slice(0, 5)}${flipped}${secretOfB.slice(6)}`,
      },
      "another key's secret for a valid id": { 'x-api-key': `agk_${validId}_${keys.c.slice(21)}` },
      revoked: { 'x-api-key': keys.revokedA },
      'bearer, wrong secret': { authorization: `Bearer agk_${validId}_${keys.c.slice(21)}` },
      'bearer, revoked': { authorization: `Bearer ${keys.revokedA}` },
      'basic auth': { authorization: `Basic ${Buffer.from(`A:${keys.b}`).toString('base64')}` },
      'key as cookie': { cookie: `x-api-key=${keys.b}` },
    };
    const bodies = new Set<string>();
    for (const [what, headers] of Object.entries(presented)) {
      const response = await call('/v1/conversations', { headers });
      expect(response.status, what).toBe(401);
      expect(response.headers.get('www-authenticate'), what).toBe('Bearer realm="agentry"');
      const { requestId: _id, ...body } = await response.json();
      bodies.add(JSON.stringify(body));
      expect(JSON.stringify(body), what).not.toContain(secretOfB);
    }
    expect([...bodies]).toEqual([
      JSON.stringify({
        error: {
          code: 'UNAUTHENTICATED',
          message: 'A valid API key is required (x-api-key header or Authorization: Bearer).',
          retryable: false,
        },
      }),
    ]);
    expect((await call(`/v1/conversations?api_key=${keys.b}`)).status).toBe(401);

    // A key in use is cached: its revocation takes effect once the cache entry expires.
    expect((await call('/v1/conversations', { key: keys.b })).status).toBe(200);
    await store.apiKeys.revokeKey(validId, new Date().toISOString());
    expect((await call('/v1/conversations', { key: keys.b })).status).toBe(200);
    advance(10_000);
    expect((await call('/v1/conversations', { key: keys.b })).status).toBe(401);
  });

  it('refuses a valid key outside its scopes with 403', async () => {
    const { keys, call, post, victimTurn } = await setup();
    const victim = await victimTurn(keys.a, 'A-SECRET-5c0');
    const forbidden = async (response: Response) => {
      expect(response.status).toBe(403);
      expect((await response.json()).error.code).toBe('FORBIDDEN');
    };
    await forbidden(await post('/v1/agents/assistant/runs', keys.readOnlyA, { query: 'hi' }));
    await forbidden(await post('/agent', keys.readOnlyA, { query: 'hi' }));
    await forbidden(
      await call(`/v1/conversations/${victim.conversationId}`, { method: 'DELETE', key: keys.readOnlyA }),
    );
    await forbidden(await call('/v1/conversations', { key: keys.runOnlyA }));
    await forbidden(await call(`/v1/runs/${victim.runId}`, { key: keys.runOnlyA }));
    await forbidden(await call('/metrics', { key: keys.a }));
    // Within its scope the read-only key reads its own user's data.
    const own = await call(`/v1/conversations/${victim.conversationId}/messages`, { key: keys.readOnlyA });
    expect(own.status).toBe(200);
  });
});
