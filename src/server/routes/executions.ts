import type { Context } from 'hono';
import { z } from 'zod';
import { AgentryError } from '../../errors.ts';
import { awaitExecutionEnd } from '../../runner/await-execution.ts';
import { executionSummary, executionView } from '../../runner/workflow-views.ts';
import { type AnyApiRoute, defineRoute } from '../api-route.ts';
import type { AppEnv } from '../app-env.ts';
import type { ServerRuntime } from '../runtime.ts';
import { idParamsSchema } from '../schemas.ts';
import { scopeOf } from '../scope-of.ts';
import { parseHistoryEventId, streamExecutionEvents } from './execution-stream.ts';
import {
  executionEventSchema,
  executionSchema,
  executionSummarySchema,
  historyQuerySchema,
  listExecutionsQuerySchema,
} from './workflow-schemas.ts';
import { assertHostsWorkflows } from './workflows.ts';

const DEFAULT_HISTORY_PAGE = 100;
/** How long a stop waits for the execution to record its end before answering with what it sees. */
const STOP_WAIT_MS = 10_000;

export function executionRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  const workflows = runtime.store.workflows;
  /** The caller's execution, or EXECUTION_NOT_FOUND: another user's id reads like a missing one. */
  const owned = async (c: Context<AppEnv>, id: string) => {
    const scope = scopeOf(c.get('identity'));
    const execution = await workflows.getExecution(scope, id);
    if (!execution) throw new AgentryError('EXECUTION_NOT_FOUND', `Execution ${id} does not exist.`);
    return { scope, execution };
  };
  return [
    defineRoute({
      method: 'get',
      path: '/v1/executions',
      summary: "The caller's workflow executions, newest first (ListExecutions)",
      tags: ['workflows'],
      scope: 'conversations:read',
      query: listExecutionsQuerySchema,
      responses: {
        200: {
          description: 'A page',
          schema: z.object({ executions: z.array(executionSummarySchema), nextCursor: z.string().optional() }),
        },
      },
      handler: async (c, { query }) => {
        const page = await workflows.listExecutions(scopeOf(c.get('identity')), {
          ...(query?.workflow === undefined ? {} : { workflow: query.workflow }),
          ...(query?.status === undefined ? {} : { status: query.status }),
          ...(query?.limit === undefined ? {} : { limit: query.limit }),
          ...(query?.cursor === undefined ? {} : { cursor: query.cursor }),
        });
        const executions = page.items.map(executionSummary);
        return c.json(page.nextCursor ? { executions, nextCursor: page.nextCursor } : { executions });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/executions/{id}',
      summary: 'An execution: status, input, output or error and cause (DescribeExecution)',
      tags: ['workflows'],
      scope: 'conversations:read',
      params: idParamsSchema,
      responses: {
        200: { description: 'The execution', schema: executionSchema },
        404: { description: 'No such execution for this key (EXECUTION_NOT_FOUND)' },
      },
      handler: async (c, { params }) => c.json(executionView((await owned(c, params.id)).execution)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/executions/{id}/history',
      summary: "An execution's history events in order, paged by `afterId` (GetExecutionHistory)",
      tags: ['workflows'],
      scope: 'conversations:read',
      params: idParamsSchema,
      query: historyQuerySchema,
      responses: {
        200: {
          description: 'Events after `afterId`; `nextAfterId` when there may be more',
          schema: z.object({ events: z.array(executionEventSchema), nextAfterId: z.number().optional() }),
        },
        404: { description: 'No such execution for this key (EXECUTION_NOT_FOUND)' },
      },
      handler: async (c, { params, query }) => {
        await owned(c, params.id);
        const limit = query?.limit ?? DEFAULT_HISTORY_PAGE;
        const events = await workflows.loadEvents(params.id, { afterId: query?.afterId ?? 0, limit });
        const last = events.at(-1);
        return c.json(events.length === limit && last ? { events, nextAfterId: last.id } : { events });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/executions/{id}/events',
      summary: "An execution's history as SSE, then its live events until it ends; send Last-Event-ID to resume",
      tags: ['workflows'],
      scope: 'conversations:read',
      params: idParamsSchema,
      responses: {
        200: { description: 'History events (`id:` the event id, `event:` its type)', mediaType: 'text/event-stream' },
        404: { description: 'No such execution for this key (EXECUTION_NOT_FOUND)' },
      },
      handler: async (c, { params }) => {
        await owned(c, params.id);
        return streamExecutionEvents(c, runtime, params.id, parseHistoryEventId(c.req.header('last-event-id')));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/executions/{id}/stop',
      summary: 'Stop a running execution: it ends ABORTED (StopExecution)',
      tags: ['workflows'],
      scope: 'agents:run',
      params: idParamsSchema,
      responses: {
        200: { description: 'The execution once stopped', schema: executionSchema },
        202: {
          description:
            'Stop requested, but the execution did not end within 10 s (its process died: the process that ' +
            'resumes it aborts it); the execution as it is now',
          schema: executionSchema,
        },
        404: { description: 'No such execution for this key (EXECUTION_NOT_FOUND)' },
        409: { description: 'It already ended (EXECUTION_CONFLICT)' },
        501: { description: 'This deployment runs workflows on AWS Step Functions (WORKFLOWS_NOT_HOSTED)' },
      },
      handler: async (c, { params }) => {
        assertHostsWorkflows(runtime);
        const { scope, execution } = await owned(c, params.id);
        // The mark goes to the store in every case: the process holding the execution polls it, one
        // that resumes it checks it first, and it outlives a local stop that a shutdown overtakes.
        // Running here, it is also aborted at once. It may also end by itself meanwhile.
        const marked = execution.status === 'RUNNING' && (await workflows.requestStop(scope, params.id));
        const stoppedHere = runtime.workflows.stop(params.id);
        if (!marked && !stoppedHere) {
          const status = (await workflows.getExecution(scope, params.id))?.status ?? execution.status;
          throw new AgentryError('EXECUTION_CONFLICT', `Execution ${params.id} already ended (${status}).`, {
            details: { status },
          });
        }
        const signal = AbortSignal.any([AbortSignal.timeout(STOP_WAIT_MS), runtime.shutdown]);
        const ended = await awaitExecutionEnd(workflows, scope, params.id, undefined, signal, 20);
        if (ended) return c.json(executionView(ended));
        const now = (await workflows.getExecution(scope, params.id)) ?? execution;
        return c.json(executionView(now), now.status === 'RUNNING' ? 202 : 200);
      },
    }),
  ];
}
