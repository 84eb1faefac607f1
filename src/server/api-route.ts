import type { Context } from 'hono';
import { z } from 'zod';
import type { ApiScope } from '../auth/identity.ts';
import { AgentryError } from '../errors.ts';
import type { AppEnv } from './app-env.ts';

/**
 * One HTTP route: its OpenAPI description and its handler, from the same zod schemas. The
 * validation middleware parses the body and params before the handler runs, so handlers only see
 * valid input, and the OpenAPI document cannot drift from what is enforced.
 */
export interface ApiRoute<
  Body = unknown,
  Params extends Record<string, string> = Record<string, string>,
  Query = unknown,
> {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI style: `/v1/runs/{id}`. */
  path: string;
  summary: string;
  tags: string[];
  /** Credential scope needed; `undefined` for public routes (health, docs). */
  scope: ApiScope | undefined;
  body?: z.ZodType<Body>;
  params?: z.ZodType<Params>;
  query?: z.ZodType<Query>;
  /** Status → description and schema (JSON) or media type (streams). */
  responses: Record<number, { description: string; schema?: z.ZodType; mediaType?: string }>;
  handler(c: Context<AppEnv>, input: { body: Body; params: Params; query: Query }): Promise<Response> | Response;
}

// biome-ignore lint/suspicious/noExplicitAny: routes of all input types are registered together.
export type AnyApiRoute = ApiRoute<any, any, any>;

export function defineRoute<
  Body = undefined,
  Params extends Record<string, string> = Record<string, string>,
  Query = undefined,
>(route: ApiRoute<Body, Params, Query>): ApiRoute<Body, Params, Query> {
  return route;
}

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
  requestId: z.string(),
});

function invalid(issues: z.core.$ZodIssue[], where: string): AgentryError {
  const fields = issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  return new AgentryError(
    'REQUEST_INVALID',
    `Invalid request: ${fields.map((field) => `${field.path}: ${field.message}`).join('; ')}`,
    {
      details: { fields },
    },
  );
}

/** Reads and validates a route's input; throws coded errors the error handler turns into 400s. */
export async function readInput(
  c: Context<AppEnv>,
  route: AnyApiRoute,
): Promise<{ body: unknown; params: unknown; query: unknown }> {
  let body: unknown;
  if (route.body) {
    const text = await c.req.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AgentryError('REQUEST_MALFORMED_JSON', 'The request body is not valid JSON.');
    }
    const parsed = route.body.safeParse(json);
    if (!parsed.success) throw invalid(parsed.error.issues, 'body');
    body = parsed.data;
  }
  let params: unknown = c.req.param();
  if (route.params) {
    const parsed = route.params.safeParse(params);
    if (!parsed.success) throw invalid(parsed.error.issues, 'path');
    params = parsed.data;
  }
  let query: unknown;
  if (route.query) {
    const parsed = route.query.safeParse(c.req.query());
    if (!parsed.success) throw invalid(parsed.error.issues, 'query');
    query = parsed.data;
  }
  return { body, params, query };
}

/** `/v1/runs/{id}` → `/v1/runs/:id` for Hono. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}
