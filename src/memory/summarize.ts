import type { Agent } from '../agent/agent.ts';
import type { Message } from '../agent/messages.ts';
import { runModelStep } from '../agent/model-step.ts';
import type { ConversationStore } from '../store/conversations.ts';
import type { Scope } from '../store/scope.ts';
import type { HistoryWindow } from './load-window.ts';
import type { MemorySettings } from './settings.ts';

/** Most older messages one summarization reads; older ones stay covered by the previous summary. */
const MAX_MESSAGES_PER_SUMMARY = 200;

const SUMMARIZER_INSTRUCTIONS =
  'You write the running summary of a conversation between a user and an AI assistant. Keep every fact the ' +
  'assistant may need later: names, preferences, decisions, numbers, open questions. At most 200 words, plain text.';

function transcript(messages: readonly Message[]): string {
  return messages
    .map((message) =>
      message.content
        .map((block) => {
          if (block.type === 'text') return `${message.role === 'user' ? 'User' : 'Assistant'}: ${block.text}`;
          if (block.type === 'tool-call') return `Assistant called ${block.toolName}(${JSON.stringify(block.input)})`;
          return `Tool ${block.toolName} returned ${JSON.stringify(block.output).slice(0, 500)}`;
        })
        .join('\n'),
    )
    .join('\n');
}

/**
 * The summary of everything before the window, as a system-prompt suffix, or undefined. A stored
 * summary is reused until enough messages fall outside both it and the window; then the agent's
 * model writes a new one from the old summary plus those messages, and it is stored.
 */
export async function summaryBeforeWindow(
  store: ConversationStore,
  scope: Scope,
  conversationId: string,
  window: HistoryWindow,
  agent: Agent,
  settings: MemorySettings,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (!settings.summarize || window.firstSeq <= 1) return undefined;
  const outsideThrough = window.firstSeq - 1;
  let summary = await store.getSummary(scope, conversationId);
  const covered = summary?.throughSeq ?? 0;
  if (outsideThrough - covered >= settings.summarizeAfter) {
    const older = await store.loadMessages(scope, conversationId, {
      afterSeq: covered,
      beforeSeq: window.firstSeq,
      last: MAX_MESSAGES_PER_SUMMARY,
    });
    const previous = summary ? `Summary so far:\n${summary.text}\n\n` : '';
    const output = await runModelStep(
      agent,
      {
        prompt: [
          { role: 'system', content: SUMMARIZER_INSTRUCTIONS },
          {
            role: 'user',
            content: [
              {
                type: 'text',
                text: `${previous}New messages:\n${transcript(older.map((entry) => entry.message))}\n\nWrite the updated summary.`,
              },
            ],
          },
        ],
        ...(signal ? { abortSignal: signal } : {}),
      },
      undefined,
    );
    if (output.text.trim()) {
      const fresh = { throughSeq: outsideThrough, text: output.text.trim(), createdAt: new Date().toISOString() };
      await store.saveSummary(scope, conversationId, fresh);
      summary = { schemaVersion: 1, ...fresh };
    }
  }
  return summary ? `Summary of the earlier conversation (older messages are not shown):\n${summary.text}` : undefined;
}
