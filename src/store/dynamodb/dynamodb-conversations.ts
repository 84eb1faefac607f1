import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Message } from '../../agent/messages.ts';
import { AgentryError } from '../../errors.ts';
import type { Conversation, ConversationStore, ConversationSummary, Page, StoredMessage } from '../conversations.ts';
import type { Scope } from '../scope.ts';
import {
  checkMessageSizes,
  conversationConflict,
  conversationNotFound,
  decodeCursor,
  encodeCursor,
  pageSize,
} from '../validation.ts';
import {
  headerItem,
  isDeleting,
  MEMORY_KEY_NAMES,
  messageItem,
  readHeader,
  readMessage,
  readScannedHeader,
  readSummary,
  summaryItem,
} from './conversation-items.ts';
import { checkAppend } from './item-limits.ts';
import { ItemReader, isRecord, keyOf } from './item-reader.ts';
import {
  checkSeq,
  conversationItemsPrefix,
  conversationKey,
  messageKey,
  scopeKey,
  seqBounds,
  summaryKey,
  updatedKey,
} from './keys.ts';
import { isConditionalCheckFailed, mapDynamoDbError, mapped } from './map-dynamodb-error.ts';
import { queryItems } from './query-items.ts';
import { scanItems } from './scan-items.ts';
import { INDEXES } from './tables.ts';
import {
  type CancellationReason,
  MAX_TRANSACTION_ITEMS,
  type TransactOptions,
  transactionContention,
  transactWrite,
  wireNumber,
} from './transact-write.ts';

const isPosition = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string');

const isMemoryKey = (value: unknown): value is Record<(typeof MEMORY_KEY_NAMES)[number], string> =>
  isRecord(value) &&
  Object.keys(value).length === MEMORY_KEY_NAMES.length &&
  MEMORY_KEY_NAMES.every((name) => typeof value[name] === 'string');

/**
 * Conversations in the agent-memory table (layout: keys.ts, items: conversation-items.ts).
 *
 * Races and how they are closed:
 * - Appends are one transaction: the header update conditional on `last_seq` plus one Put per
 *   message conditional on the key being new. Concurrent writers with the same expected seq: one
 *   wins, the others get CONVERSATION_CONFLICT and nothing of theirs is written.
 * - Deleting first marks the header with a deletion token (invisible from then on, appends and
 *   summaries refused), then removes messages in transactions that check the token, then the
 *   header. A deletion interrupted by a crash is finished by the next delete or ensure of that id;
 *   whoever takes over replaces the token, so a slow earlier deleter can never remove messages of
 *   the conversation re-created after it.
 * - Window reads are one Query on the message key range and do not read the header: during a
 *   deletion they may still see messages that are about to go.
 */
export class DynamoDbConversationStore implements ConversationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
    private readonly transact: TransactOptions = {},
  ) {}

  async ensureConversation(scope: Scope, id: string, title = ''): Promise<Conversation> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const item = headerItem(scope, id, title, this.now().toISOString());
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            ConditionExpression: 'attribute_not_exists(conversation_id)',
          }),
        );
        return readHeader(this.table, item, scope);
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw mapDynamoDbError(error);
      }
      const existing = await this.readHeaderItem(scope, id);
      if (existing && !isDeleting(existing)) return readHeader(this.table, existing, scope);
      // A deletion is under way or was interrupted: finish it, then create the conversation afresh.
      if (existing) await this.purge(scope, id);
    }
    throw new AgentryError('CONVERSATION_CONFLICT', `Conversation ${id} is being deleted and re-created; retry.`, {
      retryable: true,
    });
  }

  async getConversation(scope: Scope, id: string): Promise<Conversation | undefined> {
    const item = await this.readHeaderItem(scope, id);
    return item && !isDeleting(item) ? readHeader(this.table, item, scope) : undefined;
  }

  /**
   * Newest first through the `by-updated` GSI. GSI reads are eventually consistent: a conversation
   * written a moment ago may show its previous position for a moment.
   */
  async listConversations(
    scope: Scope,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<Conversation>> {
    const limit = pageSize(options.limit);
    const after = decodeCursor(options.cursor, isPosition);
    const items = await queryItems(
      this.doc,
      {
        TableName: this.table,
        IndexName: INDEXES.conversationsByUpdated,
        KeyConditionExpression: after ? 'user_id = :user AND updated_key < :after' : 'user_id = :user',
        ExpressionAttributeValues: {
          ':user': scopeKey(scope),
          ...(after ? { ':after': updatedKey(after[0], after[1]) } : {}),
        },
        ScanIndexForward: false,
      },
      { max: limit + 1 },
    );
    const conversations = items.filter((item) => !isDeleting(item)).map((item) => readHeader(this.table, item, scope));
    const page = conversations.slice(0, limit);
    const last = page.at(-1);
    return items.length > limit && last
      ? { items: page, nextCursor: encodeCursor([last.updatedAt, last.id]) }
      : { items: page };
  }

  /**
   * A consistent Scan filtered to live headers: every message and summary item is read and
   * dropped too, so all pages together cost one full read of the table. For backups only. Order
   * is DynamoDB's scan order; the cursor is the last header's key (a valid ExclusiveStartKey).
   */
  async listAllConversations(options: { limit?: number; cursor?: string } = {}): Promise<Page<Conversation>> {
    const limit = pageSize(options.limit);
    const items = await scanItems(
      this.doc,
      {
        TableName: this.table,
        FilterExpression: 'attribute_exists(last_seq) AND attribute_not_exists(deleting)',
        ConsistentRead: true,
      },
      { max: limit + 1, start: decodeCursor(options.cursor, isMemoryKey) },
    );
    const page = items.slice(0, limit);
    const conversations = page.map((item) => readScannedHeader(this.table, item));
    const last = page.at(-1);
    return items.length > limit && last
      ? { items: conversations, nextCursor: encodeCursor(keyOf(last, MEMORY_KEY_NAMES)) }
      : { items: conversations };
  }

  async deleteConversation(scope: Scope, id: string): Promise<boolean> {
    return (await this.purge(scope, id, { onlyIfExists: true })) !== 'absent';
  }

  /**
   * Appends in one TransactWriteItems, so at most 99 messages at once (INPUT_INVALID above that;
   * the 100th item is the header) and at most 4 MB in total.
   */
  async appendMessages(
    scope: Scope,
    conversationId: string,
    expectedLastSeq: number,
    messages: readonly Message[],
    runId?: string,
  ): Promise<{ lastSeq: number }> {
    const bodies = checkMessageSizes(messages);
    checkAppend(bodies, 'Message', 'MESSAGE_TOO_LARGE');
    const lastSeq = checkSeq(checkSeq(expectedLastSeq, 'expectedLastSeq') + bodies.length, 'lastSeq');
    const at = this.now().toISOString();
    const result = await transactWrite(
      this.doc,
      {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: this.headerKey(scope, conversationId),
              UpdateExpression: 'SET last_seq = :last, updated_at = :at, updated_key = :updated',
              ConditionExpression: 'last_seq = :expected AND attribute_not_exists(deleting)',
              ExpressionAttributeValues: {
                ':last': lastSeq,
                ':at': at,
                ':updated': updatedKey(at, conversationId),
                ':expected': expectedLastSeq,
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          ...bodies.map((body, index) => ({
            Put: {
              TableName: this.table,
              Item: messageItem(scope, conversationId, expectedLastSeq + index + 1, body, at, runId),
              ConditionExpression: 'attribute_not_exists(conversation_id)',
            },
          })),
        ],
      },
      this.transact,
    );
    if (result.ok) return { lastSeq };
    throw await this.appendFailure(scope, conversationId, expectedLastSeq, result.reasons);
  }

  async loadMessages(
    scope: Scope,
    conversationId: string,
    options: { last?: number; beforeSeq?: number; afterSeq?: number } = {},
  ): Promise<StoredMessage[]> {
    const bounds = seqBounds(options);
    const last = options.last === undefined ? undefined : Math.ceil(options.last);
    if (!bounds || (last !== undefined && !(last > 0))) return [];
    // The seq range excludes the header (no `#`) and the summary (`#summary` sorts after digits).
    const items = await queryItems(
      this.doc,
      {
        TableName: this.table,
        KeyConditionExpression: 'user_id = :user AND conversation_id BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':user': scopeKey(scope),
          ':from': messageKey(conversationId, bounds[0]),
          ':to': messageKey(conversationId, bounds[1]),
        },
        ConsistentRead: true,
        ScanIndexForward: last === undefined,
      },
      last === undefined ? {} : { max: last },
    );
    const messages = items.map((item) => readMessage(this.table, item, conversationId));
    return last === undefined ? messages : messages.reverse();
  }

  async getSummary(scope: Scope, conversationId: string): Promise<ConversationSummary | undefined> {
    const { Item } = await mapped(
      this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: { user_id: scopeKey(scope), conversation_id: summaryKey(conversationId) },
          ConsistentRead: true,
        }),
      ),
    );
    return Item && readSummary(this.table, Item);
  }

  async saveSummary(
    scope: Scope,
    conversationId: string,
    summary: Omit<ConversationSummary, 'schemaVersion'>,
  ): Promise<void> {
    const result = await transactWrite(
      this.doc,
      {
        TransactItems: [
          {
            ConditionCheck: {
              TableName: this.table,
              Key: this.headerKey(scope, conversationId),
              ConditionExpression: 'attribute_exists(conversation_id) AND attribute_not_exists(deleting)',
            },
          },
          { Put: { TableName: this.table, Item: summaryItem(scope, conversationId, summary) } },
        ],
      },
      this.transact,
    );
    if (result.ok) return;
    if (result.reasons[0]?.code === 'ConditionalCheckFailed') throw conversationNotFound(conversationId);
    throw transactionContention();
  }

  private headerKey(scope: Scope, id: string): Record<string, string> {
    return { user_id: scopeKey(scope), conversation_id: conversationKey(id) };
  }

  private async readHeaderItem(scope: Scope, id: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await mapped(
      this.doc.send(new GetCommand({ TableName: this.table, Key: this.headerKey(scope, id), ConsistentRead: true })),
    );
    return Item;
  }

  /** Why an append transaction was cancelled, from the header as it was (ALL_OLD) or as it is now. */
  private async appendFailure(
    scope: Scope,
    conversationId: string,
    expected: number,
    reasons: CancellationReason[],
  ): Promise<AgentryError> {
    const [header, ...puts] = reasons;
    const clash = puts.findIndex((reason) => reason.code === 'ConditionalCheckFailed');
    if (header?.code === 'None' && clash >= 0) {
      // Header condition held but a message key was taken: an item outside the protocol.
      const key = { user_id: scopeKey(scope), conversation_id: messageKey(conversationId, expected + clash + 1) };
      return new ItemReader(this.table, key, MEMORY_KEY_NAMES).corrupt('a message exists beyond the last seq');
    }
    if (header?.item !== undefined) {
      if (header.item['deleting'] !== undefined) return conversationNotFound(conversationId);
      const actual = wireNumber(header.item, 'last_seq');
      if (actual !== undefined) return conversationConflict(conversationId, expected, actual);
    }
    // No old image (header absent, or contention only): read the header as it is now.
    const current = await this.readHeaderItem(scope, conversationId);
    if (!current || isDeleting(current)) return conversationNotFound(conversationId);
    return conversationConflict(conversationId, expected, readHeader(this.table, current, scope).lastSeq);
  }

  /**
   * Removes the conversation's items, header last. Takes over any deletion in progress by setting a
   * new token; every batch of deletes is a transaction that checks the header still carries this
   * token, so when someone else takes over (or the id was re-created meanwhile) this one stops.
   */
  private async purge(
    scope: Scope,
    id: string,
    options: { onlyIfExists?: boolean } = {},
  ): Promise<'absent' | 'purged' | 'taken-over'> {
    const token = randomUUID();
    const headerKey = this.headerKey(scope, id);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: headerKey,
          UpdateExpression: 'SET deleting = :token REMOVE updated_key',
          ConditionExpression: options.onlyIfExists
            ? 'attribute_exists(conversation_id)'
            : 'attribute_exists(conversation_id) AND attribute_exists(deleting)',
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'absent';
      throw mapDynamoDbError(error);
    }
    for (;;) {
      const keys = await queryItems(
        this.doc,
        {
          TableName: this.table,
          KeyConditionExpression: 'user_id = :user AND begins_with(conversation_id, :prefix)',
          ExpressionAttributeValues: { ':user': headerKey['user_id'], ':prefix': conversationItemsPrefix(id) },
          ProjectionExpression: 'user_id, conversation_id',
          ConsistentRead: true,
        },
        { max: MAX_TRANSACTION_ITEMS - 1 },
      );
      if (keys.length === 0) break;
      const result = await transactWrite(
        this.doc,
        {
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.table,
                Key: headerKey,
                ConditionExpression: 'deleting = :token',
                ExpressionAttributeValues: { ':token': token },
              },
            },
            ...keys.map((key) => ({ Delete: { TableName: this.table, Key: key } })),
          ],
        },
        this.transact,
      );
      if (!result.ok) {
        if (result.reasons[0]?.code === 'ConditionalCheckFailed') return 'taken-over';
        throw transactionContention();
      }
    }
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: headerKey,
          ConditionExpression: 'deleting = :token',
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'taken-over';
      throw mapDynamoDbError(error);
    }
    return 'purged';
  }
}
