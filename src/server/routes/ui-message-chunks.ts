import type { FinishReason, UIMessageChunk } from 'ai';
import type { RunEvent, RunStatus } from '../../agent/events.ts';
import type { AgentryError } from '../../errors.ts';
import type { RunOutcome } from './follow-run.ts';

/** What a chat client finds in the assistant message's `metadata`. */
export interface ChatMessageMetadata {
  runId: string;
  conversationId: string;
  usage?: { inputTokens: number; outputTokens: number; totalTokens: number };
}

const FINISH_REASONS: Record<RunStatus, FinishReason> = {
  running: 'other',
  succeeded: 'stop',
  max_iterations: 'length',
  failed: 'error',
  cancelled: 'other',
};

/**
 * Maps one run's events to AI SDK UI message stream chunks (protocol v1, `ai` v7). The rules:
 * - one assistant message per run, its id the run id; `start` carries `{ runId, conversationId }`
 *   as message metadata and `finish` adds `{ usage }`;
 * - each model call is a step (`start-step` … `finish-step`) holding its text part and tool parts;
 * - tools are static parts (`tool-<name>`), run server-side: `tool-input-available` then
 *   `tool-output-available` or, for an error result, `tool-output-error`;
 * - a run error is an `error` chunk with the coded message (never internals); a tool call left
 *   without a result when the run stopped is closed with `tool-output-error`;
 * - `finish` maps the run status: succeeded → stop, max_iterations → length, failed → error,
 *   cancelled → other.
 */
export class UiMessageChunkMapper {
  private step = 0;
  private openText: string | undefined;
  private texts = 0;
  private readonly pendingTools = new Set<string>();
  private finished = false;

  constructor(
    private readonly runId: string,
    private readonly conversationId: string,
  ) {}

  start(): UIMessageChunk[] {
    const metadata: ChatMessageMetadata = { runId: this.runId, conversationId: this.conversationId };
    return [{ type: 'start', messageId: this.runId, messageMetadata: metadata }];
  }

  map(event: RunEvent): UIMessageChunk[] {
    if (this.finished) return [];
    switch (event.type) {
      case 'run-start':
        return [];
      case 'text-delta': {
        const chunks = this.enterStep(event.step);
        if (!this.openText) {
          this.openText = `text-${++this.texts}`;
          chunks.push({ type: 'text-start', id: this.openText });
        }
        chunks.push({ type: 'text-delta', id: this.openText, delta: event.delta });
        return chunks;
      }
      case 'tool-call':
        this.pendingTools.add(event.toolCallId);
        return [
          ...this.enterStep(event.step),
          ...this.closeText(),
          { type: 'tool-input-available', toolCallId: event.toolCallId, toolName: event.toolName, input: event.input },
        ];
      case 'tool-result': {
        if (!this.pendingTools.delete(event.toolCallId)) return [];
        return [
          event.isError
            ? { type: 'tool-output-error', toolCallId: event.toolCallId, errorText: errorText(event.output) }
            : { type: 'tool-output-available', toolCallId: event.toolCallId, output: event.output },
        ];
      }
      case 'usage':
        return this.enterStep(event.step);
      case 'error':
        return [...this.closeText(), { type: 'error', errorText: event.error.message }];
      case 'run-end':
        return this.finish(FINISH_REASONS[event.status], event.usage);
    }
  }

  /** Ends the message if the run stopped without a `run-end` event (it failed before its loop). */
  settle(outcome: RunOutcome): UIMessageChunk[] {
    if (this.finished) return [];
    const error: AgentryError | undefined = outcome.error ?? outcome.result.error;
    return [
      ...this.closeText(),
      ...(error ? [{ type: 'error', errorText: error.message } as const] : []),
      ...this.finish(outcome.result ? FINISH_REASONS[outcome.result.status] : 'error', outcome.result?.usage),
    ];
  }

  private finish(
    finishReason: FinishReason,
    usage: { inputTokens: number; outputTokens: number; totalTokens: number } | undefined,
  ): UIMessageChunk[] {
    this.finished = true;
    const chunks = this.closeText();
    for (const toolCallId of this.pendingTools) {
      chunks.push({ type: 'tool-output-error', toolCallId, errorText: 'Not run: the run stopped before this call.' });
    }
    this.pendingTools.clear();
    if (this.step > 0) chunks.push({ type: 'finish-step' });
    const metadata = usage
      ? {
          usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.totalTokens },
        }
      : undefined;
    chunks.push({ type: 'finish', finishReason, ...(metadata ? { messageMetadata: metadata } : {}) });
    return chunks;
  }

  private enterStep(step: number): UIMessageChunk[] {
    if (step <= this.step) return [];
    const chunks = this.closeText();
    if (this.step > 0) chunks.push({ type: 'finish-step' });
    this.step = step;
    chunks.push({ type: 'start-step' });
    return chunks;
  }

  private closeText(): UIMessageChunk[] {
    if (!this.openText) return [];
    const id = this.openText;
    this.openText = undefined;
    return [{ type: 'text-end', id }];
  }
}

function errorText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (output && typeof output === 'object' && 'message' in output && typeof output.message === 'string') {
    return output.message;
  }
  return JSON.stringify(output) ?? 'The tool failed.';
}
