import { z } from 'zod';
import { type AnyApiRoute, defineRoute } from '../api-route.ts';
import { errorResponse } from '../errors.ts';
import type { ServerRuntime } from '../runtime.ts';
import { nameParamsSchema, runRequestSchema, runResponseSchema } from '../schemas.ts';
import { scopeOf } from '../scope-of.ts';
import { streamRunEvents } from '../sse/stream-run-events.ts';
import { startRun } from '../start-run.ts';

const agentSummarySchema = z.object({ name: z.string(), description: z.string(), tools: z.array(z.string()) });

export function agentRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/agents',
      summary: 'List agents',
      tags: ['agents'],
      scope: 'agents:run',
      responses: {
        200: { description: "The project's agents", schema: z.object({ agents: z.array(agentSummarySchema) }) },
      },
      handler: (c) =>
        c.json({
          agents: [...runtime.project.agents.values()].map((agent) => ({
            name: agent.name,
            description: agent.description,
            tools: agent.tools,
          })),
        }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/agents/{name}/runs',
      summary: 'Run an agent: JSON reply, or the run events as SSE with `Accept: text/event-stream`',
      tags: ['runs'],
      scope: 'agents:run',
      params: nameParamsSchema,
      body: runRequestSchema,
      responses: {
        200: { description: 'The finished run (JSON), or its events (text/event-stream)', schema: runResponseSchema },
        404: { description: 'Unknown agent (AGENT_NOT_FOUND)' },
      },
      handler: async (c, { body, params }) => {
        const scope = scopeOf(c.get('identity'));
        const streamed = (c.req.header('accept') ?? '').includes('text/event-stream');
        const started = startRun(
          runtime,
          scope,
          { agent: params.name, query: body.query, conversationId: body.conversationId },
          { streamed },
        );
        if (streamed) return streamRunEvents(c, runtime, scope, started.runId, undefined);
        const result = await started.done;
        const reply = {
          runId: result.runId,
          conversationId: result.conversationId,
          status: result.status,
          text: result.text,
          toolCalls: result.steps.flatMap((step) => step.toolCalls),
          usage: result.usage,
        };
        if (result.status === 'failed' && result.error) return errorResponse(c, result.error);
        return c.json(result.error ? { ...reply, error: result.error.toJSON() } : reply);
      },
    }),
  ];
}
