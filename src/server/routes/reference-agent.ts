import type { Context } from 'hono';
import { z } from 'zod';
import { AgentryError, isAgentryError } from '../../errors.ts';
import type { AnyApiRoute } from '../api-route.ts';
import type { AppEnv } from '../app-env.ts';
import type { ServerRuntime } from '../runtime.ts';
import { idSchema } from '../schemas.ts';
import { startRun } from '../start-run.ts';

/** The reference design's body. Validated by hand so errors keep its `{"error": "..."}` shape. */
export const referenceRequestSchema = z.object({
  user_id: z.string().min(1).max(128).optional(),
  conversation_id: idSchema.optional(),
  query: z.string().max(100_000).optional(),
  agent_type: z.string().min(1).max(64).optional(),
});

export const referenceResponseSchema = z.object({
  response: z.string(),
  conversation_id: z.string(),
  user_id: z.string(),
});

function referenceError(c: Context<AppEnv>, status: number, message: string, code: string): Response {
  return c.json({ error: message, code }, status as 400);
}

/**
 * `POST /agent`, byte-compatible with the reference design: `{"user_id","conversation_id"?,"query",
 * "agent_type"?}` → `{"response","conversation_id","user_id"}`, and `400 {"error":"Query is required"}`.
 * Unlike the reference, `user_id` is only honoured from a key that acts on behalf of its users;
 * from any other key it must equal the key's own user.
 */
export async function handleReferenceAgent(
  c: Context<AppEnv>,
  runtime: ServerRuntime,
  raw: unknown,
): Promise<Response> {
  const parsed = referenceRequestSchema.safeParse(raw);
  if (!parsed.success || !parsed.data.query?.trim()) {
    if (parsed.success || parsed.error.issues.some((issue) => issue.path[0] === 'query'))
      return c.json({ error: 'Query is required' }, 400);
    const fields = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return referenceError(c, 400, `Invalid request: ${fields.join('; ')}`, 'REQUEST_INVALID');
  }
  const body = parsed.data;
  const identity = c.get('identity');
  let userId = identity.userId;
  if (body.user_id !== undefined && body.user_id !== identity.userId) {
    if (!identity.onBehalf) return referenceError(c, 403, 'user_id does not match the API key.', 'FORBIDDEN');
    userId = body.user_id;
  }
  try {
    const started = startRun(
      runtime,
      { tenantId: identity.tenantId, userId },
      {
        agent: body.agent_type ?? 'assistant',
        query: body.query!,
        conversationId: body.conversation_id,
      },
    );
    const result = await started.done;
    if (result.status !== 'succeeded') {
      const error = result.error ?? new AgentryError('INTERNAL', 'The run did not finish.');
      return referenceError(c, error.status, error.message, error.code);
    }
    return c.json({ response: result.text, conversation_id: result.conversationId, user_id: userId });
  } catch (error) {
    const coded = isAgentryError(error)
      ? error
      : new AgentryError('INTERNAL', 'An internal error occurred.', { cause: error });
    return referenceError(c, coded.status, coded.message, coded.code);
  }
}

export function referenceRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  return [
    {
      method: 'post',
      path: '/agent',
      summary: "The reference design's agent endpoint (byte-compatible)",
      tags: ['reference'],
      scope: 'agents:run',
      body: z.unknown().meta({ description: 'See referenceRequestSchema' }),
      responses: {
        200: { description: 'The answer', schema: referenceResponseSchema },
        400: { description: '`{"error":"Query is required"}` or invalid fields' },
        403: { description: 'user_id names another user and the key does not act on behalf of users' },
      },
      handler: (c, { body }) => handleReferenceAgent(c, runtime, body),
    },
  ];
}
