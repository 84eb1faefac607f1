import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory/memory-store.ts';
import { createApp } from './app.ts';
import { createTestRuntime } from './testing/test-runtime.ts';

const SCRIPT = join(mkdtempSync(join(tmpdir(), 'agentry-cancel-')), 'slow.json');
writeFileSync(SCRIPT, JSON.stringify({ replies: [{ when: '.', steps: [{ text: 'finally', delayMs: 60_000 }] }] }));

const alice = { key: 'key-alice', tenantId: 't1', userId: 'alice' };
const bob = { key: 'key-bob', tenantId: 't1', userId: 'bob' };

/** Two replicas behind one load balancer: separate processes' runtimes over one store. */
async function replicas() {
  const store = createMemoryStore();
  const replica = async (owner: string) => {
    const runtime = await createTestRuntime({
      store,
      model: `scripted:${SCRIPT}`,
      keys: [alice, bob],
      runner: { owner, cancelPollMs: 20 },
    });
    const app = createApp(runtime);
    return (path: string, key: string, body?: unknown) =>
      app.request(path, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
  };
  return { store, a: await replica('replica-a'), b: await replica('replica-b') };
}

describe('POST /v1/runs/{id}/cancel across replicas', () => {
  it('cancels a run executing on another replica through the store; other users get 404, an ended run 409', async () => {
    const { store, a, b } = await replicas();
    const running = a('/v1/agents/assistant/runs', alice.key, { query: 'take your time' });
    let runId: string | undefined;
    for (let attempt = 0; attempt < 200 && !runId; attempt++) {
      runId = (await store.runs.listRuns({ tenantId: 't1', userId: 'alice' })).items[0]?.id;
      if (!runId) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(runId).toBeDefined();

    expect((await b(`/v1/runs/${runId}/cancel`, bob.key)).status).toBe(404);
    expect(await store.runs.cancelRequested(runId!)).toBe(false);

    const cancel = await b(`/v1/runs/${runId}/cancel`, alice.key);
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ runId, status: 'cancelling' });
    // Replica A finds the request at its next poll and stops the model call it is waiting on.
    const result = await (await running).json();
    expect(result).toMatchObject({ runId, status: 'cancelled' });
    expect(await store.runs.getRunById(runId!)).toMatchObject({ status: 'cancelled' });

    const again = await b(`/v1/runs/${runId}/cancel`, alice.key);
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatchObject({ code: 'RUN_CONFLICT', details: { status: 'cancelled' } });
  });
});
