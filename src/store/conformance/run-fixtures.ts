import { randomUUID } from 'node:crypto';
import type { RunRecord } from '../runs.ts';
import type { Scope } from '../scope.ts';

/** A new `running` run of `scope` on conversation `c1`, leased to `worker-a` for a minute. */
export function newRun(scope: Scope, overrides: Partial<RunRecord> = {}): Omit<RunRecord, 'schemaVersion'> {
  const at = new Date().toISOString();
  return {
    id: randomUUID(),
    tenantId: scope.tenantId,
    userId: scope.userId,
    agent: 'assistant',
    conversationId: 'c1',
    query: 'What is 25 * 47?',
    status: 'running',
    createdAt: at,
    updatedAt: at,
    leaseOwner: 'worker-a',
    leaseExpiresAt: Date.now() + 60_000,
    ...overrides,
  };
}
