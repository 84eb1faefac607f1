import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSession } from '../../cli/session.ts';
import { createProjectWorkflowRunner } from '../../runner/project-workflow-runner.ts';
import type { ExecutionEvent } from '../../workflow/events.ts';
import { createApp } from '../app.ts';
import { createServerRuntime } from '../create-runtime.ts';
import { startHttpServer } from '../http-server.ts';
import { silentLogger } from '../logger.ts';
import { DEFAULT_SERVER_OPTIONS } from '../runtime.ts';
import { createTestRuntime } from '../testing/test-runtime.ts';
import { createWorkflowProject } from '../testing/workflow-project.ts';

const alice = { key: 'key-alice', tenantId: 't1', userId: 'alice' };
const bob = { key: 'key-bob', tenantId: 't1', userId: 'bob' };
const carol = { key: 'key-carol', tenantId: 't2', userId: 'carol' };
/** Same user id as alice, another tenant. */
const twin = { key: 'key-twin', tenantId: 't2', userId: 'alice' };
const aliceReader = { key: 'key-alice-read', tenantId: 't1', userId: 'alice', scopes: ['conversations:read' as const] };

async function setup() {
  const project = createWorkflowProject();
  const runtime = await createTestRuntime({
    projectDir: project.dir,
    model: `scripted:${project.script}`,
    keys: [alice, bob, carol, twin, aliceReader],
    workflows: { tokenPollMs: 20 },
  });
  const app = createApp(runtime);
  const call = async (path: string, init: RequestInit & { key?: string } = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (init.key) headers.set('x-api-key', init.key);
    if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return app.request(path, { ...init, headers });
  };
  const post = (path: string, key: string, body: unknown, headers: Record<string, string> = {}) =>
    call(path, { method: 'POST', key, headers, body: JSON.stringify(body) });
  /** The token of the approval execution's waiting task, once its notification went out. */
  const tokenOf = async (executionId: string): Promise<string> => {
    let token: string | undefined;
    await waitFor(async () => {
      const history = (await runtime.store.workflows.loadEvents(executionId)) as ExecutionEvent[];
      const scheduled = history.find((event) => event.type === 'TaskScheduled');
      token = scheduled?.type === 'TaskScheduled' ? scheduled.taskToken : undefined;
      return token !== undefined && project.notified().some((event) => event.token === token);
    });
    return token!;
  };
  return { project, runtime, app, call, post, tokenOf };
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
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

describe('workflow API', () => {
  it("lists the project's workflows", async () => {
    const { call } = await setup();
    const response = await call('/v1/workflows', { key: alice.key });
    expect(response.status).toBe(200);
    const { workflows } = await response.json();
    expect(workflows.map((workflow: { name: string }) => workflow.name)).toEqual(['approval', 'broken', 'greet']);
    expect(workflows[2]).toEqual({
      name: 'greet',
      file: 'workflows/greet.asl.json',
      comment: 'Drafts a greeting, then shouts it',
      startAt: 'Prepare',
      states: ['Prepare', 'Write', 'Shout'],
      stateCount: 3,
    });
  });

  it('starts an execution and waits for its end (?wait=true and Prefer: wait)', async () => {
    const { post, call } = await setup();
    const waited = await post('/v1/workflows/greet/executions?wait=true', alice.key, { input: { who: 'Ada' } });
    expect(waited.status).toBe(201);
    const execution = await waited.json();
    expect(execution).toMatchObject({
      workflow: 'greet',
      status: 'SUCCEEDED',
      input: { who: 'Ada' },
      output: { text: 'DRAFTED FOR ADA' },
    });
    expect(execution.stoppedAt).toEqual(expect.any(String));
    expect(waited.headers.get('location')).toBe(`/v1/executions/${execution.id}`);
    expect(Object.keys(execution)).not.toContain('leaseOwner');
    expect(Object.keys(execution)).not.toContain('tenantId');

    const preferred = await post(
      '/v1/workflows/greet/executions',
      alice.key,
      { input: { who: 'Bo' } },
      { prefer: 'wait' },
    );
    expect(preferred.status).toBe(201);
    expect(preferred.headers.get('preference-applied')).toBe('wait');
    expect(await preferred.json()).toMatchObject({ status: 'SUCCEEDED', output: { text: 'DRAFTED' } });

    // Without waiting: the record as started; the execution goes on in the background.
    const started = await post('/v1/workflows/greet/executions', alice.key, { input: { who: 'Cy' } });
    expect(started.status).toBe(201);
    const running = await started.json();
    expect(running).toMatchObject({ status: 'RUNNING', name: expect.any(String), startedAt: expect.any(String) });
    await waitFor(
      async () =>
        (await (await call(`/v1/executions/${running.id}`, { key: alice.key })).json()).status === 'SUCCEEDED',
    );
  });

  it('starting a name again is idempotent; another input, an unknown or an invalid workflow are refused', async () => {
    const { post } = await setup();
    const body = { name: 'greeting-1', input: { who: 'Ada' } };
    const first = await post('/v1/workflows/greet/executions?wait=true', alice.key, body);
    expect(first.status).toBe(201);
    const again = await post('/v1/workflows/greet/executions?wait=true', alice.key, body);
    expect(again.status).toBe(200);
    const [one, two] = [await first.json(), await again.json()];
    expect(two.id).toBe(one.id);
    expect(two).toMatchObject({ name: 'greeting-1', status: 'SUCCEEDED' });

    const other = await post('/v1/workflows/greet/executions', alice.key, { name: 'greeting-1', input: { who: 'Bo' } });
    expect(other.status).toBe(409);
    expect((await other.json()).error.code).toBe('EXECUTION_ALREADY_EXISTS');
    // The name is per user: bob's execution of that name is his own.
    expect((await post('/v1/workflows/greet/executions', bob.key, body)).status).toBe(201);

    const unknown = await post('/v1/workflows/nowhere/executions', alice.key, {});
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('WORKFLOW_NOT_FOUND');
    const invalid = await post('/v1/workflows/broken/executions', alice.key, {});
    expect(invalid.status).toBe(400);
    const error = (await invalid.json()).error;
    expect(error.code).toBe('WORKFLOW_INVALID');
    expect(error.details.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ state: 'First', field: 'ResultPath' })]),
    );
    const badName = await post('/v1/workflows/greet/executions', alice.key, { name: 'has spaces' });
    expect(badName.status).toBe(400);
    expect((await badName.json()).error.code).toBe('REQUEST_INVALID');
  });

  it('describes, lists (filters, cursor) and pages the history of executions', async () => {
    const { post, call } = await setup();
    const ids: string[] = [];
    for (const who of ['A', 'B', 'C']) {
      const response = await post('/v1/workflows/greet/executions?wait=true', alice.key, { input: { who } });
      ids.push((await response.json()).id);
    }
    const waiting = await (await post('/v1/workflows/approval/executions', alice.key, { input: { doc: 'd' } })).json();

    const described = await (await call(`/v1/executions/${ids[0]}`, { key: alice.key })).json();
    expect(described).toMatchObject({
      id: ids[0],
      status: 'SUCCEEDED',
      output: { text: 'DRAFTED' },
      input: { who: 'A' },
    });

    const all = await (await call('/v1/executions', { key: alice.key })).json();
    expect(all.executions.map((execution: { id: string }) => execution.id).sort()).toEqual([...ids, waiting.id].sort());
    expect(all.executions[0]).not.toHaveProperty('input');
    const greets = await (await call('/v1/executions?workflow=greet', { key: alice.key })).json();
    expect(greets.executions).toHaveLength(3);
    const running = await (await call('/v1/executions?status=RUNNING', { key: alice.key })).json();
    expect(running.executions.map((execution: { id: string }) => execution.id)).toEqual([waiting.id]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await (
        await call(`/v1/executions?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key: alice.key })
      ).json();
      expect(page.executions.length).toBeLessThanOrEqual(1);
      seen.push(...page.executions.map((execution: { id: string }) => execution.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids, waiting.id].sort());
    expect((await call('/v1/executions?cursor=garbage', { key: alice.key })).status).toBe(400);
    expect((await call('/v1/executions?status=DONE', { key: alice.key })).status).toBe(400);

    const full = await (await call(`/v1/executions/${ids[0]}/history?limit=1000`, { key: alice.key })).json();
    expect(full.nextAfterId).toBeUndefined();
    expect(full.events.map((event: { id: number }) => event.id)).toEqual(
      full.events.map((_: unknown, i: number) => i + 1),
    );
    expect(full.events[0].type).toBe('ExecutionStarted');
    expect(full.events.at(-1)).toMatchObject({ type: 'ExecutionSucceeded', output: { text: 'DRAFTED' } });
    expect(full.events).toContainEqual(
      expect.objectContaining({ type: 'TaskScheduled', state: 'Write', resource: 'agent:writer' }),
    );
    const paged: unknown[] = [];
    let afterId: number | undefined = 0;
    while (afterId !== undefined) {
      const page = await (
        await call(`/v1/executions/${ids[0]}/history?limit=2&afterId=${afterId}`, { key: alice.key })
      ).json();
      expect(page.events.length).toBeLessThanOrEqual(2);
      paged.push(...page.events);
      afterId = page.nextAfterId;
    }
    expect(paged).toEqual(full.events);
    expect((await call(`/v1/executions/${ids[0]}/history?limit=0`, { key: alice.key })).status).toBe(400);
    expect((await call('/v1/executions/no-such-id', { key: alice.key })).status).toBe(404);
  });

  it('streams an execution as SSE from its start, and resumes after Last-Event-ID', async () => {
    const { post, call } = await setup();
    const response = await post(
      '/v1/workflows/greet/executions',
      alice.key,
      { input: { who: 'Ada' } },
      {
        accept: 'text/event-stream',
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await response.text());
    expect(events.map((event) => Number(event.id))).toEqual(events.map((_, i) => i + 1));
    expect(events.map((event) => event.event)).toEqual(events.map((event) => JSON.parse(event.data).type));
    expect(events[0]!.event).toBe('ExecutionStarted');
    expect(events.at(-1)!.event).toBe('ExecutionSucceeded');
    expect(JSON.parse(events.at(-1)!.data).output).toEqual({ text: 'DRAFTED FOR ADA' });
    const id = response.headers.get('location')!.split('/').pop()!;

    const replay = parseSse(await (await call(`/v1/executions/${id}/events`, { key: alice.key })).text());
    expect(replay).toEqual(events);
    const cut = 4;
    const rest = parseSse(
      await (
        await call(`/v1/executions/${id}/events`, { key: alice.key, headers: { 'last-event-id': String(cut) } })
      ).text(),
    );
    expect(rest).toEqual(events.slice(cut));
    const garbage = parseSse(
      await (await call(`/v1/executions/${id}/events`, { key: alice.key, headers: { 'last-event-id': 'x' } })).text(),
    );
    expect(garbage).toEqual(events);
  });

  it('completes a waiting task through the API, seen live by a stream over a real connection', async () => {
    const { app, runtime, post, call, tokenOf, project } = await setup();
    const server = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
    try {
      const started = await (
        await post('/v1/workflows/approval/executions', alice.key, { input: { doc: 'plan' } })
      ).json();
      const token = await tokenOf(started.id);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(project.notified()).toEqual([{ token, doc: 'plan' }]);

      // The stream replays what happened so far, then waits live.
      const stream = await fetch(`http://127.0.0.1:${server.port}/v1/executions/${started.id}/events`, {
        headers: { 'x-api-key': alice.key, 'last-event-id': '1' },
      });
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      const readUntil = async (marker: string) => {
        while (!text.includes(marker)) {
          const { done, value } = await reader.read();
          if (done) break;
          text += value;
        }
      };
      await readUntil('event: TaskScheduled');
      expect(text).not.toContain('event: ExecutionStarted');

      const completed = await post(`/v1/task-tokens/${token}/success`, alice.key, { output: { approved: true } });
      expect(completed.status).toBe(200);
      expect(await completed.json()).toMatchObject({ status: 'succeeded', executionId: started.id, stateName: 'Ask' });
      await readUntil('event: ExecutionSucceeded');
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value;
      const events = parseSse(text);
      expect(events.map((event) => Number(event.id))).toEqual(events.map((_, i) => i + 2));
      expect(JSON.parse(events.at(-1)!.data).output).toEqual({ doc: 'plan', decision: { approved: true } });

      const again = await post(`/v1/task-tokens/${token}/success`, alice.key, { output: 1 });
      expect(again.status).toBe(409);
      expect((await again.json()).error.code).toBe('TASK_TOKEN_ALREADY_COMPLETED');
      const unknown = await post(`/v1/task-tokens/${'A'.repeat(43)}/success`, alice.key, { output: 1 });
      expect(unknown.status).toBe(404);
      const body = await unknown.json();
      expect(body.error.code).toBe('TASK_TOKEN_INVALID');
      const missingOutput = await post(`/v1/task-tokens/${token}/success`, alice.key, {});
      expect(missingOutput.status).toBe(400);
      expect(
        (await call(`/v1/executions/${started.id}`, { key: alice.key }).then((response) => response.json())).status,
      ).toBe('SUCCEEDED');
      expect(runtime.workflows.isRunningHere(started.id)).toBe(false);
    } finally {
      await server.close(1_000);
    }
  });

  it('fails a waiting task with SendTaskFailure: the execution fails with that error and cause', async () => {
    const { post, call, tokenOf } = await setup();
    const started = await (await post('/v1/workflows/approval/executions', alice.key, { input: { doc: 'x' } })).json();
    const token = await tokenOf(started.id);
    const failed = await post(`/v1/task-tokens/${token}/failure`, alice.key, { error: 'Rejected', cause: 'no budget' });
    expect(failed.status).toBe(200);
    expect(await failed.json()).toMatchObject({ status: 'failed', stateName: 'Ask' });
    let execution: { status: string; error?: string; cause?: string } = { status: 'RUNNING' };
    await waitFor(async () => {
      execution = await (await call(`/v1/executions/${started.id}`, { key: alice.key })).json();
      return execution.status !== 'RUNNING';
    });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'no budget' });
  });

  it('stops a running execution (ABORTED), here or on another instance; a finished one is a conflict', async () => {
    const { runtime, post, call, tokenOf } = await setup();
    const started = await (await post('/v1/workflows/approval/executions', alice.key, { input: { doc: 'x' } })).json();
    await tokenOf(started.id);
    const stopped = await post(`/v1/executions/${started.id}/stop`, alice.key, {});
    expect(stopped.status).toBe(200);
    expect(await stopped.json()).toMatchObject({ id: started.id, status: 'ABORTED' });
    const history = await (await call(`/v1/executions/${started.id}/history`, { key: alice.key })).json();
    expect(history.events.at(-1).type).toBe('ExecutionAborted');
    const again = await post(`/v1/executions/${started.id}/stop`, alice.key, {});
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'EXECUTION_CONFLICT', details: { status: 'ABORTED' } } });

    // Another replica on the same store runs these: this instance stops one through the store (the
    // replica polls), and follows the other.
    const replica = createProjectWorkflowRunner(runtime.project, runtime.store, runtime.runner, {
      tokenPollMs: 20,
      stopPollMs: 20,
    });
    const remote = await replica.start(alice, { workflow: 'approval', input: { doc: 'remote, stopped' } });
    await tokenOf(remote.execution.id);
    expect(runtime.workflows.isRunningHere(remote.execution.id)).toBe(false);
    const remoteStop = await post(`/v1/executions/${remote.execution.id}/stop`, alice.key, {});
    expect(remoteStop.status).toBe(200);
    expect(await remoteStop.json()).toMatchObject({ id: remote.execution.id, status: 'ABORTED' });
    expect((await remote.done).status).toBe('ABORTED');

    const elsewhere = await replica.start(alice, { workflow: 'approval', input: { doc: 'remote' } });
    const token = await tokenOf(elsewhere.execution.id);
    const streamed = call(`/v1/executions/${elsewhere.execution.id}/events`, { key: alice.key }).then((response) =>
      response.text(),
    );
    expect((await post(`/v1/task-tokens/${token}/success`, alice.key, { output: 'ok' })).status).toBe(200);
    const events = parseSse(await streamed);
    expect(events.map((event) => Number(event.id))).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ event: 'ExecutionSucceeded' });
    expect((await elsewhere.done).status).toBe('SUCCEEDED');
  });

  it("isolates users and tenants: nobody else reads, stops or completes one's executions", async () => {
    const { post, call, tokenOf, runtime } = await setup();
    const started = await (
      await post('/v1/workflows/approval/executions', alice.key, { input: { doc: 'secret' } })
    ).json();
    const token = await tokenOf(started.id);
    for (const intruder of [bob, carol, twin]) {
      for (const path of ['', '/history', '/events']) {
        const response = await call(`/v1/executions/${started.id}${path}`, { key: intruder.key });
        expect(response.status, `${intruder.key} GET ${path}`).toBe(404);
        expect(await response.text()).not.toContain('secret');
      }
      const listed = await (await call('/v1/executions', { key: intruder.key })).json();
      expect(listed.executions).toEqual([]);
      expect((await post(`/v1/executions/${started.id}/stop`, intruder.key, {})).status).toBe(404);
    }
    // A token is answered by its tenant only: another tenant's key does not find it.
    for (const intruder of [carol, twin]) {
      for (const [outcome, body] of [
        ['success', { output: 'forged' }],
        ['failure', { error: 'Forged' }],
      ] as const) {
        const response = await post(`/v1/task-tokens/${token}/${outcome}`, intruder.key, body);
        expect(response.status, `${intruder.key} ${outcome}`).toBe(404);
        expect((await response.json()).error.code).toBe('TASK_TOKEN_INVALID');
      }
    }
    expect((await runtime.store.workflows.getTaskToken(alice, token))?.status).toBe('waiting');
    // A read-only key reads but neither starts, stops nor completes.
    expect((await call(`/v1/executions/${started.id}`, { key: aliceReader.key })).status).toBe(200);
    expect((await post('/v1/workflows/greet/executions', aliceReader.key, {})).status).toBe(403);
    expect((await post(`/v1/executions/${started.id}/stop`, aliceReader.key, {})).status).toBe(403);
    expect((await post(`/v1/task-tokens/${token}/success`, aliceReader.key, { output: 1 })).status).toBe(403);
    // Without a key: 401 everywhere.
    expect((await call('/v1/executions')).status).toBe(401);
    expect((await call('/v1/workflows')).status).toBe(401);
    // The same tenant's approver may answer (the token is the secret), and alice's execution goes on.
    expect((await post(`/v1/task-tokens/${token}/success`, bob.key, { output: 'approved by bob' })).status).toBe(200);
    await waitFor(
      async () =>
        (await (await call(`/v1/executions/${started.id}`, { key: alice.key })).json()).status === 'SUCCEEDED',
    );
  });

  it('answers hostile starts of a real workflow below 500, and the executions end', async () => {
    const { post, runtime } = await setup();
    const ids: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.string({ maxLength: 90 }), { nil: undefined }),
        fc.jsonValue({ maxDepth: 4 }),
        async (name, input) => {
          const response = await post('/v1/workflows/greet/executions', alice.key, { name, input });
          expect(response.status).toBeLessThan(500);
          if (response.status === 201) ids.push((await response.json()).id);
        },
      ),
      { numRuns: 40, seed: 20261125 },
    );
    expect(ids.length).toBeGreaterThan(0);
    await waitFor(() => ids.every((id) => !runtime.workflows.isRunningHere(id)));
    for (const id of ids) expect((await runtime.store.workflows.getExecution(alice, id))?.status).not.toBe('RUNNING');
  });

  it('refuses new executions once shutting down', async () => {
    const { post, runtime } = await setup();
    runtime.stop();
    const refused = await post('/v1/workflows/greet/executions', alice.key, {});
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'SHUTTING_DOWN', retryable: true } });
  });
});

describe('workflow executions across server start and shutdown', () => {
  it('a server resumes abandoned executions, keeps sweeping, and hands its own over on drain', async () => {
    const project = createWorkflowProject();
    const session = await openSession({
      project: project.dir,
      env: { AGENTRY_STORE: 'memory', AGENTRY_MODEL: `scripted:${project.script}` },
      cwd: project.dir,
    });
    try {
      const store = await session.store();
      const dead = createProjectWorkflowRunner(session.project, store, await session.runner(), { tokenPollMs: 20 });
      const left = await dead.start(alice, { workflow: 'approval', input: { doc: 'left behind' } });
      await waitFor(() => project.notified().length === 1);
      expect(await dead.interruptAll()).toBe(1); // its process stops: the execution stays RUNNING, lease released

      const runtime = await createServerRuntime(session, {
        authenticate: async () => undefined,
        limiter: undefined,
        logger: silentLogger,
        options: DEFAULT_SERVER_OPTIONS,
      });
      expect(await runtime.resumeWorkflows(30)).toBe(1);
      expect(runtime.workflows.isRunningHere(left.execution.id)).toBe(true);
      expect(project.notified()).toHaveLength(1); // the resumed task waits for the same token, not notified again

      // The sweep keeps going: an execution abandoned later is picked up without another call.
      const later = await dead.start(alice, { workflow: 'approval', input: { doc: 'later' } });
      await waitFor(() => project.notified().length === 2);
      await dead.interruptAll();
      await waitFor(() => runtime.workflows.isRunningHere(later.execution.id));

      const drained = await runtime.drain(0);
      expect(drained.executionsHandedOver).toBe(2);
      for (const id of [left.execution.id, later.execution.id]) {
        const record = await store.workflows.getExecutionById(id);
        expect(record?.status).toBe('RUNNING');
        expect(record?.leaseExpiresAt ?? 0).toBeLessThanOrEqual(Date.now());
      }
      // Drained: the sweep stopped, so nothing comes back to this process.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(runtime.workflows.isRunningHere(left.execution.id)).toBe(false);

      // Another process continues both where they stopped.
      const next = createProjectWorkflowRunner(session.project, store, await session.runner(), { tokenPollMs: 20 });
      expect(await next.resumeAbandoned()).toBe(2);
      for (const event of project.notified()) {
        await next.completeTaskToken(alice, event.token, { status: 'succeeded', output: 'ok' });
      }
      await waitFor(async () => (await store.workflows.getExecutionById(left.execution.id))?.status === 'SUCCEEDED');
      await waitFor(async () => (await store.workflows.getExecutionById(later.execution.id))?.status === 'SUCCEEDED');
      expect(project.notified()).toHaveLength(2);
    } finally {
      await session.close();
    }
  });
});
