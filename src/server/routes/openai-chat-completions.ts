import { randomUUID } from 'node:crypto';
import { AgentryError, toAgentryError } from '../../errors.ts';
import { type AnyApiRoute, defineRoute } from '../api-route.ts';
import { errorResponse } from '../errors.ts';
import type { ServerRuntime } from '../runtime.ts';
import { idSchema, querySchema } from '../schemas.ts';
import { scopeOf } from '../scope-of.ts';
import { startRun } from '../start-run.ts';
import { followRun, settle } from './follow-run.ts';
import { jsonEventStream } from './json-event-stream.ts';
import { CompletionChunker, type CompletionIds, completionOf, finishReasonOf } from './openai-completion.ts';
import {
  type ChatCompletionRequest,
  CONVERSATION_HEADER,
  chatCompletionRequestSchema,
  chatCompletionSchema,
} from './openai-schemas.ts';

const STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * OpenAI-compatible Chat Completions: `model` is the agent name, the last user message is the
 * query, and the agent's tools run server-side (clients never see tool calls; the non-standard
 * `agentry` field lists them). Without the `x-agentry-conversation-id` header each request starts
 * a new conversation; with it, the request continues that conversation of the caller, whose
 * stored history the agent sees (earlier messages in the body are ignored). The response always
 * carries the conversation id in that header, and the run id in `x-agentry-run-id`.
 * Errors keep Agentry's body (`{ error: { code, message, retryable }, requestId }`), which OpenAI
 * clients read as their own error shape (`message`, `code`), with the HTTP status.
 */
export function openAiChatRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/chat/completions',
      summary:
        'OpenAI-compatible chat completion with an agent (model = agent name); ' +
        `optional \`${CONVERSATION_HEADER}\` request header continues a conversation`,
      tags: ['openai'],
      scope: 'agents:run',
      body: chatCompletionRequestSchema,
      responses: {
        200: {
          description:
            'A `chat.completion`, or with `stream: true` a `text/event-stream` of `chat.completion.chunk` ' +
            `\`data:\` events ending with \`data: [DONE]\`. Header \`${CONVERSATION_HEADER}\`: the conversation id`,
          schema: chatCompletionSchema,
        },
        404: { description: 'Unknown model: no agent by that name (AGENT_NOT_FOUND)' },
      },
      handler: async (c, { body }) => {
        const conversationId = conversationIdOf(c.req.header(CONVERSATION_HEADER)) ?? randomUUID();
        const started = startRun(
          runtime,
          scopeOf(c.get('identity')),
          { agent: body.model, query: queryOf(body.messages), conversationId },
          { streamed: body.stream === true },
        );
        const outcome = settle(started);
        const ids: CompletionIds = {
          id: `chatcmpl-${started.runId}`,
          runId: started.runId,
          conversationId,
          model: body.model,
          created: Math.floor(Date.now() / 1000),
        };
        c.header(CONVERSATION_HEADER, conversationId);
        c.header('x-agentry-run-id', started.runId);

        if (body.stream) {
          const chunker = new CompletionChunker(ids, body.stream_options?.include_usage === true);
          const stream = jsonEventStream(
            runtime,
            async ({ send, signal }) => {
              for (const chunk of chunker.start()) send(chunk);
              const settled = await followRun(
                runtime,
                started,
                outcome,
                (event) => {
                  for (const chunk of chunker.map(event)) send(chunk);
                },
                signal,
              );
              if (settled) for (const chunk of chunker.end(settled)) send(chunk);
            },
            (error) => ({ error: toAgentryError(error).toJSON() }),
          );
          return c.body(stream, 200, STREAM_HEADERS);
        }

        const { result, error } = await outcome;
        if (!result) throw error;
        const finishReason = finishReasonOf(result.status);
        if (!finishReason) return errorResponse(c, result.error ?? new AgentryError('INTERNAL', 'The run failed.'));
        return c.json(completionOf(ids, result, finishReason));
      },
    }),
  ];
}

function conversationIdOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = idSchema.safeParse(header.trim());
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? 'invalid';
  throw new AgentryError('REQUEST_INVALID', `Invalid request: header.${CONVERSATION_HEADER}: ${message}`, {
    details: { fields: [{ path: `header.${CONVERSATION_HEADER}`, message }] },
  });
}

/** The text of the last user message (string content, or its text parts joined by newlines). */
function queryOf(messages: ChatCompletionRequest['messages']): string {
  const index = messages.findLastIndex((message) => message.role === 'user');
  const invalid = (path: string, message: string) =>
    new AgentryError('REQUEST_INVALID', `Invalid request: ${path}: ${message}`, {
      details: { fields: [{ path, message }] },
    });
  if (index < 0) throw invalid('body.messages', 'needs a user message');
  const content = messages[index]?.content;
  const text =
    typeof content === 'string'
      ? content
      : (content ?? [])
          .flatMap((part) => (part.type === 'text' && part.text !== undefined ? [part.text] : []))
          .join('\n');
  const query = querySchema.safeParse(text);
  if (!query.success) throw invalid(`body.messages.${index}.content`, query.error.issues[0]?.message ?? 'invalid');
  return query.data;
}
