import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mapModelError } from '../map-model-error.ts';
import { DEFAULT_BEDROCK_MODEL } from '../model-spec.ts';
import type { ModelCallSettings } from '../provider.ts';
import { ModelRegistry } from '../registry.ts';
import {
  BEDROCK_END_TURN_REPLY,
  BEDROCK_REQUEST_ID,
  BEDROCK_THROTTLING_MESSAGE,
  BEDROCK_TOOL_CALL_IDS,
  BEDROCK_TOOL_USE_REPLY,
  bedrockEndTurnResponse,
  bedrockStreamThrottlingResponse,
  bedrockThrottlingResponse,
  bedrockToolUseResponse,
} from './fixtures/bedrock.ts';
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

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const MODEL = `bedrock:${DEFAULT_BEDROCK_MODEL}`;

let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer();
});

afterEach(() => {
  expect(server.unexpected).toEqual([]);
  expect(server.pending()).toBe(0);
  server.reset();
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await server.close();
});

function registry(extraEnv: Record<string, string> = {}): ModelRegistry {
  return new ModelRegistry({
    env: {
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url,
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      AWS_REGION: 'us-west-2',
      ...extraEnv,
    },
    baseDir: process.cwd(),
  });
}

async function streamOnce(settings: ModelCallSettings = {}) {
  const { model, callOptions } = registry().resolve(MODEL, settings);
  const result = await model.doStream(streamCall(BEDROCK_TOOL_CALL_IDS, callOptions));
  return readStream(result.stream);
}

function onlyRequest(): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
}

describe('Bedrock ConverseStream contract', () => {
  it('posts to /model/<id>/converse-stream with a SigV4 signature and no secret on the wire', async () => {
    server.enqueue(bedrockToolUseResponse());
    await streamOnce();

    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/model/${encodeURIComponent(DEFAULT_BEDROCK_MODEL)}/converse-stream`);
    expect(request.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/us-west-2/bedrock/aws4_request, ` +
          'SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$',
      ),
    );
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.stringify(request.headers)).not.toContain(SECRET_ACCESS_KEY);
    expect(request.rawBody).not.toContain(SECRET_ACCESS_KEY);
  });

  it('sends the system prompt, the tool specs and the earlier tool use and results with matching ids', async () => {
    server.enqueue(bedrockToolUseResponse());
    await streamOnce();

    const body = asRecord(onlyRequest().body);
    expect(body.system).toEqual([{ text: SYSTEM_PROMPT }]);
    expect(body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: CALCULATOR_TOOL.name,
            description: CALCULATOR_TOOL.description,
            inputSchema: { json: CALCULATOR_TOOL.inputSchema },
          },
        },
        {
          toolSpec: {
            name: LOOKUP_ORDER_TOOL.name,
            description: LOOKUP_ORDER_TOOL.description,
            inputSchema: { json: LOOKUP_ORDER_TOOL.inputSchema },
          },
        },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: USER_QUESTION }] },
      {
        role: 'assistant',
        content: [
          { text: 'Let me work that out and look up your order.' },
          {
            toolUse: {
              toolUseId: BEDROCK_TOOL_CALL_IDS.calculator,
              name: 'calculator',
              input: { expression: '25 * 47' },
            },
          },
          {
            toolUse: {
              toolUseId: BEDROCK_TOOL_CALL_IDS.lookupOrder,
              name: 'lookup_order',
              input: { orderId: 'A-1001' },
            },
          },
        ],
      },
      {
        role: 'user',
        content: [
          {
            toolResult: {
              toolUseId: BEDROCK_TOOL_CALL_IDS.calculator,
              content: [{ text: JSON.stringify(CALCULATOR_RESULT) }],
            },
          },
          {
            toolResult: {
              toolUseId: BEDROCK_TOOL_CALL_IDS.lookupOrder,
              content: [{ text: LOOKUP_ORDER_ERROR }],
            },
          },
        ],
      },
    ]);
    expect(body).not.toHaveProperty('guardrailConfig');
  });

  it('sends guardrailConfig when the agent has a guardrail', async () => {
    server.enqueue(bedrockToolUseResponse(), bedrockToolUseResponse());
    await streamOnce({ guardrail: { id: 'gr-123', version: '1' } });
    await streamOnce({ guardrail: { id: 'gr-123', version: 'DRAFT', trace: false } });

    expect(server.requests).toHaveLength(2);
    expect(asRecord(server.requests[0]!.body).guardrailConfig).toEqual({
      guardrailIdentifier: 'gr-123',
      guardrailVersion: '1',
      trace: 'enabled',
    });
    expect(asRecord(server.requests[1]!.body).guardrailConfig).toEqual({
      guardrailIdentifier: 'gr-123',
      guardrailVersion: 'DRAFT',
      trace: 'disabled',
    });
  });

  it('puts a cachePoint at the end of system only when prompt caching is requested', async () => {
    server.enqueue(bedrockToolUseResponse(), bedrockToolUseResponse());
    await streamOnce({ promptCache: true });
    await streamOnce({ promptCache: false });

    const [cached, uncached] = server.requests.map((request) => asRecord(request.body));
    expect(cached?.system).toEqual([{ text: SYSTEM_PROMPT }, { cachePoint: { type: 'default' } }]);
    expect(uncached?.system).toEqual([{ text: SYSTEM_PROMPT }]);
    // The cache point lives only in system; tools and messages stay as without caching.
    expect(JSON.stringify(cached?.messages)).not.toContain('cachePoint');
    expect(JSON.stringify(cached?.toolConfig)).not.toContain('cachePoint');
    expect(cached?.messages).toEqual(uncached?.messages);
  });

  it('reads text deltas, a streamed tool call, the tool_use finish reason and cache usage', async () => {
    server.enqueue(bedrockToolUseResponse());
    const reply = await streamOnce();

    expect(reply.errors).toEqual([]);
    expect(reply.responseId).toBe(BEDROCK_REQUEST_ID);
    expect(reply.text).toBe(BEDROCK_TOOL_USE_REPLY.text);
    expect(reply.toolCalls).toEqual([BEDROCK_TOOL_USE_REPLY.toolCall]);
    expect(JSON.parse(reply.toolCalls[0]!.input)).toEqual({ orderId: 'A-1001' });
    expect(reply.finishReason).toEqual({ unified: 'tool-calls', raw: 'tool_use' });
    const { inputTokens, outputTokens, cacheReadInputTokens, cacheWriteInputTokens } = BEDROCK_TOOL_USE_REPLY.usage;
    expect(reply.usage?.inputTokens).toEqual({
      total: inputTokens + cacheReadInputTokens + cacheWriteInputTokens,
      noCache: inputTokens,
      cacheRead: cacheReadInputTokens,
      cacheWrite: cacheWriteInputTokens,
    });
    expect(reply.usage?.outputTokens.total).toBe(outputTokens);
    // Bedrock's `p` padding never reaches the parts.
    expect(JSON.stringify(reply.parts)).not.toContain('abcdefghijk');
  });

  it('reads an end_turn reply as finish reason stop with a cache write', async () => {
    server.enqueue(bedrockEndTurnResponse());
    const reply = await streamOnce({ promptCache: true });

    expect(reply.errors).toEqual([]);
    expect(reply.text).toBe(BEDROCK_END_TURN_REPLY.text);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.finishReason).toEqual({ unified: 'stop', raw: 'end_turn' });
    expect(reply.usage?.inputTokens.noCache).toBe(BEDROCK_END_TURN_REPLY.usage.inputTokens);
    expect(reply.usage?.inputTokens.cacheWrite).toBe(BEDROCK_END_TURN_REPLY.usage.cacheWriteInputTokens);
    expect(reply.usage?.inputTokens.cacheRead).toBe(0);
    expect(reply.usage?.outputTokens.total).toBe(BEDROCK_END_TURN_REPLY.usage.outputTokens);
  });

  it('surfaces HTTP 429 ThrottlingException as a retryable MODEL_THROTTLED', async () => {
    server.enqueue(bedrockThrottlingResponse());
    const { model, callOptions } = registry().resolve(MODEL);
    const error = await model.doStream(streamCall(BEDROCK_TOOL_CALL_IDS, callOptions)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(BEDROCK_THROTTLING_MESSAGE);
    const mapped = mapModelError(error, 'bedrock:x');
    expect(mapped.code).toBe('MODEL_THROTTLED');
    expect(mapped.retryable).toBe(true);
    expect(mapped.details).toMatchObject({ model: 'bedrock:x', providerStatus: 429 });
    // The provider's text stays in `cause`, out of what clients see.
    expect(JSON.stringify(mapped.toJSON())).not.toContain(BEDROCK_THROTTLING_MESSAGE);
  });

  it('surfaces a throttlingException inside the stream as an error part that maps to MODEL_THROTTLED', async () => {
    server.enqueue(bedrockStreamThrottlingResponse());
    const reply = await streamOnce();

    expect(reply.text).toBe('');
    expect(reply.errors).toHaveLength(1);
    expect(reply.finishReason?.unified).toBe('error');
    const mapped = mapModelError(reply.errors[0], 'bedrock:x');
    expect(mapped.code).toBe('MODEL_THROTTLED');
    expect(mapped.retryable).toBe(true);
  });

  it('uses only the injected env: a Bedrock API key in process.env does not replace the SigV4 keys', async () => {
    vi.stubEnv('AWS_BEARER_TOKEN_BEDROCK', 'bedrock-api-key-from-the-shell');
    server.enqueue(bedrockEndTurnResponse());
    await streamOnce();

    const request = onlyRequest();
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(JSON.stringify(request.headers)).not.toContain('bedrock-api-key-from-the-shell');
  });

  it('sends a Bedrock API key from the injected env as a bearer token instead of signing', async () => {
    const apiKey = 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl';
    server.enqueue(bedrockEndTurnResponse());
    const { model, callOptions } = registry({ AWS_BEARER_TOKEN_BEDROCK: apiKey }).resolve(MODEL);
    await readStream((await model.doStream(streamCall(BEDROCK_TOOL_CALL_IDS, callOptions))).stream);

    const request = onlyRequest();
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request.headers['x-amz-date']).toBeUndefined();
  });
});

describe('Bedrock check()', () => {
  let home: string;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'agentry-bedrock-check-'));
  });

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  function check(env: Record<string, string>) {
    return new ModelRegistry({ env: { HOME: home, ...env }, baseDir: home }).check(MODEL);
  }

  it('names every way to provide credentials when none are set', () => {
    const result = check({});
    expect(result.ok).toBe(false);
    expect(result.message).toContain('AWS_ACCESS_KEY_ID');
    expect(result.message).toContain('AWS_PROFILE');
    expect(result.message).toContain('AWS_BEARER_TOKEN_BEDROCK');
  });

  it('does not accept a secret key without its key id, and does not print it', () => {
    const result = check({ AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('AWS_ACCESS_KEY_ID');
    expect(result.message).not.toContain(SECRET_ACCESS_KEY);
  });

  it('reports the credential source and region without printing secrets', () => {
    const keys = check({
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: 'session-token-secret',
      AWS_REGION: 'eu-central-1',
    });
    expect(keys.ok).toBe(true);
    expect(keys.message).toContain('eu-central-1');
    expect(keys.message).not.toContain(SECRET_ACCESS_KEY);
    expect(keys.message).not.toContain('session-token-secret');

    const apiKey = check({ AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-secret' });
    expect(apiKey.ok).toBe(true);
    expect(apiKey.message).toContain('AWS_BEARER_TOKEN_BEDROCK');
    expect(apiKey.message).not.toContain('bedrock-api-key-secret');
  });

  it('finds shared config files under the injected HOME', () => {
    const withConfig = mkdtempSync(join(tmpdir(), 'agentry-bedrock-home-'));
    try {
      mkdirSync(join(withConfig, '.aws'));
      writeFileSync(join(withConfig, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIA...\n');
      const result = new ModelRegistry({ env: { HOME: withConfig }, baseDir: withConfig }).check(MODEL);
      expect(result.ok).toBe(true);
      expect(result.message).toContain('~/.aws');
    } finally {
      rmSync(withConfig, { recursive: true, force: true });
    }
  });
});
