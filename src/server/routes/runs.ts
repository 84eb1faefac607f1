import { z } from 'zod';
import { AgentryError } from '../../errors.ts';
import { type AnyApiRoute, defineRoute } from '../api-route.ts';
import type { ServerRuntime } from '../runtime.ts';
import { idParamsSchema, runRecordSchema } from '../schemas.ts';
import { scopeOf } from '../scope-of.ts';
import { parseEventId } from '../sse/event-ids.ts';
import { streamRunEvents } from '../sse/stream-run-events.ts';

function publicRun(run: z.infer<typeof runRecordSchema> & Record<string, unknown>) {
  const {
    leaseOwner: _owner,
    leaseExpiresAt: _expires,
    tenantId: _tenant,
    userId: _user,
    schemaVersion: _version,
    ...visible
  } = run;
  return visible;
}

export function runRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  const notFound = (id: string) => new AgentryError('RUN_NOT_FOUND', `Run ${id} does not exist.`);
  return [
    defineRoute({
      method: 'get',
      path: '/v1/runs/{id}',
      summary: 'A run: status, answer, usage',
      tags: ['runs'],
      scope: 'conversations:read',
      params: idParamsSchema,
      responses: {
        200: { description: 'The run', schema: runRecordSchema },
        404: { description: 'No such run for this key (RUN_NOT_FOUND)' },
      },
      handler: async (c, { params }) => {
        const run = await runtime.store.runs.getRun(scopeOf(c.get('identity')), params.id);
        if (!run) throw notFound(params.id);
        return c.json(publicRun(run as never));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/runs/{id}/events',
      summary: "The run's events as SSE; send Last-Event-ID to get only the rest",
      tags: ['runs'],
      scope: 'conversations:read',
      params: idParamsSchema,
      responses: {
        200: { description: 'Run events', mediaType: 'text/event-stream' },
        404: { description: 'No such run (RUN_NOT_FOUND)' },
      },
      handler: async (c, { params }) => {
        const scope = scopeOf(c.get('identity'));
        if (!(await runtime.store.runs.getRun(scope, params.id))) throw notFound(params.id);
        return streamRunEvents(c, runtime, scope, params.id, parseEventId(c.req.header('last-event-id')));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/runs/{id}/cancel',
      summary: 'Cancel a running run',
      tags: ['runs'],
      scope: 'agents:run',
      params: idParamsSchema,
      responses: {
        202: {
          description: 'Cancellation requested',
          schema: z.object({ runId: z.string(), status: z.literal('cancelling') }),
        },
        404: { description: 'No such run (RUN_NOT_FOUND)' },
        409: { description: 'The run is not running: it ended, or waits for an import (RUN_CONFLICT)' },
      },
      handler: async (c, { params }) => {
        const scope = scopeOf(c.get('identity'));
        const run = await runtime.store.runs.getRun(scope, params.id);
        if (!run) throw notFound(params.id);
        // The mark goes to the store in every case: the process holding the run polls it, one that
        // resumes it checks it first, and it outlives a local abort that a shutdown overtakes (the
        // run is then handed over, and whoever continues it finds the mark).
        const marked = await runtime.store.runs.requestCancel(scope, params.id);
        const live = runtime.live.get(params.id);
        if (live && !live.done) {
          live.controller.abort(new AgentryError('RUN_CANCELLED', 'The run was cancelled by request.'));
          return c.json({ runId: params.id, status: 'cancelling' as const }, 202);
        }
        if (marked) return c.json({ runId: params.id, status: 'cancelling' as const }, 202);
        const status = (await runtime.store.runs.getRun(scope, params.id))?.status ?? run.status;
        throw new AgentryError('RUN_CONFLICT', `Run ${params.id} is not running (${status}).`, {
          details: { status },
        });
      },
    }),
  ];
}
