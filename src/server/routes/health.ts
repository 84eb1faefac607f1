import { z } from 'zod';
import { type AnyApiRoute, defineRoute } from '../api-route.ts';
import type { ServerRuntime } from '../runtime.ts';

export function healthRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process serves requests',
      tags: ['operations'],
      scope: undefined,
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
      handler: (c) => c.json({ status: 'ok' as const }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: the store answers and the server is not shutting down',
      tags: ['operations'],
      scope: undefined,
      responses: {
        200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), store: z.string() }) },
        503: { description: 'Not ready (store unreachable or shutting down)' },
      },
      handler: async (c) => {
        if (runtime.shutdown.aborted) return c.json({ status: 'shutting_down', store: runtime.store.kind }, 503);
        try {
          await runtime.store.ping();
          return c.json({ status: 'ready' as const, store: runtime.store.kind });
        } catch {
          return c.json({ status: 'store_unavailable', store: runtime.store.kind }, 503);
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics (admin keys)',
      tags: ['operations'],
      scope: 'admin',
      responses: { 200: { description: 'Prometheus text exposition format', mediaType: 'text/plain' } },
      handler: (c) => c.text(runtime.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }),
    }),
  ];
}
