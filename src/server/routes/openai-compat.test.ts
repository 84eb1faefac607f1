import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import OpenAI, { type APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { createTestRuntime } from '../testing/test-runtime.ts';

const alice = { key: 'key-alice', tenantId: 't1', userId: 'alice' };
const bob = { key: 'key-bob', tenantId: 't1', userId: 'bob' };

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function setup() {
  const runtime = await createTestRuntime({ keys: [alice, bob] });
  const app = createApp(runtime);
  const baseURL = await new Promise<string>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(`http://127.0.0.1:${info.port}/v1`),
    );
    servers.push(server);
  });
  const client = (apiKey = alice.key) => new OpenAI({ apiKey, baseURL, maxRetries: 0 });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.key}`, ...headers },
      body: JSON.stringify(body),
    });
  return { app, client, post, baseURL };
}

const ask = (content: string) => [
  { role: 'system' as const, content: 'Ignored: the agent has its own instructions.' },
  { role: 'user' as const, content },
];

describe('OpenAI-compatible API, through the official openai client', () => {
  it('lists the agents as models', async () => {
    const { client } = await setup();
    const models = [];
    for await (const model of client().models.list()) models.push(model);
    expect(models.map((model) => model.id).sort()).toEqual([
      'analyst',
      'assistant',
      'classifier',
      'evaluator',
      'planner',
      'researcher',
      'summarizer',
      'writer',
    ]);
    expect(models[0]).toEqual({
      id: expect.any(String),
      object: 'model',
      created: expect.any(Number),
      owned_by: 'agentry',
    });
    expect(await client().models.retrieve('assistant')).toMatchObject({ id: 'assistant', object: 'model' });
    await expect(client().models.retrieve('gpt-4o')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('completes without streaming: content, finish_reason, usage, tools only in the agentry field', async () => {
    const { client, baseURL } = await setup();
    const { data: completion, response } = await client()
      .chat.completions.create({
        model: 'assistant',
        messages: ask('What is 25 * 47?'),
        temperature: 0.2,
        max_tokens: 200,
        user: 'bob',
      })
      .withResponse();
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('assistant');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: '25 × 47 = 1175.' },
    });
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    const usage = completion.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    const extension = (completion as unknown as { agentry: { conversationId: string; toolCalls: unknown[] } }).agentry;
    expect(extension.toolCalls).toEqual([
      expect.objectContaining({ toolName: 'calculate', input: { expression: '25 * 47' }, isError: false }),
    ]);
    expect(response.headers.get('x-agentry-conversation-id')).toBe(extension.conversationId);
    expect(completion.id).toBe(`chatcmpl-${response.headers.get('x-agentry-run-id')}`);
    // `user: 'bob'` names no one: the conversation belongs to the key's user.
    const conversations = async (key: string) =>
      (await (await fetch(`${baseURL}/conversations`, { headers: { 'x-api-key': key } })).json()).conversations.map(
        (conversation: { id: string }) => conversation.id,
      );
    expect(await conversations(alice.key)).toEqual([extension.conversationId]);
    expect(await conversations(bob.key)).toEqual([]);
  });

  it('streams chat.completion.chunk deltas, then usage, then [DONE]', async () => {
    const { client } = await setup();
    const stream = await client().chat.completions.create({
      model: 'assistant',
      messages: ask('What is 25 * 47?'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('25 × 47 = 1175.');
    const withReason = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
    expect(withReason.map((chunk) => chunk.choices[0]?.finish_reason)).toEqual(['stop']);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('streams without a usage chunk unless asked, and the wire format ends with [DONE]', async () => {
    const { post } = await setup();
    const response = await post({ model: 'assistant', messages: ask('What is 25 * 47?'), stream: true });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const raw = await response.text();
    expect(raw.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const payloads = raw
      .split('\n\n')
      .filter((block) => block.startsWith('data: {'))
      .map((block) => JSON.parse(block.slice(6)));
    expect(payloads.some((payload) => 'usage' in payload)).toBe(false);
    expect(payloads.at(-1)).toMatchObject({
      choices: [{ delta: {}, finish_reason: 'stop' }],
      agentry: { toolCalls: [expect.objectContaining({ toolName: 'calculate' })] },
    });
  });

  it('continues a conversation through x-agentry-conversation-id, per caller', async () => {
    const { client } = await setup();
    const first = await client()
      .chat.completions.create({ model: 'assistant', messages: ask('My name is Ada') })
      .withResponse();
    const conversationId = first.response.headers.get('x-agentry-conversation-id')!;
    const headers = { 'x-agentry-conversation-id': conversationId };
    const second = await client().chat.completions.create(
      { model: 'assistant', messages: ask("What's my name?") },
      { headers },
    );
    expect(second.choices[0]?.message.content).toContain('your name is');
    // Without the header (or as another user) the history is not there; the demo script fails the run.
    await expect(
      client().chat.completions.create({ model: 'assistant', messages: ask("What's my name?") }),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    await expect(
      client(bob.key).chat.completions.create({ model: 'assistant', messages: ask("What's my name?") }, { headers }),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
  });

  it('surfaces errors as the client’s APIError classes with the right status', async () => {
    const { client } = await setup();
    const unknown = await client()
      .chat.completions.create({ model: 'gpt-4o', messages: ask('hi') })
      .catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown).toMatchObject({ status: 404, code: 'AGENT_NOT_FOUND' });

    const badKey = await client('wrong')
      .models.list()
      .catch((error: unknown) => error);
    expect(badKey).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(badKey).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    await expect(
      client('wrong').chat.completions.create({ model: 'assistant', messages: ask('hi') }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    const invalid = await client()
      .chat.completions.create({ model: 'assistant', messages: ask('hi'), temperature: 'hot' as unknown as number })
      .catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect((invalid as APIError).message).toContain('body.temperature');
    const two = await client()
      .chat.completions.create({ model: 'assistant', messages: ask('hi'), n: 2 })
      .catch((error: unknown) => error);
    expect(two).toBeInstanceOf(OpenAI.BadRequestError);
    const noUser = await client()
      .chat.completions.create({ model: 'assistant', messages: [{ role: 'system', content: 'x' }] })
      .catch((error: unknown) => error);
    expect(noUser).toBeInstanceOf(OpenAI.BadRequestError);
    const badConversation = await client()
      .chat.completions.create(
        { model: 'assistant', messages: ask('hi') },
        { headers: { 'x-agentry-conversation-id': 'a/b' } },
      )
      .catch((error: unknown) => error);
    expect(badConversation).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('ends a stream whose run fails with an error event the client raises', async () => {
    const { client } = await setup();
    const stream = await client().chat.completions.create({
      model: 'assistant',
      messages: ask("What's my name?"),
      stream: true,
    });
    const received: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as APIError).message).toContain('prompt lacks "My name is"');
  });

  it('accepts content parts and unknown OpenAI fields, and is in the OpenAPI document', async () => {
    const { client, app } = await setup();
    const completion = await client().chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is 25 * 47?' }] }],
      seed: 7,
      store: false,
      // A field newer than this server: accepted, ignored.
      ...({ future_option: { enabled: true } } as object),
    });
    expect(completion.choices[0]?.message.content).toBe('25 × 47 = 1175.');
    const document = await (await app.request('/openapi.json')).json();
    expect(document.paths['/v1/chat/completions'].post['x-required-scope']).toBe('agents:run');
    expect(document.paths['/v1/chat/completions'].post.summary).toContain('x-agentry-conversation-id');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/models', '/v1/models/{model}']));
  });
});
