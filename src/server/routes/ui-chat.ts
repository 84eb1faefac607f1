import { UI_MESSAGE_STREAM_HEADERS, type UIMessageChunk } from 'ai';
import { AgentryError, toAgentryError } from '../../errors.ts';
import { type AnyApiRoute, defineRoute } from '../api-route.ts';
import type { ServerRuntime } from '../runtime.ts';
import { nameParamsSchema } from '../schemas.ts';
import { scopeOf } from '../scope-of.ts';
import { startRun } from '../start-run.ts';
import { followRun, settle } from './follow-run.ts';
import { jsonEventStream } from './json-event-stream.ts';
import { queryOfLastUserMessage, uiChatRequestSchema } from './ui-chat-request.ts';
import { UiMessageChunkMapper } from './ui-message-chunks.ts';

/**
 * `useChat` → agent, directly: the AI SDK UI message stream protocol on
 * `POST /v1/agents/{name}/chat`. The chat id is the conversation id (scoped to the caller, like
 * every conversation) and the server's stored history is what the agent sees; the client's copy
 * of earlier messages is ignored. `regenerate-message` runs the last user message again as a new
 * turn: stored history is append-only, so the earlier answer stays in it.
 * A client that goes away (useChat's `stop()`) ends the stream, not the run; to stop the run,
 * cancel it by the `runId` in the message metadata (`POST /v1/runs/{id}/cancel`).
 */
export function uiChatRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/agents/{name}/chat',
      summary: 'Chat with an agent from AI SDK `useChat` (UI message stream protocol v1)',
      tags: ['agents'],
      scope: 'agents:run',
      params: nameParamsSchema,
      body: uiChatRequestSchema,
      responses: {
        200: {
          description:
            'UI message stream (header `x-vercel-ai-ui-message-stream: v1`): `data:` JSON chunks, then `data: [DONE]`',
          mediaType: 'text/event-stream',
        },
        404: { description: 'Unknown agent (AGENT_NOT_FOUND)' },
      },
      handler: (c, { body, params }) => {
        const query = queryOfLastUserMessage(body.messages);
        const started = startRun(
          runtime,
          scopeOf(c.get('identity')),
          { agent: params.name, query, conversationId: body.id },
          { streamed: true },
        );
        const outcome = settle(started);
        const mapper = new UiMessageChunkMapper(started.runId, body.id);
        const stream = jsonEventStream(
          runtime,
          async ({ send, signal }) => {
            const sendAll = (chunks: UIMessageChunk[]) => {
              for (const chunk of chunks) send(chunk);
            };
            sendAll(mapper.start());
            const settled = await followRun(runtime, started, outcome, (event) => sendAll(mapper.map(event)), signal);
            if (settled) sendAll(mapper.settle(settled));
            else if (runtime.shutdown.aborted) sendAll(mapper.settle({ error: shuttingDown() }));
          },
          (error): UIMessageChunk => ({ type: 'error', errorText: toAgentryError(error).message }),
        );
        return c.body(stream, 200, UI_MESSAGE_STREAM_HEADERS);
      },
    }),
  ];
}

const shuttingDown = () =>
  new AgentryError('SHUTTING_DOWN', 'The server is shutting down; the run finishes or another instance resumes it.', {
    retryable: true,
  });
