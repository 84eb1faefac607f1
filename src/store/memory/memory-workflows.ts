import type { ExecutionEvent } from '../../workflow/events.ts';
import type { Page } from '../conversations.ts';
import type { Scope } from '../scope.ts';
import { decodeCursor, encodeCursor } from '../validation.ts';
import {
  checkNewTaskToken,
  encodeEvents,
  encodeFinish,
  encodeNewExecution,
  encodeOutcome,
  executionConflict,
  executionIdTaken,
  executionLeaseLost,
  executionNotFound,
  executionPageSize,
  taskTokenCompleted,
  taskTokenInvalid,
} from '../workflow-validation.ts';
import {
  EXECUTION_SCHEMA_VERSION,
  type ExecutionFinish,
  type ExecutionRecord,
  type ExecutionStatus,
  type TaskTokenOutcome,
  type TaskTokenRecord,
  type WorkflowStore,
} from '../workflows.ts';

const isPosition = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string');

/** Newest first: startedAt, then id, both descending. */
const newestFirst = (a: ExecutionRecord, b: ExecutionRecord): number =>
  a.startedAt === b.startedAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.startedAt < b.startedAt ? 1 : -1;

/**
 * Workflow executions, histories and task tokens in process memory; same contracts and limits as the
 * durable backends. Records are cloned in and out; events are kept as their JSON, as the durable backends
 * keep them, so what a caller reads back is what any backend would return.
 */
export class MemoryWorkflowStore implements WorkflowStore {
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly stops = new Set<string>();
  /** `[tenant, user, workflow, name]` as JSON → execution id. */
  private readonly names = new Map<string, string>();
  private readonly histories = new Map<string, string[]>();
  private readonly tokens = new Map<string, TaskTokenRecord>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async createExecution(
    record: Omit<ExecutionRecord, 'schemaVersion' | 'lastEventId'>,
  ): Promise<{ created: boolean; execution: ExecutionRecord }> {
    encodeNewExecution(record);
    const name = JSON.stringify([record.tenantId, record.userId, record.workflow, record.name]);
    const existing = this.names.get(name);
    if (existing !== undefined) return { created: false, execution: structuredClone(this.executions.get(existing)!) };
    if (this.executions.has(record.id)) throw executionIdTaken(record.id);
    const execution: ExecutionRecord = structuredClone({
      schemaVersion: EXECUTION_SCHEMA_VERSION,
      ...record,
      lastEventId: 0,
    });
    this.executions.set(record.id, execution);
    this.names.set(name, record.id);
    this.histories.set(record.id, []);
    return { created: true, execution: structuredClone(execution) };
  }

  async getExecution(scope: Scope, id: string): Promise<ExecutionRecord | undefined> {
    const execution = this.executions.get(id);
    return execution && execution.tenantId === scope.tenantId && execution.userId === scope.userId
      ? structuredClone(execution)
      : undefined;
  }

  async getExecutionById(id: string): Promise<ExecutionRecord | undefined> {
    const execution = this.executions.get(id);
    return execution && structuredClone(execution);
  }

  async listExecutions(
    scope: Scope,
    options: { workflow?: string; status?: ExecutionStatus; limit?: number; cursor?: string } = {},
  ): Promise<Page<ExecutionRecord>> {
    const limit = executionPageSize(options.limit);
    const after = decodeCursor(options.cursor, isPosition);
    const matching = [...this.executions.values()]
      .filter((execution) => execution.tenantId === scope.tenantId && execution.userId === scope.userId)
      .filter((execution) => options.workflow === undefined || execution.workflow === options.workflow)
      .filter((execution) => options.status === undefined || execution.status === options.status)
      .filter(
        (execution) =>
          !after || execution.startedAt < after[0] || (execution.startedAt === after[0] && execution.id < after[1]),
      )
      .sort(newestFirst);
    const items = matching.slice(0, limit).map((execution) => structuredClone(execution));
    const last = items.at(-1);
    return matching.length > limit && last ? { items, nextCursor: encodeCursor([last.startedAt, last.id]) } : { items };
  }

  async appendEvents(
    executionId: string,
    owner: string,
    expectedLastId: number,
    events: readonly ExecutionEvent[],
    finish?: ExecutionFinish,
  ): Promise<void> {
    const bodies = encodeEvents(expectedLastId, events);
    const ended = finish && encodeFinish(finish);
    const execution = this.executions.get(executionId);
    const history = this.histories.get(executionId);
    if (!execution || !history) throw executionNotFound(executionId);
    if (execution.leaseOwner !== owner) throw executionLeaseLost(executionId, owner);
    if (execution.lastEventId !== expectedLastId) {
      throw executionConflict(executionId, expectedLastId, execution.lastEventId);
    }
    history.push(...bodies);
    execution.lastEventId = history.length;
    execution.updatedAt = this.now().toISOString();
    if (!ended) return;
    execution.status = ended.status;
    execution.stoppedAt = ended.stoppedAt;
    if (ended.output !== undefined) execution.output = JSON.parse(ended.output);
    if (ended.error !== undefined) execution.error = ended.error;
    if (ended.cause !== undefined) execution.cause = ended.cause;
    delete execution.leaseOwner;
    delete execution.leaseExpiresAt;
  }

  async loadEvents(executionId: string, options: { afterId?: number; limit?: number } = {}): Promise<ExecutionEvent[]> {
    const history = this.histories.get(executionId) ?? [];
    const from = Math.max(0, Math.floor(options.afterId ?? 0));
    const to = options.limit === undefined ? history.length : from + Math.max(0, Math.floor(options.limit));
    return history.slice(from, to).map((body) => JSON.parse(body) as ExecutionEvent);
  }

  async acquireLease(executionId: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const execution = this.executions.get(executionId);
    if (!execution) throw executionNotFound(executionId);
    if (execution.status !== 'RUNNING') return false;
    const held = execution.leaseOwner !== undefined && execution.leaseOwner !== owner;
    if (held && (execution.leaseExpiresAt ?? 0) > now) return false;
    execution.leaseOwner = owner;
    execution.leaseExpiresAt = now + ttlMs;
    execution.updatedAt = this.now().toISOString();
    return true;
  }

  async requestStop(scope: Scope, executionId: string): Promise<boolean> {
    const execution = this.executions.get(executionId);
    const mine = execution?.tenantId === scope.tenantId && execution.userId === scope.userId;
    if (!mine || execution.status !== 'RUNNING') return false;
    this.stops.add(executionId);
    return true;
  }

  async stopRequested(executionId: string): Promise<boolean> {
    return this.stops.has(executionId);
  }

  async listAbandonedExecutions(now: number, limit = 100): Promise<ExecutionRecord[]> {
    const expiry = (execution: ExecutionRecord) => execution.leaseExpiresAt ?? 0;
    return [...this.executions.values()]
      .filter((execution) => execution.status === 'RUNNING' && expiry(execution) <= now)
      .sort((a, b) => expiry(a) - expiry(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, Math.max(0, Math.floor(limit)))
      .map((execution) => structuredClone(execution));
  }

  async createTaskToken(
    record: Omit<TaskTokenRecord, 'schemaVersion' | 'status' | 'completedAt' | 'output' | 'error' | 'cause'>,
  ): Promise<{ created: boolean; token: TaskTokenRecord }> {
    checkNewTaskToken(record);
    const existing = this.tokens.get(record.token);
    if (existing) return { created: false, token: structuredClone(existing) };
    const token: TaskTokenRecord = structuredClone({
      schemaVersion: EXECUTION_SCHEMA_VERSION,
      ...record,
      status: 'waiting',
    });
    this.tokens.set(record.token, token);
    return { created: true, token: structuredClone(token) };
  }

  async getTaskToken(scope: Pick<Scope, 'tenantId'>, token: string): Promise<TaskTokenRecord | undefined> {
    const record = this.tokens.get(token);
    return record && record.tenantId === scope.tenantId ? structuredClone(record) : undefined;
  }

  async completeTaskToken(
    scope: Pick<Scope, 'tenantId'>,
    token: string,
    outcome: TaskTokenOutcome,
    completedAt: string,
  ): Promise<TaskTokenRecord> {
    const result = encodeOutcome(outcome);
    const record = this.tokens.get(token);
    if (!record || record.tenantId !== scope.tenantId) throw taskTokenInvalid();
    if (record.status !== 'waiting') throw taskTokenCompleted();
    record.status = outcome.status;
    record.completedAt = completedAt;
    if (result.output !== undefined) record.output = JSON.parse(result.output);
    if (result.error !== undefined) record.error = result.error;
    if (result.cause !== undefined) record.cause = result.cause;
    return structuredClone(record);
  }
}
