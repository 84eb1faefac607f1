import type { Context } from 'hono';
import { AgentryError, isAgentryError } from '../errors.ts';
import type { AppEnv } from './app-env.ts';
import type { Logger } from './logger.ts';
import { errorFields } from './logger.ts';

/** The one error body of the API: `{ error: { code, message, retryable, details? }, requestId }`. */
export function errorResponse(c: Context<AppEnv>, error: AgentryError): Response {
  const status = error.status >= 400 && error.status <= 599 ? error.status : 500;
  return c.json({ error: error.toJSON(), requestId: c.get('requestId') ?? '' }, status as 500);
}

/**
 * Anything thrown becomes a coded response. Unknown errors become a generic 500: their messages
 * and stacks go to the log (code and name only), never to the client.
 */
export function handleError(logger: Logger) {
  return (error: unknown, c: Context<AppEnv>): Response => {
    const coded = isAgentryError(error)
      ? error
      : new AgentryError('INTERNAL', 'An internal error occurred.', { cause: error });
    if (coded.status >= 500) {
      logger.log('error', 'request failed', { requestId: c.get('requestId'), path: c.req.path, ...errorFields(error) });
    }
    return errorResponse(c, coded);
  };
}
