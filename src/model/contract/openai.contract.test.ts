import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../registry.ts';
import {
  asRecord,
  CALCULATOR_RESULT,
  CALCULATOR_TOOL,
  LOOKUP_ORDER_ERROR,
  LOOKUP_ORDER_TOOL,
  readStream,
  SYSTEM_PROMPT,
  streamCall,
  USER_QUESTION,
} from './fixtures/conversation.ts';
import {
  OPENAI_COMPLETION_ID,
  OPENAI_STOP_REPLY,
  OPENAI_TOOL_CALL_IDS,
  OPENAI_TOOL_CALLS_REPLY,
  openaiStopResponse,
  openaiToolCallsResponse,
} from './fixtures/openai.ts';
import { type LoopbackServer, type RecordedRequest, startLoopbackServer } from './loopback-server.ts';

const API_KEY = 'sk-proj-contract-test-key-0123456789abcdef';
const MODEL = 'openai:gpt-4o-mini';

let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer();
});

afterEach(() => {
  expect(server.unexpected).toEqual([]);
  expect(server.pending()).toBe(0);
  server.reset();
});

afterAll(async () => {
  await server.close();
});

async function streamOnce() {
  const { model, callOptions } = new ModelRegistry({
    env: { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: API_KEY },
    baseDir: process.cwd(),
  }).resolve(MODEL);
  const result = await model.doStream(streamCall(OPENAI_TOOL_CALL_IDS, callOptions));
  return readStream(result.stream);
}

function onlyRequest(): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
}

describe('OpenAI Chat Completions contract', () => {
  it('posts to /v1/chat/completions with a bearer key, stream true and include_usage', async () => {
    server.enqueue(openaiToolCallsResponse());
    await streamOnce();

    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const body = asRecord(request.body);
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it('sends the system prompt, the function tools and the earlier tool calls and results with matching ids', async () => {
    server.enqueue(openaiToolCallsResponse());
    await streamOnce();

    const body = asRecord(onlyRequest().body);
    const tools = (body.tools as unknown[]).map(asRecord);
    expect(tools.map(({ type, function: fn }) => ({ type, function: pickFunction(fn) }))).toEqual([
      {
        type: 'function',
        function: {
          name: CALCULATOR_TOOL.name,
          description: CALCULATOR_TOOL.description,
          parameters: CALCULATOR_TOOL.inputSchema,
        },
      },
      {
        type: 'function',
        function: {
          name: LOOKUP_ORDER_TOOL.name,
          description: LOOKUP_ORDER_TOOL.description,
          parameters: LOOKUP_ORDER_TOOL.inputSchema,
        },
      },
    ]);
    expect(body.messages).toEqual([
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: USER_QUESTION },
      {
        role: 'assistant',
        content: 'Let me work that out and look up your order.',
        tool_calls: [
          {
            id: OPENAI_TOOL_CALL_IDS.calculator,
            type: 'function',
            function: { name: 'calculator', arguments: JSON.stringify({ expression: '25 * 47' }) },
          },
          {
            id: OPENAI_TOOL_CALL_IDS.lookupOrder,
            type: 'function',
            function: { name: 'lookup_order', arguments: JSON.stringify({ orderId: 'A-1001' }) },
          },
        ],
      },
      { role: 'tool', tool_call_id: OPENAI_TOOL_CALL_IDS.calculator, content: JSON.stringify(CALCULATOR_RESULT) },
      // The SDK wraps error text so the model can tell a failure from a result.
      {
        role: 'tool',
        tool_call_id: OPENAI_TOOL_CALL_IDS.lookupOrder,
        content: JSON.stringify({ error: LOOKUP_ORDER_ERROR }),
      },
    ]);
  });

  it('reads text, two parallel tool calls assembled by index, the tool_calls finish reason and cached tokens', async () => {
    server.enqueue(openaiToolCallsResponse());
    const reply = await streamOnce();

    expect(reply.errors).toEqual([]);
    expect(reply.responseId).toBe(OPENAI_COMPLETION_ID);
    expect(reply.text).toBe(OPENAI_TOOL_CALLS_REPLY.text);
    expect(reply.toolCalls).toEqual(OPENAI_TOOL_CALLS_REPLY.toolCalls);
    expect(reply.finishReason).toEqual({ unified: 'tool-calls', raw: 'tool_calls' });
    const { prompt_tokens, completion_tokens, cached_tokens } = OPENAI_TOOL_CALLS_REPLY.usage;
    expect(reply.usage?.inputTokens).toMatchObject({
      total: prompt_tokens,
      noCache: prompt_tokens - cached_tokens,
      cacheRead: cached_tokens,
    });
    expect(reply.usage?.outputTokens.total).toBe(completion_tokens);
  });

  it('reads a plain answer as finish reason stop', async () => {
    server.enqueue(openaiStopResponse());
    const reply = await streamOnce();

    expect(reply.errors).toEqual([]);
    expect(reply.text).toBe(OPENAI_STOP_REPLY.text);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(reply.usage?.inputTokens.total).toBe(OPENAI_STOP_REPLY.usage.prompt_tokens);
    expect(reply.usage?.inputTokens.cacheRead).toBe(0);
    expect(reply.usage?.outputTokens.total).toBe(OPENAI_STOP_REPLY.usage.completion_tokens);
  });
});

function pickFunction(value: unknown): Record<string, unknown> {
  const { name, description, parameters } = asRecord(value);
  return { name, description, parameters };
}

describe('OpenAI check()', () => {
  it('names OPENAI_API_KEY when it is missing', () => {
    const result = new ModelRegistry({ env: {}, baseDir: process.cwd() }).check(MODEL);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('OPENAI_API_KEY');
  });

  it('reports the key source without printing the key', () => {
    const result = new ModelRegistry({ env: { OPENAI_API_KEY: API_KEY }, baseDir: process.cwd() }).check(MODEL);
    expect(result.ok).toBe(true);
    expect(result.message).toContain('OPENAI_API_KEY');
    expect(result.message).not.toContain(API_KEY);
  });
});
