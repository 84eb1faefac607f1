import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { ExecutionEvent } from '../../workflow/events.ts';
import type { Scope } from '../scope.ts';
import type { Store } from '../store.ts';
import type { ExecutionRecord } from '../workflows.ts';

/** Registers one case; the store suite's wrapper, which honours `skip`. */
export type ConformanceTest = (title: string, body: () => Promise<void>, timeout?: number) => void;

/** A fresh tenant per case keeps cases independent on a shared database. */
export const freshScope = (): Scope => ({ tenantId: `t-${randomUUID()}`, userId: 'alice' });

export const DEFINITION = JSON.stringify({ StartAt: 'Research', States: { Research: { Type: 'Pass', End: true } } });

export function newExecution(
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

export function event(id: number, input: unknown = { step: id }): ExecutionEvent {
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

export const events = (from: number, count: number): ExecutionEvent[] =>
  Array.from({ length: count }, (_, index) => event(from + index));

export const errorCode = (error: unknown) => (error as { code?: string }).code;

export function idsOf(page: { items: ExecutionRecord[] }): string[] {
  return page.items.map((execution) => execution.id);
}

/** Creating (expecting a new execution) and closing one, so no case leaves executions resumable for others. */
export function executionHelpers(store: () => Store) {
  return {
    create: async (record: Omit<ExecutionRecord, 'schemaVersion' | 'lastEventId'>) => {
      const { created, execution } = await store().workflows.createExecution(record);
      expect(created).toBe(true);
      return execution;
    },
    close: async (id: string) => {
      expect(await store().workflows.acquireLease(id, 'closer', Date.now() + 86_400_000, 0)).toBe(true);
      const { lastEventId } = (await store().workflows.getExecutionById(id))!;
      await store().workflows.appendEvents(id, 'closer', lastEventId, [], {
        status: 'ABORTED',
        stoppedAt: new Date().toISOString(),
      });
    },
  };
}
