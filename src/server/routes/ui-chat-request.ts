import { z } from 'zod';
import { AgentryError } from '../../errors.ts';
import { idSchema, querySchema } from '../schemas.ts';

const uiMessagePartSchema = z.looseObject({ type: z.string().min(1).max(200) });

const uiMessageSchema = z.looseObject({
  id: z.string().max(256),
  role: z.enum(['system', 'user', 'assistant']),
  parts: z.array(uiMessagePartSchema).max(1_000),
});

/**
 * The body `useChat`'s default transport (`DefaultChatTransport`) posts: the chat id, the
 * client's messages as UI messages, and why it sends them. Loose, because the transport merges
 * the page's own `body` options in. Only the last message is read — it must be the user's new
 * message; the server keeps the history, so a page may send just that message
 * (`prepareSendMessagesRequest`) to keep requests small.
 */
export const uiChatRequestSchema = z.looseObject({
  id: idSchema.describe('The chat id: the conversation id on the server'),
  messages: z.array(uiMessageSchema).min(1).max(10_000),
  trigger: z.enum(['submit-message', 'regenerate-message']).optional(),
  messageId: z.string().max(256).optional(),
});

export type UiChatRequest = z.infer<typeof uiChatRequestSchema>;

/** The text of the last message, which must be the user's; file and other parts are ignored. */
export function queryOfLastUserMessage(messages: UiChatRequest['messages']): string {
  const index = messages.length - 1;
  const last = messages[index];
  const invalid = (message: string) =>
    new AgentryError('REQUEST_INVALID', `Invalid request: body.messages.${index}: ${message}`, {
      details: { fields: [{ path: `body.messages.${index}`, message }] },
    });
  if (last?.role !== 'user') throw invalid('the last message must be a user message');
  const text = last.parts
    .flatMap((part) => (part.type === 'text' && typeof part['text'] === 'string' ? [part['text']] : []))
    .join('\n');
  const query = querySchema.safeParse(text);
  if (!query.success) throw invalid(`its text ${query.error.issues[0]?.message ?? 'is invalid'}`);
  return query.data;
}
