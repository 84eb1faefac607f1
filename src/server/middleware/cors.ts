import type { MiddlewareHandler } from 'hono';

const ALLOW_HEADERS = [
  'content-type',
  'authorization',
  'x-api-key',
  'x-request-id',
  'last-event-id',
  'x-agentry-conversation-id',
].join(',');
const ALLOW_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'].join(',');
const EXPOSE_HEADERS = [
  'x-request-id',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-agentry-conversation-id',
  'x-agentry-run-id',
].join(',');
const MAX_AGE_SECONDS = '600';

/**
 * CORS for the configured origins only (never `*`): the same headers as Hono's `cors` middleware
 * with these settings, but all set before the handler runs, so Hono builds them into the response
 * (its middleware touches the response before and after the handler, which makes Hono copy every
 * response). `Vary: Origin` is on every response, as the answer depends on the Origin header; a
 * route that sets its own `Vary` replaces it (none does). Preflights (`OPTIONS`) end here with 204.
 */
export function cors(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins.filter((origin) => origin !== '*'));
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && allowed.has(origin)) c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    if (c.req.method !== 'OPTIONS') {
      c.header('Vary', 'Origin');
      return next();
    }
    c.header('Vary', 'Origin, Access-Control-Request-Headers');
    c.header('Access-Control-Max-Age', MAX_AGE_SECONDS);
    c.header('Access-Control-Allow-Methods', ALLOW_METHODS);
    c.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
    return c.body(null, 204);
  };
}
