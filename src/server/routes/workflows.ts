import { z } from 'zod';
import { AgentryError } from '../../errors.ts';
import { awaitExecutionEnd } from '../../runner/await-execution.ts';
import { executionView, workflowSummary } from '../../runner/workflow-views.ts';
import { type AnyApiRoute, defineRoute } from '../api-route.ts';
import type { ServerRuntime } from '../runtime.ts';
import { scopeOf } from '../scope-of.ts';
import { streamExecutionEvents } from './execution-stream.ts';
import {
  executionSchema,
  startExecutionBodySchema,
  startExecutionQuerySchema,
  workflowParamsSchema,
  workflowSummarySchema,
} from './workflow-schemas.ts';

/**
 * `Prefer: wait` (RFC 7240), optionally `wait=<seconds>`: undefined when absent, else how long the
 * client is willing to wait in ms (Infinity: as long as the server allows).
 */
export function preferredWaitMs(header: string | undefined): number | undefined {
  const match = /(?:^|[,;\s])wait(?:\s*=\s*"?(\d{1,9})"?)?\s*(?=[,;]|$)/i.exec(header ?? '');
  if (!match) return undefined;
  return match[1] === undefined ? Number.POSITIVE_INFINITY : Number(match[1]) * 1_000;
}

export function workflowRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/workflows',
      summary: "The project's workflows (workflows/*.asl.json)",
      tags: ['workflows'],
      scope: 'agents:run',
      responses: {
        200: { description: 'Workflows by name', schema: z.object({ workflows: z.array(workflowSummarySchema) }) },
      },
      handler: (c) =>
        c.json({
          workflows: [...runtime.project.workflows.values()].map(workflowSummary),
        }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/workflows/{name}/executions',
      summary:
        'Start an execution (StartExecution). `?wait=true` or `Prefer: wait` answers once it ended; ' +
        '`Accept: text/event-stream` streams its history events',
      tags: ['workflows'],
      scope: 'agents:run',
      params: workflowParamsSchema,
      query: startExecutionQuerySchema,
      body: startExecutionBodySchema,
      responses: {
        200: {
          description:
            'An execution of that name and input already existed: that one (JSON); or the events (text/event-stream)',
          schema: executionSchema,
        },
        201: { description: 'Started (or, when waiting, ended): the execution', schema: executionSchema },
        404: { description: 'No such workflow (WORKFLOW_NOT_FOUND)' },
        409: { description: 'The name is taken by an execution with another input (EXECUTION_ALREADY_EXISTS)' },
        501: { description: 'This deployment runs workflows on AWS Step Functions (WORKFLOWS_NOT_HOSTED)' },
        503: { description: 'The server is shutting down (SHUTTING_DOWN, retryable)' },
      },
      handler: async (c, { params, body, query }) => {
        assertHostsWorkflows(runtime);
        if (runtime.shutdown.aborted) {
          throw new AgentryError('SHUTTING_DOWN', 'The server is shutting down; retry on another instance.', {
            retryable: true,
          });
        }
        const scope = scopeOf(c.get('identity'));
        const started = await runtime.workflows.start(scope, {
          workflow: params.name,
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(body.input === undefined ? {} : { input: body.input }),
        });
        // Failures after the start land in the record; a failed start throws above.
        started.done.catch(() => {});
        const { id } = started.execution;
        c.header('location', `/v1/executions/${id}`);
        if ((c.req.header('accept') ?? '').includes('text/event-stream')) {
          return streamExecutionEvents(c, runtime, id, 0);
        }
        const preferred = preferredWaitMs(c.req.header('prefer'));
        let record = started.execution;
        if (query?.wait === 'true' || preferred !== undefined) {
          const timeoutMs = Math.min(runtime.options.runTimeoutMs, preferred ?? Number.POSITIVE_INFINITY);
          const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), runtime.shutdown, c.req.raw.signal]);
          record = (await awaitExecutionEnd(runtime.store.workflows, scope, id, started.done, signal)) ?? record;
          if (preferred !== undefined) c.header('preference-applied', 'wait');
        }
        return c.json(executionView(record), started.created ? 201 : 200);
      },
    }),
  ];
}

/** Refuses to start executions where they cannot run to the end (Lambda: Step Functions runs them there). */
export function assertHostsWorkflows(runtime: ServerRuntime): void {
  if (runtime.options.hostsWorkflows === false) {
    throw new AgentryError(
      'WORKFLOWS_NOT_HOSTED',
      'This deployment runs workflows on AWS Step Functions: start executions there (StartExecution).',
    );
  }
}
