import { z } from 'zod';
import type { AnyApiRoute } from './api-route.ts';
import { errorBodySchema } from './api-route.ts';

function schemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return json;
}

const ERROR_RESPONSES: Record<number, string> = {
  400: 'Malformed JSON (REQUEST_MALFORMED_JSON) or invalid fields (REQUEST_INVALID, details.fields lists them)',
  401: 'Missing or unknown API key (UNAUTHENTICATED)',
  403: 'The key lacks the scope, or names another user (FORBIDDEN)',
  413: 'Body larger than the limit (REQUEST_TOO_LARGE)',
  429: 'Rate or quota exceeded (RATE_LIMITED, QUOTA_EXCEEDED); see Retry-After',
  500: 'Internal error (no internals in the body)',
};

/**
 * The OpenAPI 3.1 document, generated from the same route definitions and zod schemas that the
 * server enforces. OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what zod emits.
 */
export function buildOpenApiDocument(
  routes: readonly AnyApiRoute[],
  info: { title: string; version: string },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema ? { content: { 'application/json': { schema: schemaOf(response.schema) } } } : {}),
        ...(response.mediaType ? { content: { [response.mediaType]: { schema: { type: 'string' } } } } : {}),
      };
    }
    const errors = route.scope ? [400, 401, 403, 413, 429, 500] : [500];
    for (const status of errors) {
      if (responses[status] || (status === 400 && !route.body && !route.params && !route.query)) continue;
      responses[status] = {
        description: ERROR_RESPONSES[status],
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    const parameters: unknown[] = [];
    for (const name of route.path.match(/\{(\w+)\}/g) ?? []) {
      parameters.push({ name: name.slice(1, -1), in: 'path', required: true, schema: { type: 'string' } });
    }
    if (route.query) {
      const query = schemaOf(route.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
      }
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      summary: route.summary,
      tags: route.tags,
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body) } } } }
        : {}),
      ...(route.scope ? { security: [{ apiKey: [] }, { bearer: [] }], 'x-required-scope': route.scope } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Error: schemaOf(errorBodySchema) },
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
