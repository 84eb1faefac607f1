import { Hono } from 'hono';
import { AgentryError } from '../errors.ts';
import type { AnyApiRoute } from './api-route.ts';
import { honoPath, readInput } from './api-route.ts';
import type { AppEnv } from './app-env.ts';
import { errorResponse, handleError } from './errors.ts';
import { applyUsagePlan, authenticate } from './middleware/authenticate.ts';
import { bodyLimit } from './middleware/body-limit.ts';
import { cors } from './middleware/cors.ts';
import { requestId } from './middleware/request-id.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { apiRoutes } from './routes/index.ts';
import type { ServerRuntime } from './runtime.ts';

export const API_VERSION = '0.1.0';

/**
 * The HTTP API as one Hono app: the same app serves Node (`agentry serve`) and Lambda.
 * Order per request: request id → security headers → metrics → CORS → body limit → route:
 * authentication and scope → usage plan → input validation → handler.
 */
export function createApp(runtime: ServerRuntime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const routes = apiRoutes(runtime);
  const document = buildOpenApiDocument(routes, { title: 'Agentry API', version: API_VERSION });

  app.use('*', requestId);
  app.use('*', securityHeaders);
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath === '*' || !c.req.routePath ? 'unmatched' : c.req.routePath;
    runtime.metrics.recordRequest(c.req.method, route, c.res.status, (performance.now() - started) / 1000);
  });
  app.use('*', cors(runtime.options.corsOrigins));
  app.use(
    '*',
    bodyLimit({
      maxSize: runtime.options.bodyLimitBytes,
      onError: (c) =>
        errorResponse(
          c,
          new AgentryError('REQUEST_TOO_LARGE', `The request body exceeds ${runtime.options.bodyLimitBytes} bytes.`, {
            details: { limitBytes: runtime.options.bodyLimitBytes },
          }),
        ),
    }),
  );

  app.get('/openapi.json', (c) => c.json(document));
  for (const route of routes) register(app, runtime, route);

  app.notFound((c) =>
    errorResponse(c, new AgentryError('ROUTE_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`)),
  );
  app.onError(handleError(runtime.logger));
  return app;
}

function register(app: Hono<AppEnv>, runtime: ServerRuntime, route: AnyApiRoute): void {
  app.on(route.method.toUpperCase(), honoPath(route.path), async (c) => {
    if (route.scope) {
      const identity = await authenticate(c, runtime, route.scope);
      c.set('identity', identity);
      await applyUsagePlan(c, runtime, identity);
    }
    const input = await readInput(c, route);
    return route.handler(c, input as Parameters<AnyApiRoute['handler']>[1]);
  });
}
