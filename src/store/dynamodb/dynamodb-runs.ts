import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AgentryError } from '../../errors.ts';
import type { Page } from '../conversations.ts';
import type { JournalEntry, JournalRecord, RunRecord, RunStore } from '../runs.ts';
import type { Scope } from '../scope.ts';
import { decodeCursor, encodeCursor, journalConflict, leaseLost, pageSize, runNotFound } from '../validation.ts';
import { checkAppend } from './item-limits.ts';
import { ItemReader, isRecord, keyOf } from './item-reader.ts';
import { checkSeq, createdKey, runKey, scopeKey } from './keys.ts';
import { isConditionalCheckFailed, mapDynamoDbError, mapped } from './map-dynamodb-error.ts';
import { queryItems } from './query-items.ts';
import { isRequested, markRequest, type RequestMark } from './request-marks.ts';
import {
  finishUpdate,
  journalItem,
  RESUMABLE,
  readJournal,
  readRun,
  runItem,
  SESSIONS_KEY_NAMES,
} from './run-items.ts';
import { scanItems } from './scan-items.ts';
import { INDEXES } from './tables.ts';
import {
  type CancellationReason,
  type TransactOptions,
  transactWrite,
  wireNumber,
  wireString,
} from './transact-write.ts';

const isPosition = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string');

const isRunKey = (value: unknown): value is { session_id: string; timestamp: 0 } =>
  isRecord(value) &&
  Object.keys(value).length === 2 &&
  typeof value['session_id'] === 'string' &&
  value['timestamp'] === 0;

/** Items a filtered listRuns reads per request (DynamoDB applies Limit before the filter). */
const FILTERED_PAGE_SIZE = 100;

/**
 * Runs and journals in the agent-sessions table (items: run-items.ts).
 *
 * Races and how they are closed:
 * - A journal append is one transaction: the run item's update conditional on the lease owner and
 *   `journal_seq`, plus one Put per entry conditional on the key being new. A writer that lost its
 *   lease or is behind writes nothing.
 * - Leases are conditional updates of the run item, so two resumers cannot both take one.
 * - listAbandonedRuns reads a GSI (eventually consistent): a run listed there may just have been
 *   re-leased. Resumers must acquireLease before acting, which re-checks on the item itself.
 */
export class DynamoDbRunStore implements RunStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
    private readonly transact: TransactOptions = {},
  ) {}

  async createRun(run: Omit<RunRecord, 'schemaVersion'>): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: runItem(run),
          ConditionExpression: 'attribute_not_exists(session_id)',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new AgentryError('RUN_CONFLICT', `Run ${run.id} already exists.`);
      throw mapDynamoDbError(error);
    }
  }

  async getRun(scope: Scope, id: string): Promise<RunRecord | undefined> {
    const run = await this.getRunById(id);
    return run && run.tenantId === scope.tenantId && run.userId === scope.userId ? run : undefined;
  }

  async getRunById(id: string): Promise<RunRecord | undefined> {
    const item = await this.runItem(id);
    return item && readRun(this.table, item);
  }

  /** Newest first through the `by-scope` GSI (eventually consistent); by conversation with a filter. */
  async listRuns(
    scope: Scope,
    options: { limit?: number; cursor?: string; conversationId?: string } = {},
  ): Promise<{ items: RunRecord[]; nextCursor?: string }> {
    const limit = pageSize(options.limit);
    const after = decodeCursor(options.cursor, isPosition);
    const filtered = options.conversationId !== undefined;
    const items = await queryItems(
      this.doc,
      {
        TableName: this.table,
        IndexName: INDEXES.runsByScope,
        KeyConditionExpression: after ? 'scope_key = :scope AND created_key < :after' : 'scope_key = :scope',
        ...(filtered ? { FilterExpression: 'conversation_id = :conversation' } : {}),
        ExpressionAttributeValues: {
          ':scope': scopeKey(scope),
          ...(after ? { ':after': createdKey(after[0], after[1]) } : {}),
          ...(filtered ? { ':conversation': options.conversationId } : {}),
        },
        ScanIndexForward: false,
      },
      { max: limit + 1, pageSize: FILTERED_PAGE_SIZE },
    );
    const runs = items.slice(0, limit).map((item) => readRun(this.table, item));
    const last = runs.at(-1);
    return items.length > limit && last
      ? { items: runs, nextCursor: encodeCursor([last.createdAt, last.id]) }
      : { items: runs };
  }

  /**
   * A consistent Scan filtered to run items (`timestamp` 0): journal items are read and dropped
   * too. For backups only. Order is DynamoDB's scan order; the cursor is the last run's key.
   */
  async listAllRuns(options: { limit?: number; cursor?: string } = {}): Promise<Page<RunRecord>> {
    const limit = pageSize(options.limit);
    const items = await scanItems(
      this.doc,
      {
        TableName: this.table,
        FilterExpression: '#ts = :zero',
        ExpressionAttributeNames: { '#ts': 'timestamp' },
        ExpressionAttributeValues: { ':zero': 0 },
        ConsistentRead: true,
      },
      { max: limit + 1, start: decodeCursor(options.cursor, isRunKey) },
    );
    const page = items.slice(0, limit);
    const runs = page.map((item) => readRun(this.table, item));
    const last = page.at(-1);
    return items.length > limit && last
      ? { items: runs, nextCursor: encodeCursor(keyOf(last, SESSIONS_KEY_NAMES)) }
      : { items: runs };
  }

  /** One transaction, so at most 99 entries at once (INPUT_INVALID above that). */
  async appendJournal(
    runId: string,
    owner: string,
    expectedLastSeq: number,
    entries: readonly JournalEntry[],
  ): Promise<void> {
    const bodies = entries.map((entry) => JSON.stringify(entry));
    checkAppend(bodies, 'Journal entry', 'INPUT_INVALID');
    const lastSeq = checkSeq(checkSeq(expectedLastSeq, 'expectedLastSeq') + bodies.length, 'lastSeq');
    const at = this.now().toISOString();
    const result = await transactWrite(
      this.doc,
      {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: runKey(runId),
              UpdateExpression: 'SET journal_seq = :last',
              ConditionExpression: 'lease_owner = :owner AND journal_seq = :expected',
              ExpressionAttributeValues: { ':last': lastSeq, ':owner': owner, ':expected': expectedLastSeq },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          ...bodies.map((body, index) => ({
            Put: {
              TableName: this.table,
              Item: journalItem(runId, expectedLastSeq + index + 1, body, at),
              ConditionExpression: 'attribute_not_exists(session_id)',
            },
          })),
        ],
      },
      this.transact,
    );
    if (!result.ok) throw await this.appendFailure(runId, owner, expectedLastSeq, result.reasons);
  }

  async loadJournal(runId: string): Promise<JournalRecord[]> {
    const items = await queryItems(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'session_id = :run AND #ts > :zero',
      ExpressionAttributeNames: { '#ts': 'timestamp' },
      ExpressionAttributeValues: { ':run': runKey(runId).session_id, ':zero': 0 },
      ConsistentRead: true,
    });
    return items.map((item) => readJournal(this.table, item));
  }

  async acquireLease(runId: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(runId),
          UpdateExpression:
            'SET lease_owner = :owner, lease_expires_at = :expires, resume_at = :expires, updated_at = :at',
          ConditionExpression:
            'attribute_exists(session_id) AND #status = :running AND (attribute_not_exists(lease_owner) OR ' +
            'lease_owner = :owner OR attribute_not_exists(lease_expires_at) OR lease_expires_at <= :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':expires': now + ttlMs,
            ':at': this.now().toISOString(),
            ':running': 'running',
            ':now': now,
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw mapDynamoDbError(error);
    }
    if (!(await this.runItem(runId))) throw runNotFound(runId);
    return false;
  }

  async requestCancel(scope: Scope, runId: string): Promise<boolean> {
    return markRequest(this.doc, this.cancelMark(runId), scope, this.now().toISOString());
  }

  async cancelRequested(runId: string): Promise<boolean> {
    return isRequested(this.doc, this.cancelMark(runId));
  }

  private cancelMark(runId: string): RequestMark {
    return {
      table: this.table,
      key: runKey(runId),
      keyAttribute: 'session_id',
      attribute: 'cancel_requested_at',
      running: 'running',
    };
  }

  async finishRun(
    runId: string,
    owner: string,
    patch: Pick<RunRecord, 'status'> & Partial<Pick<RunRecord, 'text' | 'usage' | 'error'>>,
  ): Promise<void> {
    const update = finishUpdate(patch, this.now().toISOString());
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(runId),
          UpdateExpression: update.expression,
          ConditionExpression: 'lease_owner = :owner',
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: { ...update.values, ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw mapDynamoDbError(error);
      if (!(await this.runItem(runId))) throw runNotFound(runId);
      throw leaseLost(runId, owner);
    }
  }

  async listAbandonedRuns(now: number, limit = 100): Promise<RunRecord[]> {
    if (!(limit >= 1)) return [];
    const items = await queryItems(
      this.doc,
      {
        TableName: this.table,
        IndexName: INDEXES.runsByLease,
        KeyConditionExpression: 'resumable = :resumable AND resume_at <= :now',
        ExpressionAttributeValues: { ':resumable': RESUMABLE, ':now': now },
      },
      { max: Math.floor(limit) },
    );
    // The index may lag the item by a moment; re-check what it returned.
    return items
      .map((item) => readRun(this.table, item))
      .filter((run) => run.status === 'running' && (run.leaseExpiresAt ?? 0) <= now);
  }

  private async runItem(runId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await mapped(
      this.doc.send(new GetCommand({ TableName: this.table, Key: runKey(runId), ConsistentRead: true })),
    );
    return Item;
  }

  /** Why a journal append was cancelled, from the run as it was (ALL_OLD) or as it is now. */
  private async appendFailure(
    runId: string,
    owner: string,
    expected: number,
    reasons: CancellationReason[],
  ): Promise<AgentryError> {
    const [run, ...puts] = reasons;
    const clash = puts.findIndex((reason) => reason.code === 'ConditionalCheckFailed');
    if (run?.code === 'None' && clash >= 0) {
      const key = { session_id: runId, timestamp: expected + clash + 1 };
      return new ItemReader(this.table, key, SESSIONS_KEY_NAMES).corrupt('a journal entry exists beyond journal_seq');
    }
    let holder: string | undefined;
    let actual: number | undefined;
    if (run?.item !== undefined) {
      holder = wireString(run.item, 'lease_owner');
      actual = wireNumber(run.item, 'journal_seq');
    } else {
      // No old image (run absent, or contention only): read the run as it is now.
      const current = await this.runItem(runId);
      if (!current) return runNotFound(runId);
      holder = typeof current['lease_owner'] === 'string' ? current['lease_owner'] : undefined;
      actual = typeof current['journal_seq'] === 'number' ? current['journal_seq'] : undefined;
    }
    if (holder !== owner) return leaseLost(runId, owner);
    if (actual !== expected) return journalConflict(runId, expected, actual ?? -1);
    return new AgentryError('STORE_UNAVAILABLE', 'DynamoDB cancelled the journal write under contention; retry it.', {
      retryable: true,
    });
  }
}
