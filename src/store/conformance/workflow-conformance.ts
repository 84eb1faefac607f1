import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { ExecutionEvent } from '../../workflow/events.ts';
import type { Scope } from '../scope.ts';
import type { Store } from '../store.ts';
import type { ExecutionRecord } from '../workflows.ts';
import { registerWorkflowDataCases } from './workflow-data-conformance.ts';
import {
  type ConformanceTest,
  DEFINITION,
  errorCode,
  event,
  events,
  executionHelpers,
  freshScope,
  newExecution,
} from './workflow-fixtures.ts';

/** The workflows domain of the store suite: executions, their histories and leases, task tokens, limits. */
export function describeWorkflowConformance(store: () => Store, test: ConformanceTest): void {
  describe('workflows', () => {
    const { create, close } = executionHelpers(store);

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
        if (attempt.status === 'rejected') expect(errorCode(attempt.reason)).toBe('EXECUTION_CONFLICT');
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

    test('marks a running execution to stop from any process, within its scope only', async () => {
      const scope = freshScope();
      const record = newExecution(scope);
      await create(record);
      const workflows = store().workflows;
      expect(await workflows.stopRequested(record.id)).toBe(false);
      expect(await workflows.requestStop({ ...scope, userId: 'mallory' }, record.id)).toBe(false);
      expect(await workflows.requestStop({ tenantId: 'other', userId: scope.userId }, record.id)).toBe(false);
      expect(await workflows.stopRequested(record.id)).toBe(false);
      expect(await workflows.requestStop(scope, record.id)).toBe(true);
      expect(await workflows.requestStop(scope, record.id)).toBe(true);
      expect(await workflows.stopRequested(record.id)).toBe(true);
      expect(await workflows.getExecution(scope, record.id)).toMatchObject({ status: 'RUNNING' });
      const ended = newExecution(scope);
      await create(ended);
      await workflows.appendEvents(ended.id, 'worker-a', 0, [event(1)], {
        status: 'SUCCEEDED',
        stoppedAt: '2026-01-01T00:01:00.000Z',
        output: {},
      });
      expect(await workflows.requestStop(scope, ended.id)).toBe(false);
      expect(await workflows.stopRequested(ended.id)).toBe(false);
      expect(await workflows.requestStop(scope, 'no-such-execution')).toBe(false);
      expect(await workflows.stopRequested('no-such-execution')).toBe(false);
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

    registerWorkflowDataCases(store, test);
  });
}
