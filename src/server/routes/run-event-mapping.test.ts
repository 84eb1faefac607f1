import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../agent/events.ts';
import { emptyUsage } from '../../agent/usage.ts';
import { AgentryError } from '../../errors.ts';
import type { DurableRunResult } from '../../runner/agent-runner.ts';
import { CompletionChunker } from './openai-completion.ts';
import { UiMessageChunkMapper } from './ui-message-chunks.ts';

const runId = 'run-1';
const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15, cacheReadTokens: 0, cacheWriteTokens: 0 };

/** A run that says something, calls two tools (one fails), is cut off with a third call unanswered. */
const events: RunEvent[] = [
  { type: 'run-start', runId, agent: 'assistant', model: 'scripted' },
  { type: 'text-delta', runId, step: 1, delta: 'Let me ' },
  { type: 'text-delta', runId, step: 1, delta: 'check.' },
  { type: 'usage', runId, step: 1, usage, finishReason: 'tool-calls' },
  { type: 'tool-call', runId, step: 1, toolCallId: 'a', toolName: 'calculate', input: { expression: '1/0' } },
  { type: 'tool-call', runId, step: 1, toolCallId: 'b', toolName: 'get_current_time', input: {} },
  {
    type: 'tool-result',
    runId,
    step: 1,
    toolCallId: 'a',
    toolName: 'calculate',
    input: { expression: '1/0' },
    output: 'Division by zero.',
    isError: true,
    durationMs: 1,
  },
  {
    type: 'tool-result',
    runId,
    step: 1,
    toolCallId: 'b',
    toolName: 'get_current_time',
    input: {},
    output: { iso: '2025-01-01T00:00:00Z' },
    isError: false,
    durationMs: 1,
  },
  { type: 'text-delta', runId, step: 2, delta: 'Still working.' },
  { type: 'usage', runId, step: 2, usage, finishReason: 'tool-calls' },
  { type: 'tool-call', runId, step: 2, toolCallId: 'c', toolName: 'calculate', input: { expression: '2+2' } },
  { type: 'error', runId, step: 2, error: new AgentryError('RUN_CANCELLED', 'The run was cancelled.').toJSON() },
  { type: 'run-end', runId, status: 'cancelled', text: '', usage },
];

async function assemble(chunks: UIMessageChunk[]): Promise<{ message: UIMessage | undefined; errors: string[] }> {
  const errors: string[] = [];
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let message: UIMessage | undefined;
  for await (const snapshot of readUIMessageStream({ stream, onError: (error) => errors.push(String(error)) })) {
    message = snapshot;
  }
  return { message, errors };
}

describe('run events → UI message chunks', () => {
  it('keeps steps, text parts, tool outcomes and the error, and closes what the run left open', async () => {
    const mapper = new UiMessageChunkMapper(runId, 'conv-1');
    const chunks = [...mapper.start(), ...events.flatMap((event) => mapper.map(event))];
    expect(chunks.map((chunk) => chunk.type)).toEqual([
      'start',
      'start-step',
      'text-start',
      'text-delta',
      'text-delta',
      'text-end',
      'tool-input-available',
      'tool-input-available',
      'tool-output-error',
      'tool-output-available',
      'finish-step',
      'start-step',
      'text-start',
      'text-delta',
      'text-end',
      'tool-input-available',
      'error',
      'tool-output-error',
      'finish-step',
      'finish',
    ]);
    expect(chunks.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'other',
      messageMetadata: { usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } },
    });
    expect(mapper.settle({ error: new AgentryError('INTERNAL', 'late') })).toEqual([]);

    const { message, errors } = await assemble(chunks);
    expect(errors).toEqual(['Error: The run was cancelled.']);
    expect(message?.id).toBe(runId);
    expect(message?.parts.map((part) => [part.type, 'state' in part ? part.state : undefined])).toEqual([
      ['step-start', undefined],
      ['text', 'done'],
      ['tool-calculate', 'output-error'],
      ['tool-get_current_time', 'output-available'],
      ['step-start', undefined],
      ['text', 'done'],
      ['tool-calculate', 'output-error'],
    ]);
    expect(message?.parts[2]).toMatchObject({ errorText: 'Division by zero.' });
  });

  it('ends the message with an error when the run failed before emitting anything', () => {
    const mapper = new UiMessageChunkMapper(runId, 'conv-1');
    expect(mapper.settle({ error: new AgentryError('STORE_UNAVAILABLE', 'The store is unavailable.') })).toEqual([
      { type: 'error', errorText: 'The store is unavailable.' },
      { type: 'finish', finishReason: 'error' },
    ]);
  });
});

describe('run events → chat.completion.chunk', () => {
  const ids = { id: `chatcmpl-${runId}`, runId, conversationId: 'conv-1', model: 'assistant', created: 1 };
  const result = (status: DurableRunResult['status'], error?: AgentryError): DurableRunResult => ({
    runId,
    conversationId: 'conv-1',
    status,
    text: '',
    messages: [],
    steps: [],
    usage: { ...emptyUsage(), inputTokens: 3, outputTokens: 2, totalTokens: 5 },
    ...(error ? { error } : {}),
  });

  it('separates the texts of different model calls', () => {
    const chunker = new CompletionChunker(ids, false);
    const content = events
      .flatMap((event) => chunker.map(event))
      .map((chunk) => (chunk as { choices: { delta: { content: string } }[] }).choices[0]?.delta.content)
      .join('');
    expect(content).toBe('Let me check.\n\nStill working.');
  });

  it('ends a run at its limit with finish_reason length, and a failed one with an error payload', () => {
    const limited = new CompletionChunker(ids, true).end({ result: result('max_iterations') });
    expect(limited).toEqual([
      expect.objectContaining({ choices: [expect.objectContaining({ finish_reason: 'length' })], usage: null }),
      expect.objectContaining({ choices: [], usage: expect.objectContaining({ total_tokens: 5 }) }),
    ]);
    const failed = new CompletionChunker(ids, true).end({
      result: result('failed', new AgentryError('MODEL_UNAVAILABLE', 'The model is unavailable.')),
    });
    expect(failed).toEqual([
      { error: { code: 'MODEL_UNAVAILABLE', message: 'The model is unavailable.', retryable: false } },
    ]);
  });
});
