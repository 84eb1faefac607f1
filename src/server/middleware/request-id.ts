import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;
const HEADER = 'x-request-id';

/**
 * Every response carries `x-request-id`: the caller's, if it is a safe token, else a new one.
 * Set before the handler runs, so Hono builds it into the response (changing headers of a built
 * response makes Hono copy the whole response, several times per request); a response that
 * bypassed Hono's builders (a raw `Response`) gets it afterwards.
 */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const given = c.req.header(HEADER);
  const id = given && SAFE_ID.test(given) ? given : randomUUID();
  c.set('requestId', id);
  c.header(HEADER, id);
  await next();
  if (c.res.headers.get(HEADER) !== id) c.header(HEADER, id);
};
