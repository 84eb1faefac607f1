import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentryError } from '../errors.ts';
import { scriptedAgent } from '../testing/scripted-agent.ts';
import { calculatorTool } from '../tools/builtin/calculator/calculator-tool.ts';
import { createClockTool } from '../tools/builtin/clock.ts';
import { defineTool } from '../tools/define-tool.ts';
import type { RunEvent } from './events.ts';
import type { Message } from './messages.ts';
import { runAgent } from './run-agent.ts';
import { TRUNCATION_MARKER } from './tool-execution.ts';

const calc = (expression: string, id?: string) => ({ name: 'calculate', input: { expression }, ...(id ? { id } : {}) });

/** Every tool call in a history is answered by a result with the same id, in the next message. */
function expectValidHistory(messages: Message[]): void {
  messages.forEach((message, index) => {
    if (message.role !== 'assistant') return;
    const calls = message.content.filter((block) => block.type === 'tool-call').map((block) => block.toolCallId);
    if (calls.length === 0) return;
    const next = messages[index + 1];
    expect(next?.role).toBe('tool');
    expect(next?.content.map((block) => (block.type === 'tool-result' ? block.toolCallId : '')).sort()).toEqual(
      [...calls].sort(),
    );
  });
}

describe('runAgent', () => {
  it('answers the reference query "What is 25 * 47?" through the calculator', async () => {
    const agent = scriptedAgent({
      script: {
        steps: [
          { toolCalls: [calc('25 * 47')] },
          { text: '1175', expect: { toolResult: '1175', tools: ['calculate'] } },
        ],
      },
      tools: [calculatorTool],
    });
    const events: RunEvent[] = [];
    const result = await runAgent(agent, { query: 'What is 25 * 47?', onEvent: (event) => events.push(event) });

    expect(result.status).toBe('succeeded');
    expect(result.text).toBe('1175');
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({
      toolName: 'calculate',
      output: { result: 1175 },
      isError: false,
    });
    expect(result.usage.totalTokens).toBe(result.steps.reduce((sum, step) => sum + step.usage.totalTokens, 0));
    expect(result.usage.totalTokens).toBeGreaterThan(0);
    expect(events.map((event) => event.type)).toEqual([
      'run-start',
      'usage',
      'tool-call',
      'tool-result',
      'text-delta',
      'usage',
      'run-end',
    ]);
    expect(agent.model.model.unusedSteps()).toEqual([]);
  });

  it('keeps full content blocks in the messages it returns, and a second turn sees them', async () => {
    const agent = scriptedAgent({
      script: {
        steps: [
          { toolCalls: [calc('100 / 4', 'c1')] },
          { toolCalls: [calc('25 * 3', 'c2')], expect: { toolResult: '25' } },
          { text: '75' },
          { text: 'It was 75.', expect: { userText: 'What was the answer' } },
        ],
      },
      tools: [calculatorTool],
    });
    const first = await runAgent(agent, { query: 'What is 100 divided by 4, and then multiply that by 3?' });
    expect(first.text).toBe('75');
    expect(first.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(first.messages[1]?.content[0]).toEqual({
      type: 'tool-call',
      toolCallId: 'c1',
      toolName: 'calculate',
      input: { expression: '100 / 4' },
    });
    expect(first.messages[2]?.content[0]).toMatchObject({ type: 'tool-result', toolCallId: 'c1', isError: false });
    expectValidHistory(first.messages);

    const second = await runAgent(agent, { query: 'What was the answer?', history: first.messages });
    expect(second.text).toBe('It was 75.');
    const prompt = agent.model.model.calls.at(-1)!.prompt;
    expect(prompt.filter((message) => message.role === 'tool')).toHaveLength(2);
    expect(prompt.filter((message) => message.role === 'user')).toHaveLength(2);
  });

  it('runs the tool calls of one step in parallel', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // `waiter` only finishes once `opener` has started: sequential execution would time out.
    const waiter = defineTool({
      name: 'waiter',
      description: 'w',
      input: z.object({}),
      timeoutMs: 2_000,
      run: async () => {
        await gate;
        return 'waited';
      },
    });
    const opener = defineTool({
      name: 'opener',
      description: 'o',
      input: z.object({}),
      run: () => {
        release();
        return 'opened';
      },
    });
    const agent = scriptedAgent({
      script: {
        steps: [
          {
            toolCalls: [
              { name: 'waiter', input: {} },
              { name: 'opener', input: {} },
            ],
          },
          { text: 'ok' },
        ],
      },
      tools: [waiter, opener],
    });
    const result = await runAgent(agent, { query: 'go' });
    expect(result.steps[0]?.toolCalls.map((call) => [call.toolName, call.output, call.isError])).toEqual(
      expect.arrayContaining([
        ['waiter', 'waited', false],
        ['opener', 'opened', false],
      ]),
    );
    expect(result.messages[2]?.content.map((block) => (block.type === 'tool-result' ? block.toolName : ''))).toEqual([
      'waiter',
      'opener',
    ]);
  });

  it('turns an unknown tool, invalid input, unparsable input and a throwing tool into error results the model reads', async () => {
    const thrower = defineTool({
      name: 'thrower',
      description: 't',
      input: z.object({}),
      run: () => {
        throw new Error('disk on fire');
      },
    });
    const agent = scriptedAgent({
      script: {
        steps: [
          { toolCalls: [{ name: 'no_such_tool', input: {} }] },
          {
            toolCalls: [{ name: 'calculate', input: { expression: 42 } }],
            expect: { toolResult: 'Unknown tool \\"no_such_tool\\". Available tools: calculate, thrower' },
          },
          {
            toolCalls: [{ name: 'thrower', input: {} }],
            expect: { toolResult: 'Invalid input for tool \\"calculate\\": expression' },
          },
          { toolCalls: [calc('import os')], expect: { toolResult: 'disk on fire' } },
          { text: 'done', expect: { toolResult: 'error-text' } },
        ],
      },
      tools: [calculatorTool, thrower],
    });
    const result = await runAgent(agent, { query: 'break things' });
    expect(result.status).toBe('succeeded');
    expect(result.steps.flatMap((step) => step.toolCalls.map((call) => call.isError))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(agent.model.model.unusedSteps()).toEqual([]);
    expectValidHistory(result.messages);
  });

  it('reports tool input that is not JSON as an error result', async () => {
    const agent = scriptedAgent({ script: { steps: [{ text: 'x' }] }, tools: [calculatorTool] });
    // A model that emits broken JSON for tool input: patch the stream through a wrapper model.
    const inner = agent.model.model;
    let calls = 0;
    agent.model = {
      ...agent.model,
      model: Object.assign(Object.create(inner), {
        doStream: async () => {
          calls++;
          const parts =
            calls === 1
              ? [
                  { type: 'tool-call', toolCallId: 'bad', toolName: 'calculate', input: '{"expression": "1+' },
                  {
                    type: 'finish',
                    finishReason: { unified: 'tool-calls', raw: 'tool_use' },
                    usage: { inputTokens: { total: 1 }, outputTokens: { total: 1 } },
                  },
                ]
              : [
                  { type: 'text-delta', id: 't', delta: 'recovered' },
                  {
                    type: 'finish',
                    finishReason: { unified: 'stop', raw: 'end_turn' },
                    usage: { inputTokens: { total: 1 }, outputTokens: { total: 1 } },
                  },
                ];
          return {
            stream: new ReadableStream({
              start: (controller) => {
                for (const part of parts) controller.enqueue(part);
                controller.close();
              },
            }),
          };
        },
      }),
    };
    const result = await runAgent(agent, { query: 'q' });
    expect(result.text).toBe('recovered');
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ isError: true, output: 'The tool input is not valid JSON.' });
  });

  it('fails a stream that ends without finishing as MODEL_RESPONSE_INVALID after retries', async () => {
    const agent = scriptedAgent({ script: { steps: [{ text: 'x' }] }, limits: { modelRetries: 1 } });
    const inner = agent.model.model;
    let calls = 0;
    agent.model = {
      ...agent.model,
      model: Object.assign(Object.create(inner), {
        doStream: async () => {
          calls++;
          return { stream: new ReadableStream({ start: (controller) => controller.close() }) };
        },
      }),
    };
    const result = await runAgent(agent, { query: 'q', sleep: async () => {} });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MODEL_RESPONSE_INVALID');
    expect(calls).toBe(2);
  });

  it('times out a hanging tool and caps long output with a marker', async () => {
    const hang = defineTool({
      name: 'hang',
      description: 'h',
      input: z.object({}),
      timeoutMs: 30,
      run: () => new Promise(() => {}),
    });
    const big = defineTool({
      name: 'big',
      description: 'b',
      input: z.object({}),
      outputMaxChars: 100,
      run: () => 'x'.repeat(5_000),
    });
    const agent = scriptedAgent({
      script: {
        steps: [
          {
            toolCalls: [
              { name: 'hang', input: {} },
              { name: 'big', input: {} },
            ],
          },
          { text: 'ok', expect: { toolResult: 'timed out after 30 ms' } },
        ],
      },
      tools: [hang, big],
    });
    const result = await runAgent(agent, { query: 'q' });
    const [hung, capped] = result.steps[0]!.toolCalls;
    expect(hung).toMatchObject({ toolName: 'hang', isError: true });
    expect(capped?.output).toMatch(/^x{100}…\[truncated 4900 of 5000 characters\]$/);
    expect(String(capped?.output)).toContain(TRUNCATION_MARKER);
  });

  it('ends with max_iterations, not a fake answer, and answers the unrun calls', async () => {
    const agent = scriptedAgent({
      script: {
        steps: [{ toolCalls: [calc('1+1')] }, { toolCalls: [calc('2+2')] }, { toolCalls: [calc('3+3', 'last')] }],
      },
      tools: [calculatorTool],
      limits: { maxIterations: 3 },
    });
    const events: RunEvent[] = [];
    const result = await runAgent(agent, { query: 'loop forever', onEvent: (event) => events.push(event) });
    expect(result.status).toBe('max_iterations');
    expect(result.text).toBe('');
    expect(result.error?.code).toBe('RUN_MAX_ITERATIONS');
    expect(result.steps).toHaveLength(3);
    expect(events.filter((event) => event.type === 'tool-result')).toHaveLength(2);
    expect(result.messages.at(-1)?.content[0]).toMatchObject({ toolCallId: 'last', isError: true });
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'max_iterations' });
    expectValidHistory(result.messages);
  });

  it('cancels a run through its AbortSignal, even inside a tool that ignores it', async () => {
    const controller = new AbortController();
    const stuck = defineTool({
      name: 'stuck',
      description: 's',
      input: z.object({}),
      run: () => {
        controller.abort();
        return new Promise(() => {});
      },
    });
    const agent = scriptedAgent({
      script: { steps: [{ toolCalls: [{ name: 'stuck', input: {} }] }, { text: 'never' }] },
      tools: [stuck],
    });
    const result = await runAgent(agent, { query: 'q', signal: controller.signal });
    expect(result.status).toBe('cancelled');
    expect(result.error?.code).toBe('RUN_CANCELLED');
    expect(agent.model.model.unusedSteps()).toHaveLength(1);
    expectValidHistory(result.messages);
  });

  it('cancels during a slow model call', async () => {
    const controller = new AbortController();
    const agent = scriptedAgent({ script: { steps: [{ text: 'slow', delayMs: 60_000 }] } });
    setTimeout(() => controller.abort(), 10);
    const result = await runAgent(agent, { query: 'q', signal: controller.signal });
    expect(result.status).toBe('cancelled');
    expect(result.messages.map((message) => message.role)).toEqual(['user']);
  });

  it('retries throttling with jittered backoff, then succeeds', async () => {
    const delays: number[] = [];
    const agent = scriptedAgent({
      script: { steps: [{ error: { status: 429 } }, { error: { status: 503 } }, { text: 'finally' }] },
      limits: { modelRetries: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 1_000 },
    });
    const result = await runAgent(agent, { query: 'q', random: () => 0.5, sleep: async (ms) => void delays.push(ms) });
    expect(result.status).toBe('succeeded');
    expect(result.text).toBe('finally');
    expect(delays).toEqual([50, 100]);
  });

  it('fails with a coded error when retries run out or the error is not retryable', async () => {
    const throttled = scriptedAgent({
      script: { steps: [{ error: { status: 429 } }, { error: { status: 429 } }] },
      limits: { modelRetries: 1 },
    });
    const result = await runAgent(throttled, { query: 'q', sleep: async () => {} });
    expect(result.status).toBe('failed');
    expect(result.error).toBeInstanceOf(AgentryError);
    expect(result.error?.toJSON()).toMatchObject({ code: 'MODEL_THROTTLED', retryable: true });

    const rejected = scriptedAgent({ script: { steps: [{ error: { status: 400 } }, { text: 'unused' }] } });
    const second = await runAgent(rejected, { query: 'q', sleep: async () => {} });
    expect(second.error?.code).toBe('MODEL_REQUEST_REJECTED');
    expect(rejected.model.model.unusedSteps()).toHaveLength(1);
  });

  it('fails loudly when the scripted model gets a call it did not plan for', async () => {
    const agent = scriptedAgent({ script: { steps: [{ toolCalls: [calc('1+1')] }] }, tools: [calculatorTool] });
    const result = await runAgent(agent, { query: 'q' });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MODEL_SCRIPT_EXHAUSTED');
    expect(result.error?.message).toMatch(/unexpected call 2/);
  });

  it('isolates a throwing event listener', async () => {
    const agent = scriptedAgent({
      script: { steps: [{ toolCalls: [{ name: 'get_current_time', input: {} }] }, { text: 'ok' }] },
      tools: [createClockTool(() => new Date(0))],
    });
    const result = await runAgent(agent, {
      query: 'q',
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    expect(result.status).toBe('succeeded');
    expect(result.steps[0]?.toolCalls[0]?.output).toEqual({
      timezone: 'UTC',
      iso: '1970-01-01T00:00:00+00:00',
      utc: '1970-01-01T00:00:00.000Z',
    });
  });
});
