import { readFileSync } from 'node:fs';
import type { LambdaEvent } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.ts';
import { silentLogger } from '../server/logger.ts';
import { createAgentExecutor } from './agent-executor.ts';
import { createLambdaRuntime, type LambdaEnv } from './create-lambda-runtime.ts';
import { createHttpHandler } from './http-handler.ts';
import type { DirectResponse } from './run-direct.ts';

type Json = Record<string, unknown>;

function fixture<T = Json>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as T;
}

function httpEvent(name: string, changes: { key?: string; body?: Json } = {}): LambdaEvent {
  const event = fixture<Json & { headers: Record<string, string>; multiValueHeaders?: Record<string, string[]> }>(name);
  if (changes.key !== undefined) {
    event.headers['x-api-key'] = changes.key;
    if (event.multiValueHeaders) event.multiValueHeaders['x-api-key'] = [changes.key];
  }
  if (changes.body !== undefined) event.body = JSON.stringify(changes.body);
  return event as unknown as LambdaEvent;
}

/** What the Node.js Lambda runtime sends back for a thrown error, and Step Functions matches on. */
function lambdaErrorResponse(error: unknown) {
  const thrown = error as Error;
  return { errorType: thrown.name, errorMessage: thrown.message, trace: thrown.stack?.split('\n') ?? [] };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return lambdaErrorResponse(error);
  }
  throw new Error('expected the invocation to fail');
}

const BASE_ENV: LambdaEnv = { AGENTRY_STORE: 'memory', AGENTRY_MODEL: 'scripted:scripts/demo.json' };

async function setup(env: LambdaEnv = {}) {
  const lambda = await createLambdaRuntime({ env: { ...BASE_ENV, ...env }, logger: silentLogger });
  const { key } = await createApiKey(lambda.server.store.apiKeys, {
    tenantId: 't1',
    userId: 'u1',
    scopes: ['agents:run', 'conversations:read'],
    onBehalf: false,
    plan: 'default',
  });
  const runtime = async () => lambda;
  const executor = createAgentExecutor(runtime);
  /** A direct invocation, whose answer is the plain reference object. */
  const direct = async (event: unknown) => (await executor(event)) as DirectResponse;
  return { lambda, key, http: createHttpHandler(runtime), executor, direct };
}

const ANSWER = '25 × 47 = 1175.';

describe('HTTP handler (API Gateway proxy events)', () => {
  it('answers a REST API (v1) event with a v1 proxy result', async () => {
    const { http, key } = await setup();
    const result = await http(httpEvent('apigw-rest-v1-post-agent', { key }));
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    // v1 events carry multiValueHeaders, so the result does too (and no `headers`).
    expect(result.headers).toBeUndefined();
    expect(result.multiValueHeaders).toMatchObject({
      'content-type': ['application/json'],
      'x-request-id': ['8f2c1d4e-7a6b-4c3d-9e8f-0a1b2c3d4e5f'],
      'x-content-type-options': ['nosniff'],
    });
    const body = JSON.parse(result.body);
    expect(Object.keys(body).sort()).toEqual(['conversation_id', 'response', 'user_id']);
    expect(body).toMatchObject({ response: ANSWER, user_id: 'u1' });
  });

  it('answers an HTTP API (v2) event, plain and base64-encoded', async () => {
    const { http, key } = await setup();
    for (const name of ['apigw-http-v2-post-agent', 'apigw-http-v2-base64-body']) {
      const result = await http(httpEvent(name, { key }));
      expect(result.statusCode).toBe(200);
      expect(result.headers).toMatchObject({ 'content-type': 'application/json' });
      // HTTP API request ids are base64; the padding is dropped to fit the request-id alphabet.
      expect(result.headers?.['x-request-id']).toMatch(/^CQ8b[A-Za-z0-9]+$/);
      expect(JSON.parse(result.body)).toMatchObject({ response: ANSWER, user_id: 'u1' });
    }
  });

  it("keeps the caller's x-request-id and refuses a missing or unknown key", async () => {
    const { http } = await setup();
    const event = httpEvent('apigw-http-v2-post-agent', { key: 'agk_unknown' });
    event.headers = { ...event.headers, 'x-request-id': 'client-id-1' };
    const result = await http(event);
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['x-request-id']).toBe('client-id-1');
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED' }, requestId: 'client-id-1' });
  });

  it('answers 500 with a coded body when the runtime cannot be built', async () => {
    const broken = () => createLambdaRuntime({ env: { ...BASE_ENV, AGENTRY_PROJECT_DIR: '/nonexistent' } });
    const result = await createHttpHandler(broken)(httpEvent('apigw-rest-v1-post-agent'));
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({
      error: { code: 'INTERNAL', message: 'An internal error occurred.', retryable: false },
      requestId: '8f2c1d4e-7a6b-4c3d-9e8f-0a1b2c3d4e5f',
    });
  });
});

describe('trusting API Gateway identity (AGENTRY_TRUST_API_GATEWAY_IDENTITY=1)', () => {
  it('maps the validated API key id to its own user, which cannot name others', async () => {
    const { http } = await setup({ AGENTRY_TRUST_API_GATEWAY_IDENTITY: '1', AGENTRY_API_GATEWAY_TENANT: 'web' });
    const own = await http(httpEvent('apigw-rest-v1-post-agent', { body: { query: 'What is 25 * 47?' } }));
    expect(own.statusCode).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ response: ANSWER, user_id: 'apigw-a1b2c3d4e5' });

    const spoof = await http(httpEvent('apigw-rest-v1-post-agent'));
    expect(spoof.statusCode).toBe(403);
    expect(JSON.parse(spoof.body)).toMatchObject({ code: 'FORBIDDEN' });

    const mismatch = await http(httpEvent('apigw-rest-v1-post-agent', { key: 'not-the-validated-key' }));
    expect(mismatch.statusCode).toBe(401);
  });

  it('is off by default, and HTTP APIs (no API keys) still use Agentry keys', async () => {
    const off = await setup();
    expect((await off.http(httpEvent('apigw-rest-v1-post-agent'))).statusCode).toBe(401);
    const on = await setup({ AGENTRY_TRUST_API_GATEWAY_IDENTITY: '1' });
    expect((await on.http(httpEvent('apigw-http-v2-post-agent', { key: on.key }))).statusCode).toBe(200);
    expect((await on.http(httpEvent('apigw-http-v2-post-agent'))).statusCode).toBe(401);
  });

  it('rejects a flag value other than 1 or 0', async () => {
    await expect(setup({ AGENTRY_TRUST_API_GATEWAY_IDENTITY: 'true' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});

describe('agent executor (ai-agent-executor)', () => {
  it('returns the plain reference object for the reference test event, readable as $.response', async () => {
    const { direct } = await setup();
    const result = await direct(fixture('direct-reference-test-event'));
    expect(Object.keys(result).sort()).toEqual(['conversation_id', 'response', 'user_id']);
    expect(result).toMatchObject({ response: ANSWER, user_id: 'u1' });
    // What a workflow state sees: the JSON of the result, wrapped in Payload by `lambda:invoke`.
    const taskResult = JSON.parse(JSON.stringify({ ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 }));
    expect(taskResult.Payload.response).toBe(ANSWER);
    expect(JSON.parse(JSON.stringify(result)).response).toBe(ANSWER);
  });

  it('treats a string body, an object body and a bare object alike', async () => {
    const { direct } = await setup();
    const bare = fixture<{ body: Json }>('direct-object-body').body;
    const results = [
      await direct(fixture('direct-reference-test-event')),
      await direct(fixture('direct-object-body')),
      await direct(bare),
    ];
    const comparable = results.map((result) => ({ ...result, conversation_id: typeof result.conversation_id }));
    expect(comparable).toEqual([
      { response: ANSWER, user_id: 'u1', conversation_id: 'string' },
      { response: ANSWER, user_id: 'u1', conversation_id: 'string' },
      { response: ANSWER, user_id: 'u1', conversation_id: 'string' },
    ]);
  });

  it('runs the named agent for a Step Functions lambda:invoke payload and continues conversations', async () => {
    const { direct, lambda } = await setup({ AGENTRY_DIRECT_TENANT: 'workflows' });
    const first = await direct(fixture('step-functions-invoke-payload'));
    expect(first).toMatchObject({ user_id: 'u1', response: expect.stringMatching(/SageMaker/) });
    const conversationId = first.conversation_id;
    const next = await direct({ user_id: 'u1', query: 'What is 25 * 47?', conversation_id: conversationId });
    expect(next).toMatchObject({ conversation_id: conversationId, response: ANSWER });
    const conversation = await lambda.server.store.conversations.getConversation(
      { tenantId: 'workflows', userId: 'u1' },
      conversationId,
    );
    expect(conversation).toBeDefined();
  });

  it('throws coded, safe errors for Step Functions Catch/Retry', async () => {
    const { executor } = await setup();
    const missingQuery = await failure(executor({ body: '{"user_id": "u1"}' }));
    expect(missingQuery).toEqual({
      errorType: 'REQUEST_INVALID',
      errorMessage: 'Query is required',
      trace: ['REQUEST_INVALID: Query is required'],
    });
    expect(await failure(executor({ body: { user_id: 'u1', query: '   ' } }))).toMatchObject({
      errorType: 'REQUEST_INVALID',
      errorMessage: 'Query is required',
    });
    expect(await failure(executor({ query: 'What is 25 * 47?' }))).toMatchObject({
      errorType: 'REQUEST_INVALID',
      errorMessage: 'user_id is required',
    });
    expect(await failure(executor({ body: '{"user_id": "u1", ' }))).toMatchObject({
      errorType: 'REQUEST_MALFORMED_JSON',
    });
    expect(await failure(executor({ user_id: 'u1', query: 'hi', agent_type: 'research' }))).toMatchObject({
      errorType: 'AGENT_NOT_FOUND',
      errorMessage: expect.stringContaining('Unknown agent "research"'),
    });
    expect(await failure(executor('What is 25 * 47?'))).toMatchObject({ errorType: 'REQUEST_INVALID' });
  });

  it('throws the startup error by its code', async () => {
    const broken = () => createLambdaRuntime({ env: { ...BASE_ENV, AGENTRY_PROJECT_DIR: '/nonexistent' } });
    const error = await failure(createAgentExecutor(broken)(fixture('direct-reference-test-event')));
    expect(error.errorType).toBe('CONFIG_NOT_FOUND');
  });

  it('refuses to start workflow executions: Step Functions runs them on AWS', async () => {
    const { http, key } = await setup();
    const event = httpEvent('apigw-rest-v1-post-agent', { key, body: { input: {} } }) as unknown as Record<
      string,
      unknown
    >;
    event.path = '/v1/workflows/multi-agent-workflow/executions';
    event.resource = '/{proxy+}';
    const result = await http(event as unknown as LambdaEvent);
    expect(result.statusCode).toBe(501);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'WORKFLOWS_NOT_HOSTED' } });
  });

  it('gives API Gateway proxy events the HTTP envelope', async () => {
    const { executor, key } = await setup();
    const result = await executor(httpEvent('apigw-rest-v1-post-agent', { key }));
    expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: false });
    expect(JSON.parse((result as { body: string }).body)).toMatchObject({ response: ANSWER, user_id: 'u1' });
  });
});
