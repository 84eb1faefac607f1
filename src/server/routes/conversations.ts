import { z } from 'zod';
import { AgentryError } from '../../errors.ts';
import { type AnyApiRoute, defineRoute } from '../api-route.ts';
import type { ServerRuntime } from '../runtime.ts';
import { idParamsSchema, pageQuerySchema } from '../schemas.ts';
import { scopeOf } from '../scope-of.ts';

const conversationSchema = z.object({
  id: z.string(),
  title: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastSeq: z.number(),
});
const messagesQuerySchema = z
  .object({
    last: z.coerce.number().int().min(1).max(1_000).optional(),
    afterSeq: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export function conversationRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  const notFound = (id: string) => new AgentryError('CONVERSATION_NOT_FOUND', `Conversation ${id} does not exist.`);
  return [
    defineRoute({
      method: 'get',
      path: '/v1/conversations',
      summary: "The caller's conversations, newest first",
      tags: ['conversations'],
      scope: 'conversations:read',
      query: pageQuerySchema,
      responses: {
        200: {
          description: 'A page',
          schema: z.object({ conversations: z.array(conversationSchema), nextCursor: z.string().optional() }),
        },
      },
      handler: async (c, { query }) => {
        const page = await runtime.store.conversations.listConversations(scopeOf(c.get('identity')), {
          ...(query?.limit !== undefined ? { limit: query.limit } : {}),
          ...(query?.cursor !== undefined ? { cursor: query.cursor } : {}),
        });
        const conversations = page.items.map(({ id, title, createdAt, updatedAt, lastSeq }) => ({
          id,
          title,
          createdAt,
          updatedAt,
          lastSeq,
        }));
        return c.json(page.nextCursor ? { conversations, nextCursor: page.nextCursor } : { conversations });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/conversations/{id}/messages',
      summary: 'Messages of a conversation with full content blocks, oldest first',
      tags: ['conversations'],
      scope: 'conversations:read',
      params: idParamsSchema,
      query: messagesQuerySchema,
      responses: {
        200: {
          description: 'Messages',
          schema: z.object({
            conversationId: z.string(),
            messages: z.array(z.object({ seq: z.number(), message: z.unknown(), createdAt: z.string() })),
          }),
        },
        404: { description: 'No such conversation for this key (CONVERSATION_NOT_FOUND)' },
      },
      handler: async (c, { params, query }) => {
        const scope = scopeOf(c.get('identity'));
        if (!(await runtime.store.conversations.getConversation(scope, params.id))) throw notFound(params.id);
        const stored = await runtime.store.conversations.loadMessages(scope, params.id, {
          last: query?.last ?? 200,
          ...(query?.afterSeq !== undefined ? { afterSeq: query.afterSeq } : {}),
        });
        return c.json({
          conversationId: params.id,
          messages: stored.map(({ seq, message, createdAt }) => ({ seq, message, createdAt })),
        });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/conversations/{id}',
      summary: 'Delete a conversation and its messages',
      tags: ['conversations'],
      scope: 'agents:run',
      params: idParamsSchema,
      responses: {
        204: { description: 'Deleted' },
        404: { description: 'No such conversation (CONVERSATION_NOT_FOUND)' },
      },
      handler: async (c, { params }) => {
        if (!(await runtime.store.conversations.deleteConversation(scopeOf(c.get('identity')), params.id)))
          throw notFound(params.id);
        return c.body(null, 204);
      },
    }),
  ];
}
