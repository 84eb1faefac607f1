import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AgentryError } from '../../errors.ts';
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
import type {
  ExecutionFinish,
  ExecutionRecord,
  ExecutionStatus,
  TaskTokenOutcome,
  TaskTokenRecord,
  WorkflowStore,
} from '../workflows.ts';
import { batchGetItems } from './batch-get.ts';
import { ItemReader } from './item-reader.ts';
import { scopeKey } from './keys.ts';
import { isConditionalCheckFailed, mapDynamoDbError, mapped } from './map-dynamodb-error.ts';
import { queryItems } from './query-items.ts';
import { isRequested, markRequest, type RequestMark } from './request-marks.ts';
import { INDEXES } from './tables.ts';
import {
  type CancellationReason,
  type TransactOptions,
  transactionContention,
  transactWrite,
  wireNumber,
  wireString,
} from './transact-write.ts';
import {
  bodyItem,
  eventItem,
  headerItem,
  headerKey,
  nameItem,
  RESUMABLE,
  readEvent,
  readExecution,
  readNameItem,
  readTaskToken,
  resultAttributes,
  tokenItem,
  WORKFLOWS_KEY_NAMES,
} from './workflow-items.ts';
import {
  BODY_STEP,
  executionNameKey,
  HEADER_STEP,
  readableExecutionKey,
  readableTaskTokenKey,
  startedKey,
  taskTokenKey,
} from './workflow-keys.ts';

const isPosition = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string');

/** Index items a filtered listExecutions reads per request (DynamoDB applies Limit before the filter). */
const FILTERED_PAGE_SIZE = 100;

/**
 * Workflow executions, histories and task tokens in the agent-workflows table (layout: workflow-keys.ts,
 * items: workflow-items.ts).
 *
 * Races and how they are closed:
 * - createExecution is one transaction: the name item, the header and the body, each conditional on being
 *   new. Concurrent starts of one name: one creates, the others find its name item and return that execution.
 * - An append is one transaction: the header's update conditional on the lease owner and `last_event_id`
 *   (with a finish, also setting the result and removing the lease), plus one Put per event conditional on
 *   being new. So at most MAX_EVENTS_PER_APPEND (99) events per append: the header is the 100th item.
 * - Leases and token completions are conditional updates of one item.
 * - Listings read GSIs (eventually consistent), then the records themselves, strongly consistent: a listed
 *   execution is as it is now, though it may have just stopped matching a status filter or be re-leased.
 *   Resumers must acquireLease before acting, which re-checks on the item.
 */
export class DynamoDbWorkflowStore implements WorkflowStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
    private readonly transact: TransactOptions = {},
  ) {}

  async createExecution(
    record: Omit<ExecutionRecord, 'schemaVersion' | 'lastEventId'>,
  ): Promise<{ created: boolean; execution: ExecutionRecord }> {
    const encoded = encodeNewExecution(record);
    const header = headerItem(record, encoded);
    const body = bodyItem(record, encoded);
    const isNew = 'attribute_not_exists(workflow_id)';
    const result = await transactWrite(
      this.doc,
      {
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: nameItem(record),
              ConditionExpression: isNew,
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          { Put: { TableName: this.table, Item: header, ConditionExpression: isNew } },
          { Put: { TableName: this.table, Item: body, ConditionExpression: isNew } },
        ],
      },
      this.transact,
    );
    if (result.ok) return { created: true, execution: readExecution(this.table, header, body) };
    const [name, ...items] = result.reasons;
    if (name?.code === 'ConditionalCheckFailed') {
      return { created: false, execution: await this.executionOfName(record, wireString(name.item, 'execution_id')) };
    }
    if (items.some((reason) => reason.code === 'ConditionalCheckFailed')) throw executionIdTaken(record.id);
    throw transactionContention();
  }

  async getExecution(scope: Scope, id: string): Promise<ExecutionRecord | undefined> {
    const execution = await this.getExecutionById(id);
    return execution && execution.tenantId === scope.tenantId && execution.userId === scope.userId
      ? execution
      : undefined;
  }

  /** One strongly consistent Query of the body and header items. */
  async getExecutionById(id: string): Promise<ExecutionRecord | undefined> {
    const key = readableExecutionKey(id);
    if (key === undefined) return undefined;
    const items = await queryItems(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'workflow_id = :id AND step_number BETWEEN :body AND :header',
      ExpressionAttributeValues: { ':id': key, ':body': BODY_STEP, ':header': HEADER_STEP },
      ConsistentRead: true,
    });
    const header = items.find((item) => item['step_number'] === HEADER_STEP);
    const body = items.find((item) => item['step_number'] === BODY_STEP);
    return header && readExecution(this.table, header, body);
  }

  /**
   * Newest first through the `by-scope` GSI, filtered there by workflow and status (both projected), then
   * the records from the table in one batch read.
   */
  async listExecutions(
    scope: Scope,
    options: { workflow?: string; status?: ExecutionStatus; limit?: number; cursor?: string } = {},
  ): Promise<Page<ExecutionRecord>> {
    const limit = executionPageSize(options.limit);
    const after = decodeCursor(options.cursor, isPosition);
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':scope': scopeKey(scope) };
    if (after) values[':after'] = startedKey(after[0], after[1]);
    if (options.workflow !== undefined) {
      filters.push('#workflow = :workflow');
      names['#workflow'] = 'workflow';
      values[':workflow'] = options.workflow;
    }
    if (options.status !== undefined) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = options.status;
    }
    const keys = await queryItems(
      this.doc,
      {
        TableName: this.table,
        IndexName: INDEXES.executionsByScope,
        KeyConditionExpression: after ? 'scope_key = :scope AND started_key < :after' : 'scope_key = :scope',
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
      },
      { max: limit + 1, pageSize: FILTERED_PAGE_SIZE },
    );
    const executions = await this.readExecutions(keys.slice(0, limit));
    const last = executions.at(-1);
    return keys.length > limit && last
      ? { items: executions, nextCursor: encodeCursor([last.startedAt, last.id]) }
      : { items: executions };
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
    if (readableExecutionKey(executionId) === undefined) throw executionNotFound(executionId);
    const set = ['last_event_id = :last', 'updated_at = :at'];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {
      ':last': expectedLastId + bodies.length,
      ':at': this.now().toISOString(),
      ':owner': owner,
      ':expected': expectedLastId,
    };
    let remove = '';
    if (ended) {
      const fields = { status: ended.status, stopped_at: ended.stoppedAt, ...resultAttributes(ended) };
      for (const [name, value] of Object.entries(fields)) {
        set.push(`#${name} = :${name}`);
        names[`#${name}`] = name;
        values[`:${name}`] = value;
      }
      remove = ' REMOVE lease_owner, lease_expires_at, resumable, resume_at';
    }
    const result = await transactWrite(
      this.doc,
      {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: headerKey(executionId),
              UpdateExpression: `SET ${set.join(', ')}${remove}`,
              ConditionExpression: 'lease_owner = :owner AND last_event_id = :expected',
              ...(ended ? { ExpressionAttributeNames: names } : {}),
              ExpressionAttributeValues: values,
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          ...bodies.map((body, index) => ({
            Put: {
              TableName: this.table,
              Item: eventItem(executionId, expectedLastId + index + 1, body),
              ConditionExpression: 'attribute_not_exists(workflow_id)',
            },
          })),
        ],
      },
      this.transact,
    );
    if (!result.ok) throw await this.appendFailure(executionId, owner, expectedLastId, result.reasons);
  }

  async loadEvents(executionId: string, options: { afterId?: number; limit?: number } = {}): Promise<ExecutionEvent[]> {
    const key = readableExecutionKey(executionId);
    const limit = options.limit === undefined ? undefined : Math.max(0, Math.floor(options.limit));
    if (key === undefined || limit === 0) return [];
    const items = await queryItems(
      this.doc,
      {
        TableName: this.table,
        KeyConditionExpression: 'workflow_id = :id AND step_number > :after',
        ExpressionAttributeValues: { ':id': key, ':after': Math.max(HEADER_STEP, Math.floor(options.afterId ?? 0)) },
        ConsistentRead: true,
      },
      limit === undefined ? {} : { max: limit },
    );
    return items.map((item) => readEvent(this.table, item));
  }

  async acquireLease(executionId: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    if (readableExecutionKey(executionId) === undefined) throw executionNotFound(executionId);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: headerKey(executionId),
          UpdateExpression:
            'SET lease_owner = :owner, lease_expires_at = :expires, resume_at = :expires, updated_at = :at',
          ConditionExpression:
            'attribute_exists(workflow_id) AND #status = :running AND (attribute_not_exists(lease_owner) OR ' +
            'lease_owner = :owner OR attribute_not_exists(lease_expires_at) OR lease_expires_at <= :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':expires': now + ttlMs,
            ':at': this.now().toISOString(),
            ':running': 'RUNNING',
            ':now': now,
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw mapDynamoDbError(error);
    }
    if (!(await this.getItem(headerKey(executionId)))) throw executionNotFound(executionId);
    return false;
  }

  async requestStop(scope: Scope, executionId: string): Promise<boolean> {
    if (readableExecutionKey(executionId) === undefined) return false;
    return markRequest(this.doc, this.stopMark(executionId), scope, this.now().toISOString());
  }

  async stopRequested(executionId: string): Promise<boolean> {
    if (readableExecutionKey(executionId) === undefined) return false;
    return isRequested(this.doc, this.stopMark(executionId));
  }

  private stopMark(executionId: string): RequestMark {
    return {
      table: this.table,
      key: headerKey(executionId),
      keyAttribute: 'workflow_id',
      attribute: 'stop_requested_at',
      running: 'RUNNING',
    };
  }

  /** Oldest lease first through the keys-only `by-lease` GSI, then re-checked on the records themselves. */
  async listAbandonedExecutions(now: number, limit = 100): Promise<ExecutionRecord[]> {
    if (!(limit >= 1)) return [];
    const keys = await queryItems(
      this.doc,
      {
        TableName: this.table,
        IndexName: INDEXES.executionsByLease,
        KeyConditionExpression: 'resumable = :resumable AND resume_at <= :now',
        ExpressionAttributeValues: { ':resumable': RESUMABLE, ':now': now },
      },
      { max: Math.floor(limit) },
    );
    return (await this.readExecutions(keys)).filter(
      (execution) => execution.status === 'RUNNING' && (execution.leaseExpiresAt ?? 0) <= now,
    );
  }

  async createTaskToken(
    record: Omit<TaskTokenRecord, 'schemaVersion' | 'status' | 'completedAt' | 'output' | 'error' | 'cause'>,
  ): Promise<{ created: boolean; token: TaskTokenRecord }> {
    checkNewTaskToken(record);
    const item = tokenItem(record);
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(workflow_id)' }),
      );
      return { created: true, token: readTaskToken(this.table, item, record.token) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw mapDynamoDbError(error);
    }
    // Tokens are never deleted, so the item that made the Put fail is still there.
    const existing = await this.getItem({ workflow_id: taskTokenKey(record.token), step_number: HEADER_STEP });
    if (!existing) throw transactionContention();
    return { created: false, token: readTaskToken(this.table, existing, record.token) };
  }

  async getTaskToken(scope: Pick<Scope, 'tenantId'>, token: string): Promise<TaskTokenRecord | undefined> {
    const key = readableTaskTokenKey(token);
    const item = key === undefined ? undefined : await this.getItem({ workflow_id: key, step_number: HEADER_STEP });
    return item && item['tenant_id'] === scope.tenantId ? readTaskToken(this.table, item, token) : undefined;
  }

  /** A conditional update (still waiting, in this tenant); on failure, one read tells invalid from completed. */
  async completeTaskToken(
    scope: Pick<Scope, 'tenantId'>,
    token: string,
    outcome: TaskTokenOutcome,
    completedAt: string,
  ): Promise<TaskTokenRecord> {
    const result = encodeOutcome(outcome);
    const key = readableTaskTokenKey(token);
    if (key === undefined) throw taskTokenInvalid();
    const fields = { status: outcome.status, completed_at: completedAt, ...resultAttributes(result) };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':tenant': scope.tenantId, ':waiting': 'waiting' };
    for (const [name, value] of Object.entries(fields)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
    }
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { workflow_id: key, step_number: HEADER_STEP },
          UpdateExpression: `SET ${Object.keys(fields)
            .map((name) => `#${name} = :${name}`)
            .join(', ')}`,
          ConditionExpression: 'tenant_id = :tenant AND #status = :waiting',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!Attributes) throw new AgentryError('INTERNAL', 'DynamoDB returned no attributes for a completed token.');
      return readTaskToken(this.table, Attributes, token);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw mapDynamoDbError(error);
    }
    const existing = await this.getItem({ workflow_id: key, step_number: HEADER_STEP });
    if (!existing || existing['tenant_id'] !== scope.tenantId) throw taskTokenInvalid();
    throw taskTokenCompleted();
  }

  /**
   * The execution a name item points to. The name item and its execution were written by one transaction,
   * so the execution exists; a name item without one was damaged by hand.
   */
  private async executionOfName(
    record: Omit<ExecutionRecord, 'schemaVersion' | 'lastEventId'>,
    knownId: string | undefined,
  ): Promise<ExecutionRecord> {
    const key = { workflow_id: executionNameKey(record), step_number: HEADER_STEP };
    let id = knownId;
    if (id === undefined) {
      const item = await this.getItem(key);
      if (!item) throw transactionContention();
      id = readNameItem(this.table, item);
    }
    const execution = await this.getExecutionById(id);
    if (!execution) throw new ItemReader(this.table, key, WORKFLOWS_KEY_NAMES).corrupt('it names no execution');
    return execution;
  }

  private async getItem(key: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await mapped(
      this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })),
    );
    return Item;
  }

  /** The executions of index items (headers' keys), in the index's order; ones gone meanwhile are left out. */
  private async readExecutions(keys: readonly Record<string, unknown>[]): Promise<ExecutionRecord[]> {
    const ids = keys.map((key) => key['workflow_id']).filter((id): id is string => typeof id === 'string');
    const items = await batchGetItems(
      this.doc,
      this.table,
      ids.flatMap((id) => [
        { workflow_id: id, step_number: BODY_STEP },
        { workflow_id: id, step_number: HEADER_STEP },
      ]),
      this.transact,
    );
    const byKey = new Map(items.map((item) => [`${String(item['workflow_id'])}#${String(item['step_number'])}`, item]));
    return ids.flatMap((id) => {
      const header = byKey.get(`${id}#${HEADER_STEP}`);
      return header ? [readExecution(this.table, header, byKey.get(`${id}#${BODY_STEP}`))] : [];
    });
  }

  /** Why an append was cancelled, from the header as it was (ALL_OLD) or as it is now. */
  private async appendFailure(
    executionId: string,
    owner: string,
    expected: number,
    reasons: CancellationReason[],
  ): Promise<AgentryError> {
    const [header, ...puts] = reasons;
    const clash = puts.findIndex((reason) => reason.code === 'ConditionalCheckFailed');
    if (header?.code === 'None' && clash >= 0) {
      const key = { ...headerKey(executionId), step_number: expected + clash + 1 };
      return new ItemReader(this.table, key, WORKFLOWS_KEY_NAMES).corrupt(
        'a history event exists beyond last_event_id',
      );
    }
    let holder: string | undefined;
    let actual: number | undefined;
    if (header?.item !== undefined) {
      holder = wireString(header.item, 'lease_owner');
      actual = wireNumber(header.item, 'last_event_id');
    } else {
      // No old image (header absent, or contention only): read the header as it is now.
      const current = await this.getItem(headerKey(executionId));
      if (!current) return executionNotFound(executionId);
      holder = typeof current['lease_owner'] === 'string' ? current['lease_owner'] : undefined;
      actual = typeof current['last_event_id'] === 'number' ? current['last_event_id'] : undefined;
    }
    if (holder !== owner) return executionLeaseLost(executionId, owner);
    if (actual !== expected) return executionConflict(executionId, expected, actual ?? -1);
    return transactionContention();
  }
}
