import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as countingBodyLimit } from 'hono/body-limit';

export interface BodyLimitOptions {
  maxSize: number;
  /** The answer to a body over `maxSize`. */
  onError(c: Context): Response | Promise<Response>;
}

/**
 * Refuses request bodies over `maxSize` bytes. A body framed by Content-Length is judged by that
 * header alone (the HTTP parser never delivers more than it says), so the route later reads it
 * once, directly: Hono's own middleware first turns every body into a web stream, which on Node
 * costs more than the rest of a small request. A body without a length (chunked) goes through
 * Hono's middleware, which counts the bytes as they arrive.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler {
  const counting = countingBodyLimit(options);
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number.parseInt(length, 10) > options.maxSize ? options.onError(c) : next();
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return counting(c, next);
  };
}
