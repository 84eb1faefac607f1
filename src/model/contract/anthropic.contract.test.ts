import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../errors.ts';
import { mapModelError } from '../map-model-error.ts';
import type { ModelCallSettings } from '../provider.ts';
import { ModelRegistry } from '../registry.ts';
import {
  ANTHROPIC_END_TURN_REPLY,
  ANTHROPIC_MESSAGE_ID,
  ANTHROPIC_TOOL_CALL_IDS,
  ANTHROPIC_TOOL_USE_REPLY,
  anthropicEndTurnResponse,
  anthropicErrorResponse,
  anthropicStreamOverloadedResponse,
  anthropicToolUseResponse,
} from './fixtures/anthropic.ts';
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
import { type LoopbackServer, type RecordedRequest, startLoopbackServer } from './loopback-server.ts';

const API_KEY = 'sk-ant-api03-contract-test-key-0123456789';
const MODEL = 'anthropic:claude-sonnet-4-5';

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

function resolve(settings: ModelCallSettings = {}) {
  return new ModelRegistry({
    env: { ANTHROPIC_BASE_URL: `${server.url}/v1`, ANTHROPIC_API_KEY: API_KEY },
    baseDir: process.cwd(),
  }).resolve(MODEL, settings);
}

async function streamOnce(settings: ModelCallSettings = {}) {
  const { model, callOptions } = resolve(settings);
  const result = await model.doStream(streamCall(ANTHROPIC_TOOL_CALL_IDS, callOptions));
  return readStream(result.stream);
}

async function failedStream(): Promise<unknown> {
  const { model, callOptions } = resolve();
  return model.doStream(streamCall(ANTHROPIC_TOOL_CALL_IDS, callOptions)).then(
    () => {
      throw new Error('Expected doStream to fail');
    },
    (error: unknown) => error,
  );
}

function onlyRequest(): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
}

describe('Anthropic Messages contract', () => {
  it('posts a streaming request to /v1/messages with x-api-key and the API version', async () => {
    server.enqueue(anthropicToolUseResponse());
    await streamOnce();

    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe(API_KEY);
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers.authorization).toBeUndefined();
    const body = asRecord(request.body);
    expect(body.model).toBe('claude-sonnet-4-5');
    expect(body.stream).toBe(true);
    expect(body.max_tokens).toEqual(expect.any(Number));
  });

  it('sends the system prompt, the tools and the earlier tool_use and tool_result blocks with matching ids', async () => {
    server.enqueue(anthropicToolUseResponse());
    await streamOnce();

    const body = asRecord(onlyRequest().body);
    expect(body.system).toEqual([{ type: 'text', text: SYSTEM_PROMPT }]);
    // The SDK adds its own flags (eager_input_streaming) next to these three fields.
    const tools = (body.tools as unknown[]).map(asRecord);
    expect(tools.map(({ name, description, input_schema }) => ({ name, description, input_schema }))).toEqual([
      {
        name: CALCULATOR_TOOL.name,
        description: CALCULATOR_TOOL.description,
        input_schema: CALCULATOR_TOOL.inputSchema,
      },
      {
        name: LOOKUP_ORDER_TOOL.name,
        description: LOOKUP_ORDER_TOOL.description,
        input_schema: LOOKUP_ORDER_TOOL.inputSchema,
      },
    ]);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: USER_QUESTION }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me work that out and look up your order.' },
          {
            type: 'tool_use',
            id: ANTHROPIC_TOOL_CALL_IDS.calculator,
            name: 'calculator',
            input: { expression: '25 * 47' },
          },
          {
            type: 'tool_use',
            id: ANTHROPIC_TOOL_CALL_IDS.lookupOrder,
            name: 'lookup_order',
            input: { orderId: 'A-1001' },
          },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: ANTHROPIC_TOOL_CALL_IDS.calculator,
            content: JSON.stringify(CALCULATOR_RESULT),
          },
          {
            type: 'tool_result',
            tool_use_id: ANTHROPIC_TOOL_CALL_IDS.lookupOrder,
            content: LOOKUP_ORDER_ERROR,
            is_error: true,
          },
        ],
      },
    ]);
  });

  it('marks the system block with cache_control only when prompt caching is requested', async () => {
    server.enqueue(anthropicEndTurnResponse(), anthropicEndTurnResponse());
    await streamOnce({ promptCache: true });
    await streamOnce();

    const [cached, uncached] = server.requests.map((request) => asRecord(request.body));
    expect(cached?.system).toEqual([{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }]);
    expect(uncached?.system).toEqual([{ type: 'text', text: SYSTEM_PROMPT }]);
    expect(JSON.stringify(uncached)).not.toContain('cache_control');
  });

  it('reads text deltas, the streamed tool_use input, the tool_use finish reason and cache reads', async () => {
    server.enqueue(anthropicToolUseResponse());
    const reply = await streamOnce();

    expect(reply.errors).toEqual([]);
    expect(reply.responseId).toBe(ANTHROPIC_MESSAGE_ID);
    expect(reply.text).toBe(ANTHROPIC_TOOL_USE_REPLY.text);
    expect(reply.toolCalls).toEqual([ANTHROPIC_TOOL_USE_REPLY.toolCall]);
    expect(JSON.parse(reply.toolCalls[0]!.input)).toEqual({ orderId: 'A-1001' });
    expect(reply.finishReason).toEqual({ unified: 'tool-calls', raw: 'tool_use' });
    const { input_tokens, cache_read_input_tokens, cache_creation_input_tokens, output_tokens } =
      ANTHROPIC_TOOL_USE_REPLY.usage;
    expect(reply.usage?.inputTokens).toEqual({
      total: input_tokens + cache_read_input_tokens + cache_creation_input_tokens,
      noCache: input_tokens,
      cacheRead: cache_read_input_tokens,
      cacheWrite: cache_creation_input_tokens,
    });
    expect(reply.usage?.outputTokens.total).toBe(output_tokens);
  });

  it('reads an end_turn reply as finish reason stop with a cache write', async () => {
    server.enqueue(anthropicEndTurnResponse());
    const reply = await streamOnce({ promptCache: true });

    expect(reply.errors).toEqual([]);
    expect(reply.text).toBe(ANTHROPIC_END_TURN_REPLY.text);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.finishReason).toEqual({ unified: 'stop', raw: 'end_turn' });
    expect(reply.usage?.inputTokens.noCache).toBe(ANTHROPIC_END_TURN_REPLY.usage.input_tokens);
    expect(reply.usage?.inputTokens.cacheWrite).toBe(ANTHROPIC_END_TURN_REPLY.usage.cache_creation_input_tokens);
    expect(reply.usage?.inputTokens.cacheRead).toBe(0);
    expect(reply.usage?.outputTokens.total).toBe(ANTHROPIC_END_TURN_REPLY.usage.output_tokens);
  });
});

describe('model errors from HTTP responses (Anthropic)', () => {
  it.each<[number, string, string, ErrorCode, boolean]>([
    [
      429,
      'rate_limit_error',
      'Number of request tokens has exceeded your per-minute rate limit',
      'MODEL_THROTTLED',
      true,
    ],
    [500, 'api_error', 'Internal server error', 'MODEL_UNAVAILABLE', true],
    [529, 'overloaded_error', 'Overloaded', 'MODEL_UNAVAILABLE', true],
    [401, 'authentication_error', 'invalid x-api-key', 'MODEL_AUTH_FAILED', false],
    [
      403,
      'permission_error',
      'Your API key does not have permission to use the specified resource.',
      'MODEL_AUTH_FAILED',
      false,
    ],
    [
      400,
      'invalid_request_error',
      'prompt is too long: 211234 tokens > 200000 maximum',
      'MODEL_REQUEST_REJECTED',
      false,
    ],
  ])('HTTP %i %s -> %s', async (status, type, message, code, retryable) => {
    server.enqueue(anthropicErrorResponse(status, type, message));
    const error = await failedStream();

    const mapped = mapModelError(error, 'anthropic:x');
    expect(mapped.code).toBe(code);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.details).toMatchObject({ model: 'anthropic:x', providerStatus: status });
    expect(mapped.cause).toBe(error);
    expect(JSON.stringify(mapped.toJSON())).not.toContain(message);
  });

  it('passes retry-after on to the mapped error', async () => {
    server.enqueue(anthropicErrorResponse(429, 'rate_limit_error', 'Rate limited', { 'retry-after': '12' }));
    const mapped = mapModelError(await failedStream(), 'anthropic:x');

    expect(mapped.code).toBe('MODEL_THROTTLED');
    expect(mapped.details).toMatchObject({ retryAfterMs: 12_000 });
  });

  it('maps an overloaded_error event after the stream started to a retryable MODEL_UNAVAILABLE', async () => {
    server.enqueue(anthropicStreamOverloadedResponse());
    const reply = await streamOnce();

    expect(reply.errors).toHaveLength(1);
    const mapped = mapModelError(reply.errors[0], 'anthropic:x');
    expect(mapped.code).toBe('MODEL_UNAVAILABLE');
    expect(mapped.retryable).toBe(true);
  });
});

describe('Anthropic check()', () => {
  it('names ANTHROPIC_API_KEY when it is missing', () => {
    const result = new ModelRegistry({ env: {}, baseDir: process.cwd() }).check(MODEL);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('ANTHROPIC_API_KEY');
  });

  it('reports the key source without printing the key', () => {
    const result = new ModelRegistry({ env: { ANTHROPIC_API_KEY: API_KEY }, baseDir: process.cwd() }).check(MODEL);
    expect(result.ok).toBe(true);
    expect(result.message).toContain('ANTHROPIC_API_KEY');
    expect(result.message).not.toContain(API_KEY);
  });
});
