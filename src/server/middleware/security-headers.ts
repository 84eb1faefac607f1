import type { MiddlewareHandler } from 'hono';

const HEADERS: readonly (readonly [string, string])[] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
];

/**
 * Conservative headers for a JSON API (the UI, when served, sets its own CSP), and
 * `Cache-Control: no-store` unless the route sets its own (streams say `no-cache`).
 * Set before the handler, so Hono builds them into the response and a route's own headers win;
 * a response that bypassed Hono's builders (a raw `Response`) gets them afterwards.
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  for (const [name, value] of HEADERS) c.header(name, value);
  c.header('Cache-Control', 'no-store');
  await next();
  const headers = c.res.headers;
  if (headers.get('x-content-type-options') === 'nosniff') return;
  for (const [name, value] of HEADERS) c.header(name, value);
  c.header('Cache-Control', headers.get('Cache-Control') ?? 'no-store');
};
