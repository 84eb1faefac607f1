import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { ExecutionEvent } from '../../workflow/events.ts';
import type { Store } from '../store.ts';
import { MAX_EVENTS_PER_APPEND, MAX_EXECUTION_DATA_BYTES } from '../workflow-validation.ts';
import {
  type ConformanceTest,
  errorCode,
  event,
  events,
  executionHelpers,
  freshScope,
  idsOf,
  newExecution,
} from './workflow-fixtures.ts';

/** Task tokens, and what data the workflow domain keeps exactly or refuses. */
export function registerWorkflowDataCases(store: () => Store, test: ConformanceTest): void {
  const { create, close } = executionHelpers(store);

  test('task tokens: created idempotently, read only in their tenant, completed once', async () => {
    const scope = freshScope();
    const record = newExecution(scope);
    await create(record);
    const workflows = store().workflows;
    const token = `tok-${randomUUID()}`;
    const createdAt = '2026-01-01T00:00:00.000Z';
    const first = await workflows.createTaskToken({
      token,
      executionId: record.id,
      tenantId: scope.tenantId,
      stateName: 'Approve',
      createdAt,
    });
    expect(first).toEqual({
      created: true,
      token: {
        schemaVersion: 1,
        token,
        executionId: record.id,
        tenantId: scope.tenantId,
        stateName: 'Approve',
        status: 'waiting',
        createdAt,
      },
    });
    const again = await workflows.createTaskToken({
      token,
      executionId: record.id,
      tenantId: scope.tenantId,
      stateName: 'Other',
      createdAt: '2026-02-01T00:00:00.000Z',
    });
    expect(again).toEqual({ created: false, token: first.token });
    expect(await workflows.getTaskToken(scope, token)).toEqual(first.token);

    const otherTenant = { tenantId: `${scope.tenantId}-other` };
    expect(await workflows.getTaskToken(otherTenant, token)).toBeUndefined();
    const outcome = { status: 'succeeded' as const, output: { approved: true, by: 'Zoë 👩‍⚖️' } };
    await expect(workflows.completeTaskToken(otherTenant, token, outcome, createdAt)).rejects.toMatchObject({
      code: 'TASK_TOKEN_INVALID',
    });
    await expect(workflows.completeTaskToken(scope, `${token}-guess`, outcome, createdAt)).rejects.toMatchObject({
      code: 'TASK_TOKEN_INVALID',
    });
    expect((await workflows.getTaskToken(scope, token))?.status).toBe('waiting');

    const completedAt = '2026-01-01T00:05:00.000Z';
    const completed = await workflows.completeTaskToken(scope, token, outcome, completedAt);
    expect(completed).toEqual({ ...first.token, status: 'succeeded', completedAt, output: outcome.output });
    expect(await workflows.getTaskToken(scope, token)).toEqual(completed);
    const failure = { status: 'failed' as const, error: 'Rejected', cause: 'too late' };
    await expect(workflows.completeTaskToken(scope, token, failure, completedAt)).rejects.toMatchObject({
      code: 'TASK_TOKEN_ALREADY_COMPLETED',
    });
    await expect(workflows.completeTaskToken(scope, token, outcome, completedAt)).rejects.toMatchObject({
      code: 'TASK_TOKEN_ALREADY_COMPLETED',
    });
    expect(await workflows.getTaskToken(scope, token)).toEqual(completed);

    const second = `tok-${randomUUID()}`;
    await workflows.createTaskToken({
      token: second,
      executionId: record.id,
      tenantId: scope.tenantId,
      stateName: 'Approve',
      createdAt,
    });
    const failed = await workflows.completeTaskToken(scope, second, failure, completedAt);
    expect(failed).toMatchObject({ status: 'failed', error: 'Rejected', cause: 'too late', completedAt });
    expect(failed.output).toBeUndefined();

    // Twenty completions racing: exactly one wins.
    const raced = `tok-${randomUUID()}`;
    await workflows.createTaskToken({
      token: raced,
      executionId: record.id,
      tenantId: scope.tenantId,
      stateName: 'Approve',
      createdAt,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) =>
        workflows.completeTaskToken(scope, raced, { status: 'succeeded', output: index }, completedAt),
      ),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(errorCode(result.reason)).toBe('TASK_TOKEN_ALREADY_COMPLETED');
    }
    await close(record.id);
  }, 60_000);

  test('round-trips unicode, emoji, quotes, NUL and nested JSON exactly', async () => {
    const scope = freshScope();
    const text = 'héllo 👋🏽 "quoted" \\ back\\slash \u0000 nul {"not":"json"} \'single\' \n 日本語 \u2028';
    const nested = {
      text,
      empty: '',
      numbers: [0, 1, -1, 0.1, 1e21, 123456789.125, Number.MAX_SAFE_INTEGER],
      flags: [true, false, null],
      deep: { a: { b: { c: [[], {}, [{ d: text }]] } } },
      'key with 🔑 and "quotes"': { z: 1, a: 2 },
    };
    const label = '名前 👋🏽 "quoted" \\ #%23 \'single\'';
    const record = newExecution(scope, {
      name: label,
      workflow: 'wörk#flow%23',
      input: nested,
      definition: `{"Comment":${JSON.stringify(text)}}`,
    });
    await create(record);
    const workflows = store().workflows;
    const history: ExecutionEvent[] = [
      {
        type: 'ExecutionStarted',
        input: nested,
        name: record.name,
        startTime: record.startedAt,
        id: 1,
        timestamp: record.startedAt,
        path: '',
      },
      { ...event(2, [nested, text, null]), path: 'Fan/0' },
      {
        type: 'TaskScheduled',
        state: 'Ask',
        resource: 'agent:research',
        input: text,
        attempt: 1,
        id: 3,
        timestamp: record.startedAt,
        path: 'Each/3',
      },
    ];
    await workflows.appendEvents(record.id, 'worker-a', 0, history);
    await workflows.appendEvents(record.id, 'worker-a', 3, [], {
      status: 'FAILED',
      stoppedAt: record.startedAt,
      output: nested,
      error: text,
      cause: text,
    });
    const loaded = await workflows.loadEvents(record.id);
    expect(JSON.stringify(loaded)).toBe(JSON.stringify(history));
    const stored = (await workflows.getExecution(scope, record.id))!;
    expect(JSON.stringify(stored.input)).toBe(JSON.stringify(nested));
    expect(JSON.stringify(stored.output)).toBe(JSON.stringify(nested));
    expect(stored.error).toBe(text);
    expect(stored.cause).toBe(text);
    expect(stored.definition).toBe(record.definition);
    expect(stored.name).toBe(record.name);
    const again = await workflows.createExecution(
      newExecution(scope, { name: record.name, workflow: record.workflow }),
    );
    expect(again.created).toBe(false);
    expect(again.execution.id).toBe(record.id);
    expect(idsOf(await workflows.listExecutions(scope, { workflow: record.workflow }))).toEqual([record.id]);

    const token = `tok-${randomUUID()}`;
    const tokenFields = {
      executionId: record.id,
      tenantId: scope.tenantId,
      stateName: label,
      createdAt: record.startedAt,
    };
    await workflows.createTaskToken({ token, ...tokenFields });
    await workflows.completeTaskToken(scope, token, { status: 'succeeded', output: nested }, record.startedAt);
    const completed = (await workflows.getTaskToken(scope, token))!;
    expect(JSON.stringify(completed.output)).toBe(JSON.stringify(nested));
    expect(completed.stateName).toBe(label);
    const failedToken = `tok-${randomUUID()}`;
    await workflows.createTaskToken({ token: failedToken, ...tokenFields });
    await workflows.completeTaskToken(
      scope,
      failedToken,
      { status: 'failed', error: text, cause: text },
      record.startedAt,
    );
    expect(await workflows.getTaskToken(scope, failedToken)).toMatchObject({ error: text, cause: text });

    // NUL is data, never part of a name: names are refused with it on every backend.
    for (const field of ['name', 'workflow'] as const) {
      await expect(workflows.createExecution(newExecution(scope, { [field]: 'a\u0000b' }))).rejects.toMatchObject({
        code: 'INPUT_INVALID',
      });
    }
  });

  test('refuses oversized data with EXECUTION_DATA_TOO_LARGE and oversized batches, writing nothing', async () => {
    const scope = freshScope();
    const workflows = store().workflows;
    // Counted in UTF-8 bytes: this is under the limit in characters, over it in bytes.
    const emoji = '👋'.repeat(Math.ceil(MAX_EXECUTION_DATA_BYTES / 4) + 1);
    await expect(workflows.createExecution(newExecution(scope, { input: { emoji } }))).rejects.toMatchObject({
      code: 'EXECUTION_DATA_TOO_LARGE',
    });
    expect((await workflows.listExecutions(scope)).items).toEqual([]);

    const record = newExecution(scope);
    await create(record);
    const big = event(2, { text: 'x'.repeat(MAX_EXECUTION_DATA_BYTES) });
    await expect(workflows.appendEvents(record.id, 'worker-a', 0, [event(1), big])).rejects.toMatchObject({
      code: 'EXECUTION_DATA_TOO_LARGE',
    });
    await expect(workflows.appendEvents(record.id, 'worker-a', 0, [event(1, { emoji })])).rejects.toMatchObject({
      code: 'EXECUTION_DATA_TOO_LARGE',
    });
    await expect(
      workflows.appendEvents(record.id, 'worker-a', 0, [event(1)], {
        status: 'SUCCEEDED',
        stoppedAt: record.startedAt,
        output: { emoji },
      }),
    ).rejects.toMatchObject({ code: 'EXECUTION_DATA_TOO_LARGE' });
    await expect(
      workflows.appendEvents(record.id, 'worker-a', 0, events(1, MAX_EVENTS_PER_APPEND + 1)),
    ).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    // Thirteen events, each under the data limit, together over what one append may carry.
    const heavy = Array.from({ length: 13 }, (_, index) =>
      event(index + 1, 'y'.repeat(MAX_EXECUTION_DATA_BYTES - 200)),
    );
    await expect(workflows.appendEvents(record.id, 'worker-a', 0, heavy)).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    });
    expect(await workflows.loadEvents(record.id)).toEqual([]);
    expect((await workflows.getExecutionById(record.id))?.lastEventId).toBe(0);

    // The largest batch and the largest event are accepted.
    await workflows.appendEvents(record.id, 'worker-a', 0, events(1, MAX_EVENTS_PER_APPEND));
    const largest = event(MAX_EVENTS_PER_APPEND + 1, 'z'.repeat(MAX_EXECUTION_DATA_BYTES - 200));
    await workflows.appendEvents(record.id, 'worker-a', MAX_EVENTS_PER_APPEND, [largest], {
      status: 'SUCCEEDED',
      stoppedAt: record.startedAt,
      output: 'o'.repeat(MAX_EXECUTION_DATA_BYTES - 10),
    });
    const loaded = await workflows.loadEvents(record.id, { afterId: MAX_EVENTS_PER_APPEND - 1 });
    expect(loaded.map((found) => found.id)).toEqual([MAX_EVENTS_PER_APPEND, MAX_EVENTS_PER_APPEND + 1]);
    expect(loaded[1]).toEqual(largest);
    expect((await workflows.getExecutionById(record.id))?.output).toHaveLength(MAX_EXECUTION_DATA_BYTES - 10);
  }, 60_000);
}
