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
  COMPATIBLE_MODEL,
  COMPATIBLE_STOP_REPLY,
  COMPATIBLE_TOOL_CALL_IDS,
  COMPATIBLE_TOOL_CALL_REPLY,
  compatibleStopResponse,
  compatibleToolCallResponse,
} from './fixtures/openai-compatible.ts';
import { type LoopbackServer, type RecordedRequest, startLoopbackServer } from './loopback-server.ts';

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

function modelString(): string {
  return `openai-compatible:${server.url}/v1#${COMPATIBLE_MODEL}`;
}

async function streamOnce(env: Record<string, string> = {}) {
  const { model, callOptions } = new ModelRegistry({ env, baseDir: process.cwd() }).resolve(modelString());
  const result = await model.doStream(streamCall(COMPATIBLE_TOOL_CALL_IDS, callOptions));
  return readStream(result.stream);
}

function onlyRequest(): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
}

describe('OpenAI-compatible (Ollama) Chat Completions contract', () => {
  it('posts to <baseURL>/chat/completions with the model from the model string, stream and include_usage', async () => {
    server.enqueue(compatibleToolCallResponse());
    await streamOnce();

    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/chat/completions');
    // A local server needs no key, and none is invented.
    expect(request.headers.authorization).toBeUndefined();
    const body = asRecord(request.body);
    expect(body.model).toBe(COMPATIBLE_MODEL);
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it('sends OPENAI_COMPATIBLE_API_KEY as a bearer token when it is set', async () => {
    server.enqueue(compatibleStopResponse());
    await streamOnce({ OPENAI_COMPATIBLE_API_KEY: 'vllm-contract-test-key' });

    expect(onlyRequest().headers.authorization).toBe('Bearer vllm-contract-test-key');
  });

  it('sends the system prompt, the function tools and the earlier tool calls and results with matching ids', async () => {
    server.enqueue(compatibleToolCallResponse());
    await streamOnce();

    const body = asRecord(onlyRequest().body);
    const tools = (body.tools as unknown[]).map(asRecord);
    expect(
      tools.map(({ type, function: fn }) => {
        const { name, description, parameters } = asRecord(fn);
        return { type, name, description, parameters };
      }),
    ).toEqual([
      {
        type: 'function',
        name: 'calculator',
        description: CALCULATOR_TOOL.description,
        parameters: CALCULATOR_TOOL.inputSchema,
      },
      {
        type: 'function',
        name: 'lookup_order',
        description: LOOKUP_ORDER_TOOL.description,
        parameters: LOOKUP_ORDER_TOOL.inputSchema,
      },
    ]);
    // Unlike @ai-sdk/openai, the compatible provider sends error text as is, not wrapped in JSON.
    expect(body.messages).toEqual([
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: USER_QUESTION },
      {
        role: 'assistant',
        content: 'Let me work that out and look up your order.',
        tool_calls: [
          {
            id: COMPATIBLE_TOOL_CALL_IDS.calculator,
            type: 'function',
            function: { name: 'calculator', arguments: JSON.stringify({ expression: '25 * 47' }) },
          },
          {
            id: COMPATIBLE_TOOL_CALL_IDS.lookupOrder,
            type: 'function',
            function: { name: 'lookup_order', arguments: JSON.stringify({ orderId: 'A-1001' }) },
          },
        ],
      },
      { role: 'tool', tool_call_id: COMPATIBLE_TOOL_CALL_IDS.calculator, content: JSON.stringify(CALCULATOR_RESULT) },
      { role: 'tool', tool_call_id: COMPATIBLE_TOOL_CALL_IDS.lookupOrder, content: LOOKUP_ORDER_ERROR },
    ]);
  });

  it('reads a tool call sent whole in one chunk, the tool_calls finish reason and usage', async () => {
    server.enqueue(compatibleToolCallResponse());
    const reply = await streamOnce();

    expect(reply.errors).toEqual([]);
    expect(reply.text).toBe('');
    expect(reply.toolCalls).toEqual([COMPATIBLE_TOOL_CALL_REPLY.toolCall]);
    expect(reply.finishReason).toEqual({ unified: 'tool-calls', raw: 'tool_calls' });
    expect(reply.usage?.inputTokens.total).toBe(COMPATIBLE_TOOL_CALL_REPLY.usage.prompt_tokens);
    expect(reply.usage?.outputTokens.total).toBe(COMPATIBLE_TOOL_CALL_REPLY.usage.completion_tokens);
  });

  it('reads text deltas and the stop finish reason', async () => {
    server.enqueue(compatibleStopResponse());
    const reply = await streamOnce();

    expect(reply.errors).toEqual([]);
    expect(reply.text).toBe(COMPATIBLE_STOP_REPLY.text);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(reply.usage?.inputTokens.total).toBe(COMPATIBLE_STOP_REPLY.usage.prompt_tokens);
    expect(reply.usage?.outputTokens.total).toBe(COMPATIBLE_STOP_REPLY.usage.completion_tokens);
  });
});

describe('OpenAI-compatible check()', () => {
  it('names the base URL and model, never the key', () => {
    const result = new ModelRegistry({
      env: { OPENAI_COMPATIBLE_API_KEY: 'vllm-contract-test-key' },
      baseDir: process.cwd(),
    }).check(modelString());
    expect(result.ok).toBe(true);
    expect(result.message).toContain(`${server.url}/v1`);
    expect(result.message).toContain(COMPATIBLE_MODEL);
    expect(result.message).not.toContain('vllm-contract-test-key');
  });

  it('explains the model string format when the model is missing', () => {
    const result = new ModelRegistry({ env: {}, baseDir: process.cwd() }).check(`openai-compatible:${server.url}/v1`);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('openai-compatible:<baseURL>#<model>');
  });
});
