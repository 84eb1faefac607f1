import type { AnyApiRoute } from '../api-route.ts';
import type { ServerRuntime } from '../runtime.ts';
import { agentRoutes } from './agents.ts';
import { conversationRoutes } from './conversations.ts';
import { executionRoutes } from './executions.ts';
import { healthRoutes } from './health.ts';
import { openAiChatRoutes } from './openai-chat-completions.ts';
import { openAiModelRoutes } from './openai-models.ts';
import { referenceRoutes } from './reference-agent.ts';
import { runRoutes } from './runs.ts';
import { taskTokenRoutes } from './task-tokens.ts';
import { uiChatRoutes } from './ui-chat.ts';
import { workflowRoutes } from './workflows.ts';

/** Every route of the API; the OpenAPI document is generated from this list. */
export function apiRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  return [
    ...healthRoutes(runtime),
    ...referenceRoutes(runtime),
    ...agentRoutes(runtime),
    ...uiChatRoutes(runtime),
    ...runRoutes(runtime),
    ...conversationRoutes(runtime),
    ...openAiModelRoutes(runtime),
    ...openAiChatRoutes(runtime),
    ...workflowRoutes(runtime),
    ...executionRoutes(runtime),
    ...taskTokenRoutes(runtime),
  ];
}
