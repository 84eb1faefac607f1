import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { ExecutionEvent } from '../../workflow/events.ts';
import type { Scope } from '../scope.ts';
import type { Store } from '../store.ts';
import { MAX_EVENTS_PER_APPEND, MAX_EXECUTION_DATA_BYTES } from '../workflow-validation.ts';
import type { ExecutionRecord } from '../workflows.ts';

/** Registers one case; the store suite's wrapper, which honours `skip`. */
export type ConformanceTest = (title: string, body: () => Promise<void>, timeout?: number) => void;

const freshScope = (): Scope => ({ tenantId: `t-${randomUUID()}`, userId: 'alice' });

const DEFINITION = JSON.stringify({ StartAt: 'Research', States: { Research: { Type: 'Pass', End: true } } });

function newExecution(
  scope: Scope,
  overrides: Partial<ExecutionRecord> = {},
): Omit<ExecutionRecord, 'schemaVersion' | 'lastEventId'> {
  const at = new Date().toISOString();
  return {
    id: randomUUID(),
    tenantId: scope.tenantId,
    userId: scope.userId,
    workflow: 'research',
    name: randomUUID(),
    definition: DEFINITION,
    input: { topic: 'SageMaker' },
    status: 'RUNNING',
    startedAt: at,
    updatedAt: at,
    leaseOwner: 'worker-a',
    leaseExpiresAt: Date.now() + 60_000,
    ...overrides,
  };
}

function event(id: number, input: unknown = { step: id }): ExecutionEvent {
  return {
    type: 'StateEntered',
    state: 'Research',
    stateType: 'Pass',
    input,
    id,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
    path: '',
  };
}

const events = (from: number, count: number): ExecutionEvent[] =>
  Array.from({ length: count }, (_, index) => event(from + index));

const code = (error: unknown) => (error as { code?: string }).code;

/** The workflows domain of the store suite: executions, their histories and leases, task tokens. */
export function describeWorkflowConformance(store: () => Store, test: ConformanceTest): void {
  describe('workflows', () => {
    const create = async (record: Omit<ExecutionRecord, 'schemaVersion' | 'lastEventId'>) => {
      const { created, execution } = await store().workflows.createExecution(record);
      expect(created).toBe(true);
      return execution;
    };
    /** Ends an execution so it is not left resumable for other cases' listings. */
    const close = async (id: string) => {
      expect(await store().workflows.acquireLease(id, 'closer', Date.now() + 86_400_000, 0)).toBe(true);
      const { lastEventId } = (await store().workflows.getExecutionById(id))!;
      await store().workflows.appendEvents(id, 'closer', lastEventId, [], {
        status: 'ABORTED',
        stoppedAt: new Date().toISOString(),
      });
    };

    test('creates an execution idempotently by tenant, user, workflow and name', async () => {
      const scope = freshScope();
      const record = newExecution(scope, { name: 'daily-report' });
      const first = await store().workflows.createExecution(record);
      expect(first.created).toBe(true);
      expect(first.execution).toEqual({ schemaVersion: 1, ...record, lastEventId: 0 });
      expect(await store().workflows.getExecution(scope, record.id)).toEqual(first.execution);

      // Same key, another id and input: the first execution, unchanged.
      const again = await store().workflows.createExecution(
        newExecution(scope, { name: 'daily-report', input: { topic: 'other' }, leaseOwner: 'worker-b' }),
      );
      expect(again).toEqual({ created: false, execution: first.execution });

      // The same name for another user, tenant or workflow is another execution.
      const others: Scope[] = [
        { ...scope, userId: 'bob' },
        { tenantId: `${scope.tenantId}-other`, userId: 'alice' },
      ];
      const ids = new Set([record.id]);
      for (const other of others) {
        ids.add((await create(newExecution(other, { name: 'daily-report' }))).id);
      }
      ids.add((await create(newExecution(scope, { name: 'daily-report', workflow: 'other-workflow' }))).id);
      expect(ids.size).toBe(4);
      for (const id of ids) await close(id);
    });

    test('10 concurrent starts of one name create one execution', async () => {
      const scope = freshScope();
      const starts = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          store().workflows.createExecution(newExecution(scope, { name: 'once', input: { index } })),
        ),
      );
      expect(starts.filter((start) => start.created)).toHaveLength(1);
      const winner = starts.find((start) => start.created)!.execution;
      for (const start of starts) expect(start.execution).toEqual(winner);
      expect((await store().workflows.listExecutions(scope)).items).toEqual([winner]);
      await close(winner.id);
    });

    test('refuses an id taken by an execution of another name', async () => {
      const scope = freshScope();
      const record = newExecution(scope);
      await create(record);
      await expect(
        store().workflows.createExecution(newExecution(scope, { id: record.id, name: 'another' })),
      ).rejects.toMatchObject({ code: 'EXECUTION_ALREADY_EXISTS' });
      expect(await store().workflows.getExecutionById(record.id)).toMatchObject({ name: record.name });
      await close(record.id);
    });

    test('isolates users and tenants: a guessed id reads and lists nothing', async () => {
      const alice = freshScope();
      const record = newExecution(alice);
      await create(record);
      const intruders: Scope[] = [
        { tenantId: alice.tenantId, userId: 'mallory' },
        { tenantId: `t-${randomUUID()}`, userId: 'alice' },
      ];
      for (const intruder of intruders) {
        expect(await store().workflows.getExecution(intruder, record.id)).toBeUndefined();
        expect((await store().workflows.listExecutions(intruder)).items).toEqual([]);
        expect((await store().workflows.listExecutions(intruder, { workflow: 'research' })).items).toEqual([]);
      }
      expect(await store().workflows.getExecution(alice, 'no-such-execution')).toBeUndefined();
      expect(await store().workflows.getExecutionById('no-such-execution')).toBeUndefined();
      expect((await store().workflows.getExecutionById(record.id))?.tenantId).toBe(alice.tenantId);
      await close(record.id);
    });

    test('appends numbered history only on the expected id and only for the lease holder', async () => {
      const scope = freshScope();
      const record = newExecution(scope);
      await create(record);
      const workflows = store().workflows;
      await workflows.appendEvents(record.id, 'worker-a', 0, events(1, 2));
      const expectFailure = async (promise: Promise<void>, errorCode: string) => {
        await expect(promise).rejects.toMatchObject({ code: errorCode });
      };
      await expectFailure(workflows.appendEvents(record.id, 'worker-a', 1, [event(2)]), 'EXECUTION_CONFLICT');
      await expectFailure(workflows.appendEvents(record.id, 'worker-a', 3, [event(4)]), 'EXECUTION_CONFLICT');
      await expectFailure(workflows.appendEvents(record.id, 'worker-b', 2, [event(3)]), 'EXECUTION_LEASE_LOST');
      // The caller numbers events: a gap or a wrong id is refused before anything is written.
      await expectFailure(workflows.appendEvents(record.id, 'worker-a', 2, [event(4)]), 'INPUT_INVALID');
      await expectFailure(workflows.appendEvents(record.id, 'worker-a', 2, [event(3), event(5)]), 'INPUT_INVALID');
      await expectFailure(
        workflows.appendEvents('no-such-execution', 'worker-a', 0, [event(1)]),
        'EXECUTION_NOT_FOUND',
      );
      expect(await workflows.loadEvents(record.id)).toEqual(events(1, 2));
      expect((await workflows.getExecution(scope, record.id))?.lastEventId).toBe(2);

      await workflows.appendEvents(record.id, 'worker-a', 2, [event(3)]);
      expect(await workflows.loadEvents(record.id)).toEqual(events(1, 3));
      const current = await workflows.getExecution(scope, record.id);
      expect(current).toMatchObject({ lastEventId: 3, status: 'RUNNING', leaseOwner: 'worker-a' });
      await close(record.id);
    });

    test('appends and finishes in one write; a refused finish changes nothing', async () => {
      const scope = freshScope();
      const record = newExecution(scope);
      await create(record);
      const workflows = store().workflows;
      await workflows.appendEvents(record.id, 'worker-a', 0, events(1, 2));
      const finish = {
        status: 'SUCCEEDED' as const,
        stoppedAt: '2026-01-01T00:01:00.000Z',
        output: { summary: 'done', items: [1, 2, { deep: [null, true] }] },
      };
      await expect(workflows.appendEvents(record.id, 'worker-b', 2, [event(3)], finish)).rejects.toMatchObject({
        code: 'EXECUTION_LEASE_LOST',
      });
      await expect(workflows.appendEvents(record.id, 'worker-a', 1, [event(2)], finish)).rejects.toMatchObject({
        code: 'EXECUTION_CONFLICT',
      });
      const untouched = await workflows.getExecution(scope, record.id);
      expect(untouched).toMatchObject({ status: 'RUNNING', lastEventId: 2, leaseOwner: 'worker-a' });
      expect(untouched?.output).toBeUndefined();
      expect(untouched?.stoppedAt).toBeUndefined();

      const succeeded = { ...event(3), type: 'ExecutionSucceeded', output: finish.output } as ExecutionEvent;
      await workflows.appendEvents(record.id, 'worker-a', 2, [succeeded], finish);
      const done = await workflows.getExecution(scope, record.id);
      expect(done).toMatchObject({
        status: 'SUCCEEDED',
        stoppedAt: finish.stoppedAt,
        output: finish.output,
        lastEventId: 3,
      });
      expect(done?.leaseOwner).toBeUndefined();
      expect(done?.leaseExpiresAt).toBeUndefined();
      expect(done?.error).toBeUndefined();
      expect(await workflows.loadEvents(record.id)).toEqual([...events(1, 2), succeeded]);
      // Released: the old holder can write no more, and a finished execution cannot be leased again.
      await expect(workflows.appendEvents(record.id, 'worker-a', 3, [event(4)])).rejects.toMatchObject({
        code: 'EXECUTION_LEASE_LOST',
      });
      expect(await workflows.acquireLease(record.id, 'worker-a', Date.now(), 10_000)).toBe(false);

      // A failure, finished without events.
      const failing = newExecution(scope);
      await create(failing);
      await workflows.appendEvents(failing.id, 'worker-a', 0, [], {
        status: 'FAILED',
        stoppedAt: '2026-01-01T00:02:00.000Z',
        error: 'States.TaskFailed',
        cause: 'The model said no. 🙅',
      });
      const failed = await workflows.getExecution(scope, failing.id);
      expect(failed).toMatchObject({
        status: 'FAILED',
        error: 'States.TaskFailed',
        cause: 'The model said no. 🙅',
        lastEventId: 0,
      });
      expect(failed?.output).toBeUndefined();
      expect(await workflows.loadEvents(failing.id)).toEqual([]);
    });

    test('20 concurrent appenders with the same expected id: exactly one wins', async () => {
      const scope = freshScope();
      const record = newExecution(scope);
      await create(record);
      const workflows = store().workflows;
      await workflows.appendEvents(record.id, 'worker-a', 0, [event(1)]);
      const attempts = await Promise.allSettled(
        Array.from({ length: 20 }, (_, writer) =>
          workflows.appendEvents(record.id, 'worker-a', 1, [event(2, { writer }), event(3, { writer })]),
        ),
      );
      const winners = attempts.flatMap((attempt, writer) => (attempt.status === 'fulfilled' ? [writer] : []));
      expect(winners).toHaveLength(1);
      for (const attempt of attempts) {
        if (attempt.status === 'rejected') expect(code(attempt.reason)).toBe('EXECUTION_CONFLICT');
      }
      const writer = winners[0];
      expect(await workflows.loadEvents(record.id)).toEqual([event(1), event(2, { writer }), event(3, { writer })]);
      expect((await workflows.getExecutionById(record.id))?.lastEventId).toBe(3);
      await close(record.id);
    }, 60_000);

    test('loads history after an id, at most a limit', async () => {
      const scope = freshScope();
      const record = newExecution(scope);
      await create(record);
      const workflows = store().workflows;
      await workflows.appendEvents(record.id, 'worker-a', 0, events(1, 10));
      const ids = async (options?: { afterId?: number; limit?: number }) =>
        (await workflows.loadEvents(record.id, options)).map((loaded) => loaded.id);
      expect(await ids()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(await ids({ afterId: 7 })).toEqual([8, 9, 10]);
      expect(await ids({ afterId: 2, limit: 3 })).toEqual([3, 4, 5]);
      expect(await ids({ limit: 2 })).toEqual([1, 2]);
      expect(await ids({ limit: 0 })).toEqual([]);
      expect(await ids({ afterId: 10 })).toEqual([]);
      expect(await workflows.loadEvents('no-such-execution')).toEqual([]);
      await close(record.id);
    });

    test('leases: free, expired or own leases are taken, a live one of another is not; ttl 0 hands over', async () => {
      const scope = freshScope();
      const now = Date.now();
      const record = newExecution(scope, { leaseOwner: 'worker-a', leaseExpiresAt: now + 10_000 });
      await create(record);
      const workflows = store().workflows;
      expect(await workflows.acquireLease(record.id, 'worker-b', now, 10_000)).toBe(false);
      expect(await workflows.acquireLease(record.id, 'worker-a', now, 10_000)).toBe(true);
      expect(await workflows.getExecutionById(record.id)).toMatchObject({
        leaseOwner: 'worker-a',
        leaseExpiresAt: now + 10_000,
      });
      expect(await workflows.acquireLease(record.id, 'worker-b', now + 10_000, 10_000)).toBe(true);
      await expect(workflows.appendEvents(record.id, 'worker-a', 0, [event(1)])).rejects.toMatchObject({
        code: 'EXECUTION_LEASE_LOST',
      });
      await workflows.appendEvents(record.id, 'worker-b', 0, [event(1)]);
      // ttl 0: held by b, but expired at once, so c takes it at the same instant.
      const later = now + 30_000;
      expect(await workflows.acquireLease(record.id, 'worker-b', later, 0)).toBe(true);
      expect(await workflows.acquireLease(record.id, 'worker-c', later, 10_000)).toBe(true);
      await workflows.appendEvents(record.id, 'worker-c', 1, [event(2)]);
      await expect(workflows.acquireLease('no-such-execution', 'worker-a', now, 1_000)).rejects.toMatchObject({
        code: 'EXECUTION_NOT_FOUND',
      });
      await close(record.id);
    });

    test('lists abandoned executions: running with an expired lease, oldest lease first', async () => {
      const scope = freshScope();
      const now = Date.now() + 3_600_000; // later than every other case's leases
      const workflows = store().workflows;
      const unleased = newExecution(scope);
      delete unleased.leaseOwner;
      delete unleased.leaseExpiresAt;
      const older = newExecution(scope, { leaseExpiresAt: now - 20 });
      const newer = newExecution(scope, { leaseExpiresAt: now - 10 });
      const live = newExecution(scope, { leaseExpiresAt: now + 60_000 });
      const done = newExecution(scope, { leaseExpiresAt: now - 30 });
      for (const record of [newer, live, older, unleased, done]) await create(record);
      await workflows.appendEvents(done.id, 'worker-a', 0, [event(1)], {
        status: 'SUCCEEDED',
        stoppedAt: new Date().toISOString(),
        output: null,
      });
      const abandoned = (await workflows.listAbandonedExecutions(now, 1_000)).map((execution) => execution.id);
      const mine = abandoned.filter((id) => [unleased.id, older.id, newer.id, live.id, done.id].includes(id));
      expect(mine).toEqual([unleased.id, older.id, newer.id]);
      const listed = (await workflows.listAbandonedExecutions(now, 1_000)).find((found) => found.id === older.id);
      expect(listed).toMatchObject({ ...older, schemaVersion: 1, lastEventId: 0 });
      // Taken over: no longer abandoned.
      expect(await workflows.acquireLease(older.id, 'worker-b', now, 60_000)).toBe(true);
      expect((await workflows.listAbandonedExecutions(now, 1_000)).map((execution) => execution.id)).not.toContain(
        older.id,
      );
      expect(await workflows.listAbandonedExecutions(now, 0)).toEqual([]);
      for (const record of [unleased, older, newer, live]) await close(record.id);
    });

    test('lists executions newest first, filtered by workflow and status, in pages', async () => {
      const scope = freshScope();
      const base = Date.parse('2026-01-01T00:00:00.000Z');
      const ids: string[] = [];
      for (let index = 0; index < 5; index++) {
        const record = newExecution(scope, {
          id: `e${index}-${randomUUID()}`,
          workflow: index % 2 === 0 ? 'even' : 'odd',
          startedAt: new Date(base + index * 1000).toISOString(),
        });
        await create(record);
        ids.push(record.id);
      }
      const workflows = store().workflows;
      await workflows.appendEvents(ids[2]!, 'worker-a', 0, [], {
        status: 'SUCCEEDED',
        stoppedAt: '2026-01-02T00:00:00.000Z',
      });
      const short = (page: { items: ExecutionRecord[] }) =>
        page.items.map((execution) => execution.id.slice(0, execution.id.indexOf('-')));

      const first = await workflows.listExecutions(scope, { limit: 2 });
      expect(short(first)).toEqual(['e4', 'e3']);
      const second = await workflows.listExecutions(scope, { limit: 2, cursor: first.nextCursor! });
      expect(short(second)).toEqual(['e2', 'e1']);
      const third = await workflows.listExecutions(scope, { limit: 2, cursor: second.nextCursor! });
      expect(short(third)).toEqual(['e0']);
      expect(third.nextCursor).toBeUndefined();
      const all = await workflows.listExecutions(scope);
      expect(short(all)).toEqual(['e4', 'e3', 'e2', 'e1', 'e0']);
      expect(all.items[0]).toMatchObject({ schemaVersion: 1, definition: DEFINITION, input: { topic: 'SageMaker' } });

      expect(short(await workflows.listExecutions(scope, { workflow: 'even' }))).toEqual(['e4', 'e2', 'e0']);
      expect(short(await workflows.listExecutions(scope, { status: 'RUNNING' }))).toEqual(['e4', 'e3', 'e1', 'e0']);
      expect(short(await workflows.listExecutions(scope, { workflow: 'even', status: 'RUNNING' }))).toEqual([
        'e4',
        'e0',
      ]);
      expect(short(await workflows.listExecutions(scope, { status: 'FAILED' }))).toEqual([]);
      // Filtered pages, one item each.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await workflows.listExecutions(scope, {
          workflow: 'even',
          status: 'RUNNING',
          limit: 1,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...short(page));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(seen).toEqual(['e4', 'e0']);
      await expect(workflows.listExecutions(scope, { cursor: 'not-a-cursor' })).rejects.toMatchObject({
        code: 'INPUT_INVALID',
      });
      for (const id of ids) if (id !== ids[2]) await close(id);
    });

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
        if (result.status === 'rejected') expect(code(result.reason)).toBe('TASK_TOKEN_ALREADY_COMPLETED');
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
  });
}

function idsOf(page: { items: ExecutionRecord[] }): string[] {
  return page.items.map((execution) => execution.id);
}
