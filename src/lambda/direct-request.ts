import { AgentryError } from '../errors.ts';
import { referenceRequestSchema } from '../server/routes/reference-agent.ts';
import { isRecord } from './lambda-event.ts';

/** A direct invocation's request: the reference `/agent` body, with the user required. */
export interface DirectRequest {
  user_id: string;
  query: string;
  agent_type?: string | undefined;
  conversation_id?: string | undefined;
}

function invalid(message: string, field: string): AgentryError {
  return new AgentryError('REQUEST_INVALID', message, { details: { field } });
}

/**
 * The payload of the shapes a direct invocation arrives in: the reference test event
 * `{"body": "<JSON text>"}` (base64 when `isBase64Encoded`), `{"body": {...}}` (what a Step Functions
 * `lambda:invoke` Payload with a `body` object sends; the reference handler fails on it), or the
 * bare `{"user_id", "query", ...}` object.
 */
function unwrap(event: unknown): unknown {
  if (!isRecord(event)) throw invalid('The event must be a JSON object.', 'event');
  if (!('body' in event)) return event;
  const { body } = event;
  if (isRecord(body)) return body;
  if (typeof body !== 'string') throw invalid('body must be a JSON object or a string holding one.', 'body');
  const text = event.isBase64Encoded === true ? Buffer.from(body, 'base64').toString('utf8') : body;
  try {
    return JSON.parse(text);
  } catch {
    throw new AgentryError('REQUEST_MALFORMED_JSON', 'The event body is not valid JSON.');
  }
}

/** The reference `/agent` payload of an event, in any of the shapes `unwrap` accepts; `user_id` optional. */
export interface ReferencePayload {
  user_id?: string | undefined;
  query: string;
  agent_type?: string | undefined;
  conversation_id?: string | undefined;
}

/**
 * Validates like `POST /agent`: a missing or blank query is the reference's "Query is required",
 * as REQUEST_INVALID.
 */
export function parseReferencePayload(event: unknown): ReferencePayload {
  const parsed = referenceRequestSchema.safeParse(unwrap(event));
  if (!parsed.success) {
    if (parsed.error.issues.some((issue) => issue.path[0] === 'query')) throw invalid('Query is required', 'query');
    const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw invalid(`Invalid request: ${fields.join('; ')}`, String(parsed.error.issues[0]?.path[0] ?? 'body'));
  }
  const { user_id, query, agent_type, conversation_id } = parsed.data;
  if (!query?.trim()) throw invalid('Query is required', 'query');
  return { user_id, query, agent_type, conversation_id };
}

/** A direct invocation: unlike HTTP, the caller is trusted to name the user, so `user_id` is required. */
export function parseDirectRequest(event: unknown): DirectRequest {
  const payload = parseReferencePayload(event);
  if (payload.user_id === undefined) throw invalid('user_id is required', 'user_id');
  return { ...payload, user_id: payload.user_id };
}
