import { AgentryError } from '../../errors.ts';
import { type AnyApiRoute, defineRoute } from '../api-route.ts';
import type { ServerRuntime } from '../runtime.ts';
import { modelListSchema, modelParamsSchema, modelSchema } from './openai-schemas.ts';

/** OpenAI-compatible model listing: every agent of the project is a model, named after it. */
export function openAiModelRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  // Agents carry no creation time; report when this server loaded the project.
  const created = Math.floor(Date.now() / 1000);
  const model = (id: string) => ({ id, object: 'model' as const, created, owned_by: 'agentry' as const });
  return [
    defineRoute({
      method: 'get',
      path: '/v1/models',
      summary: 'OpenAI-compatible: the agents, as models',
      tags: ['openai'],
      scope: 'agents:run',
      responses: { 200: { description: 'The agents', schema: modelListSchema } },
      handler: (c) => c.json({ object: 'list', data: [...runtime.project.agents.keys()].map(model) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/models/{model}',
      summary: 'OpenAI-compatible: one agent, as a model',
      tags: ['openai'],
      scope: 'agents:run',
      params: modelParamsSchema,
      responses: {
        200: { description: 'The agent', schema: modelSchema },
        404: { description: 'Unknown agent (AGENT_NOT_FOUND)' },
      },
      handler: (c, { params }) => {
        if (!runtime.project.agents.has(params.model)) {
          throw new AgentryError('AGENT_NOT_FOUND', `Unknown model "${params.model}": models are agent names.`, {
            details: { agent: params.model },
          });
        }
        return c.json(model(params.model));
      },
    }),
  ];
}
