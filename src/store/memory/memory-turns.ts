import type { TurnFinishInput, TurnStart, TurnStartInput, TurnStore } from '../turns.ts';
import { runNotFound } from '../validation.ts';
import type { MemoryConversationStore } from './memory-conversations.ts';
import type { MemoryRunStore } from './memory-runs.ts';

/**
 * Turns over the two memory stores. Each operation checks everything first and then writes, with
 * no `await` in between, so it is atomic like the databases' single statement or transaction.
 */
export class MemoryTurnStore implements TurnStore {
  constructor(
    private readonly conversations: MemoryConversationStore,
    private readonly runs: MemoryRunStore,
  ) {}

  async startTurn({ run, title, last }: TurnStartInput): Promise<TurnStart> {
    this.runs.checkCreateNow(run.id);
    const scope = { tenantId: run.tenantId, userId: run.userId };
    this.conversations.ensureNow(scope, run.conversationId, title);
    this.runs.createNow(run);
    return { messages: this.conversations.loadNow(scope, run.conversationId, { last }) };
  }

  async finishTurn(input: TurnFinishInput): Promise<{ lastSeq: number | undefined }> {
    const { scope, conversationId, runId, owner, journal, messages } = input;
    const run = this.runs.findNow(runId, scope, conversationId);
    if (!run) throw runNotFound(runId);
    const writeJournal = this.runs.checkJournalNow(runId, owner, journal.expectedLastSeq);
    const writeMessages =
      messages.messages.length > 0
        ? this.conversations.checkAppendNow(scope, conversationId, messages.expectedLastSeq, messages.messages)
        : undefined;
    writeJournal(journal.entries);
    const appended = writeMessages?.(runId);
    this.runs.finishNow(run, input.outcome);
    return { lastSeq: appended?.lastSeq };
  }
}
