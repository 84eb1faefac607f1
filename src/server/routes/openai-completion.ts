import type { RunEvent, RunStatus } from '../../agent/events.ts';
import type { TokenUsage } from '../../agent/usage.ts';
import { AgentryError } from '../../errors.ts';
import type { DurableRunResult } from '../../runner/agent-runner.ts';
import type { RunOutcome } from './follow-run.ts';
import type { AgentryExtension, ChatCompletion, CompletionUsage } from './openai-schemas.ts';

/** Between the texts of two model calls (e.g. a preamble before a tool call, then the answer). */
const STEP_TEXT_SEPARATOR = '\n\n';

export interface CompletionIds {
  /** `chatcmpl-<runId>`. */
  id: string;
  runId: string;
  conversationId: string;
  model: string;
  created: number;
}

/** Runs that answered map to a completion; failed and cancelled ones are errors. */
export function finishReasonOf(status: RunStatus): 'stop' | 'length' | undefined {
  if (status === 'succeeded') return 'stop';
  if (status === 'max_iterations') return 'length';
  return undefined;
}

export function usageOf(usage: TokenUsage): CompletionUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
  };
}

/**
 * The `chat.completion` of a run that answered. The content is every text the agent wrote in
 * this run, model call by model call, exactly what the streamed deltas add up to.
 */
export function completionOf(ids: CompletionIds, result: DurableRunResult, finishReason: 'stop' | 'length') {
  const content = result.messages
    .flatMap((message) => (message.role === 'assistant' ? message.content : []))
    .flatMap((block) => (block.type === 'text' && block.text ? [block.text] : []))
    .join(STEP_TEXT_SEPARATOR);
  const completion: ChatCompletion = {
    id: ids.id,
    object: 'chat.completion',
    created: ids.created,
    model: ids.model,
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finishReason },
    ],
    usage: usageOf(result.usage),
    agentry: extensionOf(
      ids,
      result.steps.flatMap((step) => step.toolCalls),
      result.error,
    ),
  };
  return completion;
}

function extensionOf(
  ids: CompletionIds,
  toolCalls: AgentryExtension['toolCalls'],
  error: AgentryError | undefined,
): AgentryExtension {
  const extension: AgentryExtension = { runId: ids.runId, conversationId: ids.conversationId, toolCalls };
  if (error) extension.error = { code: error.code, message: error.message, retryable: error.retryable };
  return extension;
}

/**
 * Maps a run's events to `chat.completion.chunk` payloads, as OpenAI streams them: a first chunk
 * with the role, content deltas, a last chunk with `finish_reason` (and the non-standard `agentry`
 * field: run, conversation, server-side tool calls), then with `include_usage` a chunk with empty
 * `choices` and the usage (every chunk before it has `usage: null`). A failed or cancelled run
 * ends with `{ error }` instead, which OpenAI clients raise as an APIError.
 */
export class CompletionChunker {
  private textStep = 0;

  constructor(
    private readonly ids: CompletionIds,
    private readonly includeUsage: boolean,
  ) {}

  start(): unknown[] {
    return [this.chunk({ role: 'assistant', content: '' }, null)];
  }

  map(event: RunEvent): unknown[] {
    if (event.type !== 'text-delta') return [];
    const separator = this.textStep > 0 && event.step !== this.textStep ? STEP_TEXT_SEPARATOR : '';
    this.textStep = event.step;
    return [this.chunk({ content: separator + event.delta }, null)];
  }

  /** The closing payloads, once the run is over. */
  end(outcome: RunOutcome): unknown[] {
    const { result } = outcome;
    const finishReason = result && finishReasonOf(result.status);
    if (!result || !finishReason) {
      const error = outcome.error ?? result?.error ?? new AgentryError('INTERNAL', 'The run failed.');
      return [{ error: error.toJSON() }];
    }
    const toolCalls = result.steps.flatMap((step) => step.toolCalls);
    const last = { ...this.chunk({}, finishReason), agentry: extensionOf(this.ids, toolCalls, result.error) };
    if (!this.includeUsage) return [last];
    return [last, { ...this.chunk(undefined, null), usage: usageOf(result.usage) }];
  }

  private chunk(delta: Record<string, string> | undefined, finishReason: 'stop' | 'length' | null) {
    return {
      id: this.ids.id,
      object: 'chat.completion.chunk',
      created: this.ids.created,
      model: this.ids.model,
      choices: delta ? [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] : [],
      ...(this.includeUsage ? { usage: null } : {}),
    };
  }
}
