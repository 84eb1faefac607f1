import { AgentryError } from '../../errors.ts';
import type { Page } from '../conversations.ts';
import type { WriteOptions } from '../durability.ts';
import { type JournalEntry, type JournalRecord, RUN_SCHEMA_VERSION, type RunRecord, type RunStore } from '../runs.ts';
import type { Scope } from '../scope.ts';
import { decodeCursor, encodeCursor, journalConflict, leaseLost, pageSize, runNotFound } from '../validation.ts';
import { jsonCopy } from './json-copy.ts';

const isPosition = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string');

const isIdPosition = (value: unknown): value is [string] =>
  Array.isArray(value) && value.length === 1 && typeof value[0] === 'string';

/** Runs and journals in process memory; same contracts as the durable backends. */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, RunRecord>();
  private readonly journals = new Map<string, JournalRecord[]>();
  private readonly cancels = new Set<string>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async createRun(run: Omit<RunRecord, 'schemaVersion'>): Promise<void> {
    this.checkCreateNow(run.id);
    this.createNow(run);
  }

  async getRun(scope: Scope, id: string): Promise<RunRecord | undefined> {
    const run = this.runs.get(id);
    return run && run.tenantId === scope.tenantId && run.userId === scope.userId ? jsonCopy(run) : undefined;
  }

  async getRunById(id: string): Promise<RunRecord | undefined> {
    const run = this.runs.get(id);
    return run && jsonCopy(run);
  }

  async listRuns(scope: Scope, options: { limit?: number; cursor?: string; conversationId?: string } = {}) {
    const limit = pageSize(options.limit);
    const after = decodeCursor(options.cursor, isPosition);
    const mine = [...this.runs.values()]
      .filter((run) => run.tenantId === scope.tenantId && run.userId === scope.userId)
      .filter((run) => options.conversationId === undefined || run.conversationId === options.conversationId)
      .sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt)))
      .filter((run) => !after || run.createdAt < after[0] || (run.createdAt === after[0] && run.id < after[1]));
    const items = mine.slice(0, limit).map((run) => jsonCopy(run));
    const last = items.at(-1);
    return mine.length > limit && last ? { items, nextCursor: encodeCursor([last.createdAt, last.id]) } : { items };
  }

  /** By id (UTF-16 code units); the cursor is the last item's id. */
  async listAllRuns(options: { limit?: number; cursor?: string } = {}): Promise<Page<RunRecord>> {
    const limit = pageSize(options.limit);
    const after = decodeCursor(options.cursor, isIdPosition);
    const all = [...this.runs.values()]
      .filter((run) => !after || run.id > after[0])
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const items = all.slice(0, limit).map((run) => jsonCopy(run));
    const last = items.at(-1);
    return all.length > limit && last ? { items, nextCursor: encodeCursor([last.id]) } : { items };
  }

  async appendJournal(
    runId: string,
    owner: string,
    expectedLastSeq: number,
    entries: readonly JournalEntry[],
    _options?: WriteOptions,
  ): Promise<void> {
    this.checkJournalNow(runId, owner, expectedLastSeq)(entries);
  }

  async loadJournal(runId: string): Promise<JournalRecord[]> {
    return jsonCopy(this.journals.get(runId) ?? []);
  }

  async acquireLease(runId: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const run = this.runs.get(runId);
    if (!run) throw runNotFound(runId);
    if (run.status !== 'running') return false;
    if (run.leaseOwner !== undefined && run.leaseOwner !== owner && (run.leaseExpiresAt ?? 0) > now) return false;
    run.leaseOwner = owner;
    run.leaseExpiresAt = now + ttlMs;
    run.updatedAt = this.now().toISOString();
    return true;
  }

  async finishRun(runId: string, owner: string, patch: Parameters<RunStore['finishRun']>[2]): Promise<void> {
    const run = this.runs.get(runId);
    if (!run) throw runNotFound(runId);
    if (run.leaseOwner !== owner) throw leaseLost(runId, owner);
    this.finishNow(run, patch);
  }

  async listAbandonedRuns(now: number, limit = 100): Promise<RunRecord[]> {
    return [...this.runs.values()]
      .filter((run) => run.status === 'running' && (run.leaseExpiresAt ?? 0) <= now)
      .slice(0, limit)
      .map((run) => jsonCopy(run));
  }
  async requestCancel(scope: Scope, runId: string): Promise<boolean> {
    const run = this.findNow(runId, scope);
    if (run?.status !== 'running') return false;
    this.cancels.add(runId);
    return true;
  }

  async cancelRequested(runId: string): Promise<boolean> {
    return this.cancels.has(runId);
  }

  // The synchronous cores below are shared with MemoryTurnStore, whose operations span this store
  // and the conversation store: with no `await` between their checks and writes, they stay atomic.

  checkCreateNow(runId: string): void {
    if (this.runs.has(runId)) throw new AgentryError('RUN_CONFLICT', `Run ${runId} already exists.`);
  }

  createNow(run: Omit<RunRecord, 'schemaVersion'>): void {
    this.runs.set(run.id, jsonCopy({ schemaVersion: RUN_SCHEMA_VERSION, ...run }));
    this.journals.set(run.id, []);
  }

  /** The run, if it exists in this scope (and conversation, when given). */
  findNow(runId: string, scope?: Scope, conversationId?: string): RunRecord | undefined {
    const run = this.runs.get(runId);
    if (!run || (scope && (run.tenantId !== scope.tenantId || run.userId !== scope.userId))) return undefined;
    return conversationId === undefined || run.conversationId === conversationId ? run : undefined;
  }

  /** Everything appendJournal checks, throwing its errors; returns the write. */
  checkJournalNow(runId: string, owner: string, expectedLastSeq: number): (entries: readonly JournalEntry[]) => void {
    const run = this.runs.get(runId);
    const journal = this.journals.get(runId);
    if (!run || !journal) throw runNotFound(runId);
    if (run.leaseOwner !== owner) throw leaseLost(runId, owner);
    if (journal.length !== expectedLastSeq) throw journalConflict(runId, expectedLastSeq, journal.length);
    return (entries) => {
      const at = this.now().toISOString();
      for (const entry of entries)
        journal.push({ runId, seq: journal.length + 1, entry: jsonCopy(entry), createdAt: at });
    };
  }

  finishNow(run: RunRecord, patch: Parameters<RunStore['finishRun']>[2]): void {
    Object.assign(run, jsonCopy(patch), { updatedAt: this.now().toISOString() });
    delete run.leaseOwner;
    delete run.leaseExpiresAt;
  }
}
