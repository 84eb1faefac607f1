import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { AgentryError, isAgentryError } from '../../errors.ts';
import { CONVERSATION_SCHEMA_VERSION } from '../conversations.ts';
import type { JournalEntry } from '../runs.ts';
import type { TurnFinishInput, TurnStart, TurnStartInput, TurnStore } from '../turns.ts';
import {
  checkMessageSizes,
  conversationConflict,
  conversationNotFound,
  journalConflict,
  leaseLost,
  runNotFound,
} from '../validation.ts';
import { messageItem } from './conversation-items.ts';
import type { DynamoDbConversationStore } from './dynamodb-conversations.ts';
import type { DynamoDbRunStore } from './dynamodb-runs.ts';
import {
  checkAppend,
  ITEM_OVERHEAD_BYTES,
  MAX_ITEM_BYTES,
  MAX_ITEMS_PER_APPEND,
  MAX_TRANSACTION_BYTES,
} from './item-limits.ts';
import { checkSeq, conversationKey, runKey, scopeKey, updatedKey } from './keys.ts';
import { mapped } from './map-dynamodb-error.ts';
import { finishUpdate, journalItem, runItem } from './run-items.ts';
import {
  type CancellationReason,
  MAX_TRANSACTION_ITEMS,
  type TransactOptions,
  transactionContention,
  transactWrite,
  wireNumber,
  wireString,
} from './transact-write.ts';

/** Room for the run item and the conversation header in a finishing transaction. */
const FINISH_FIXED_ITEMS = 2;

/**
 * Turns over agent-sessions (runs) and agent-memory (conversations), each a TransactWriteItems
 * across both tables.
 *
 * - startTurn: the run Put (conditional on a new id) and an Update of the conversation header that
 *   creates it if absent and changes nothing otherwise (every attribute `if_not_exists`), refused
 *   while a deletion is under way; the window Query runs alongside (it reads no header). A header
 *   being deleted is purged first by ensureConversation, and the window read again afterwards.
 * - finishTurn: the run Update (conditional on scope, conversation, lease owner and journal seq),
 *   a Put per journal entry, the header Update (conditional on `last_seq`) and a Put per message.
 *   Above one transaction's 100 items or 4 MB, the journal entries go first in their own append
 *   (they belong to this run only; a crash in between leaves a resumable run whose journal is
 *   already complete), and the rest stays one transaction: at most 98 messages.
 */
export class DynamoDbTurnStore implements TurnStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: { memory: string; sessions: string },
    private readonly conversations: DynamoDbConversationStore,
    private readonly runs: DynamoDbRunStore,
    private readonly now: () => Date = () => new Date(),
    private readonly transact: TransactOptions = {},
  ) {}

  async startTurn({ run, title, last }: TurnStartInput): Promise<TurnStart> {
    const scope = { tenantId: run.tenantId, userId: run.userId };
    const window = () => this.conversations.loadMessages(scope, run.conversationId, { last });
    const [started, messages] = await Promise.all([this.createRunAndHeader(run, title), window()]);
    if (started === 'created') return { messages };
    // The header is being deleted: finish the deletion (ensureConversation does, and re-creates
    // the header), then create the run; the window read alongside may have seen doomed messages.
    for (let attempt = 0; attempt < 2; attempt++) {
      await this.conversations.ensureConversation(scope, run.conversationId, title);
      if ((await this.createRunAndHeader(run, title)) === 'created') return { messages: await window() };
    }
    throw new AgentryError(
      'CONVERSATION_CONFLICT',
      `Conversation ${run.conversationId} is being deleted and re-created; retry.`,
      { retryable: true },
    );
  }

  /**
   * The journal entries of a finish too big for one transaction, written first. Idempotent: the
   * runner retries a finish after a conversation conflict, and the entries an earlier attempt wrote
   * under this owner's lease are found in place (RUN_CONFLICT saying the journal is exactly
   * `entries` further on) instead of failing the retry.
   */
  private async appendJournalOnce(
    runId: string,
    owner: string,
    expectedLastSeq: number,
    entries: readonly JournalEntry[],
  ): Promise<void> {
    try {
      await this.runs.appendJournal(runId, owner, expectedLastSeq, entries);
    } catch (error) {
      const written =
        isAgentryError(error) &&
        error.code === 'RUN_CONFLICT' &&
        error.details?.['lastSeq'] === expectedLastSeq + entries.length;
      if (!written) throw error;
    }
  }

  async finishTurn(input: TurnFinishInput): Promise<{ lastSeq: number | undefined }> {
    const { scope, conversationId, runId, owner, messages, outcome } = input;
    let journal = input.journal;
    const messageBodies = checkMessageSizes(messages.messages);
    checkAppend(messageBodies, 'Message', 'MESSAGE_TOO_LARGE');
    if (messageBodies.length > MAX_TRANSACTION_ITEMS - FINISH_FIXED_ITEMS) {
      throw new AgentryError(
        'INPUT_INVALID',
        `At most ${MAX_TRANSACTION_ITEMS - FINISH_FIXED_ITEMS} messages can end a run on DynamoDB (one transaction); got ${messageBodies.length}.`,
        { details: { limit: MAX_TRANSACTION_ITEMS - FINISH_FIXED_ITEMS, count: messageBodies.length } },
      );
    }
    let entryBodies = journal.entries.map((entry) => JSON.stringify(entry));
    checkAppend(entryBodies, 'Journal entry', 'INPUT_INVALID');
    if (!fitsOneTransaction([...messageBodies, ...entryBodies])) {
      await this.appendJournalOnce(runId, owner, journal.expectedLastSeq, journal.entries);
      journal = { expectedLastSeq: journal.expectedLastSeq + entryBodies.length, entries: [] as JournalEntry[] };
      entryBodies = [];
      if (!fitsOneTransaction(messageBodies)) {
        throw new AgentryError(
          'MESSAGE_TOO_LARGE',
          `The run's ${messageBodies.length} messages do not fit one DynamoDB transaction together with the run record.`,
          { details: { limit: MAX_TRANSACTION_BYTES - FINISH_RESERVED_BYTES, unit: 'bytes' } },
        );
      }
    }
    const journalSeq = checkSeq(checkSeq(journal.expectedLastSeq, 'expectedLastSeq') + entryBodies.length, 'lastSeq');
    const lastSeq = checkSeq(checkSeq(messages.expectedLastSeq, 'expectedLastSeq') + messageBodies.length, 'lastSeq');
    const at = this.now().toISOString();
    const update = finishUpdate(outcome, at, ['journal_seq = :journal'], { ':journal': journalSeq });
    const headerKey = { user_id: scopeKey(scope), conversation_id: conversationKey(conversationId) };
    const result = await transactWrite(
      this.doc,
      {
        TransactItems: [
          {
            Update: {
              TableName: this.tables.sessions,
              Key: runKey(runId),
              UpdateExpression: update.expression,
              ConditionExpression:
                'lease_owner = :owner AND journal_seq = :expected AND tenant_id = :tenant AND ' +
                'end_user_id = :user AND conversation_id = :conversation',
              ExpressionAttributeNames: update.names,
              ExpressionAttributeValues: {
                ...update.values,
                ':owner': owner,
                ':expected': journal.expectedLastSeq,
                ':tenant': scope.tenantId,
                ':user': scope.userId,
                ':conversation': conversationId,
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          ...entryBodies.map((body, index) => ({
            Put: {
              TableName: this.tables.sessions,
              Item: journalItem(runId, journal.expectedLastSeq + index + 1, body, at),
              ConditionExpression: 'attribute_not_exists(session_id)',
            },
          })),
          ...(messageBodies.length === 0
            ? []
            : [
                {
                  Update: {
                    TableName: this.tables.memory,
                    Key: headerKey,
                    UpdateExpression: 'SET last_seq = :last, updated_at = :at, updated_key = :updated',
                    ConditionExpression: 'last_seq = :expected AND attribute_not_exists(deleting)',
                    ExpressionAttributeValues: {
                      ':last': lastSeq,
                      ':at': at,
                      ':updated': updatedKey(at, conversationId),
                      ':expected': messages.expectedLastSeq,
                    },
                    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
                  },
                },
              ]),
          ...messageBodies.map((body, index) => ({
            Put: {
              TableName: this.tables.memory,
              Item: messageItem(scope, conversationId, messages.expectedLastSeq + index + 1, body, at, runId),
              ConditionExpression: 'attribute_not_exists(conversation_id)',
            },
          })),
        ],
      },
      this.transact,
    );
    if (result.ok) return { lastSeq: messageBodies.length > 0 ? lastSeq : undefined };
    throw await this.finishFailure(input, entryBodies.length, result.reasons);
  }

  /** 'created', or 'deleting' when the header is being deleted. RUN_CONFLICT if the run exists. */
  private async createRunAndHeader(run: TurnStartInput['run'], title: string): Promise<'created' | 'deleting'> {
    const scope = { tenantId: run.tenantId, userId: run.userId };
    const at = run.createdAt;
    const result = await transactWrite(
      this.doc,
      {
        TransactItems: [
          {
            Put: {
              TableName: this.tables.sessions,
              Item: runItem(run),
              ConditionExpression: 'attribute_not_exists(session_id)',
            },
          },
          {
            Update: {
              TableName: this.tables.memory,
              Key: { user_id: scopeKey(scope), conversation_id: conversationKey(run.conversationId) },
              UpdateExpression:
                'SET schema_version = if_not_exists(schema_version, :version), title = if_not_exists(title, :title), ' +
                'created_at = if_not_exists(created_at, :at), updated_at = if_not_exists(updated_at, :at), ' +
                'updated_key = if_not_exists(updated_key, :updated), last_seq = if_not_exists(last_seq, :zero)',
              ConditionExpression: 'attribute_not_exists(deleting)',
              ExpressionAttributeValues: {
                ':version': CONVERSATION_SCHEMA_VERSION,
                ':title': title,
                ':at': at,
                ':updated': updatedKey(at, run.conversationId),
                ':zero': 0,
              },
            },
          },
        ],
      },
      this.transact,
    );
    if (result.ok) return 'created';
    const [runReason, headerReason] = result.reasons;
    if (runReason?.code === 'ConditionalCheckFailed')
      throw new AgentryError('RUN_CONFLICT', `Run ${run.id} already exists.`);
    if (headerReason?.code === 'ConditionalCheckFailed') return 'deleting';
    throw transactionContention();
  }

  /** Why a finishing transaction was cancelled: the run's reasons first, then the conversation's. */
  private async finishFailure(
    input: TurnFinishInput,
    entries: number,
    reasons: CancellationReason[],
  ): Promise<AgentryError> {
    const { scope, conversationId, runId, owner, journal, messages } = input;
    const [runReason] = reasons;
    const headerReason = messages.messages.length > 0 ? reasons[1 + entries] : undefined;
    if (runReason?.code === 'ConditionalCheckFailed') {
      let run: { owner?: string | undefined; seq?: number | undefined; scope: boolean } | undefined;
      if (runReason.item !== undefined) {
        const item = runReason.item;
        run = {
          owner: wireString(item, 'lease_owner'),
          seq: wireNumber(item, 'journal_seq'),
          scope:
            wireString(item, 'tenant_id') === scope.tenantId &&
            wireString(item, 'end_user_id') === scope.userId &&
            wireString(item, 'conversation_id') === conversationId,
        };
      } else {
        // No old image (run absent, or contention only): read the run as it is now.
        const { Item: item } = await mapped(
          this.doc.send(new GetCommand({ TableName: this.tables.sessions, Key: runKey(runId), ConsistentRead: true })),
        );
        if (item !== undefined) {
          run = {
            owner: typeof item['lease_owner'] === 'string' ? item['lease_owner'] : undefined,
            seq: typeof item['journal_seq'] === 'number' ? item['journal_seq'] : undefined,
            scope:
              item['tenant_id'] === scope.tenantId &&
              item['end_user_id'] === scope.userId &&
              item['conversation_id'] === conversationId,
          };
        }
      }
      if (!run?.scope) return runNotFound(runId);
      if (run.owner !== owner) return leaseLost(runId, owner);
      if (run.seq !== journal.expectedLastSeq) return journalConflict(runId, journal.expectedLastSeq, run.seq ?? -1);
    }
    if (headerReason?.code === 'ConditionalCheckFailed') {
      const item = headerReason.item;
      if (item !== undefined && item['deleting'] === undefined) {
        const actual = wireNumber(item, 'last_seq');
        if (actual !== undefined) return conversationConflict(conversationId, messages.expectedLastSeq, actual);
      }
      const current = await this.conversations.getConversation(scope, conversationId);
      if (!current) return conversationNotFound(conversationId);
      return conversationConflict(conversationId, messages.expectedLastSeq, current.lastSeq);
    }
    const clash = reasons.findIndex((reason, index) => index > 0 && reason.code === 'ConditionalCheckFailed');
    if (clash >= 0) {
      return new AgentryError('STORE_CORRUPT', `An item of run ${runId} or its conversation exists beyond its seq.`, {
        details: { runId, conversationId },
      });
    }
    return transactionContention();
  }
}

/**
 * Room kept in a finishing transaction for the run item (which DynamoDB caps at one item's 400 KB,
 * its query and final text included) and the conversation header.
 */
const FINISH_RESERVED_BYTES = MAX_ITEM_BYTES + ITEM_OVERHEAD_BYTES;

/** Whether these bodies, plus the run and header items, fit one TransactWriteItems. */
function fitsOneTransaction(bodies: readonly string[]): boolean {
  if (bodies.length > MAX_ITEMS_PER_APPEND - 1) return false;
  // checkAppend's accounting: each body plus a fixed allowance for keys and attributes.
  return (
    bodies.reduce((total, body) => total + Buffer.byteLength(body) + ITEM_OVERHEAD_BYTES, 0) <=
    MAX_TRANSACTION_BYTES - FINISH_RESERVED_BYTES
  );
}
