import { parseReferencePayload } from '../../lambda/direct-request.ts';
import type { WorkflowFunction } from './task-services.ts';

/** The agent the reference executor runs when the payload names none. */
export const DEFAULT_EXECUTOR_AGENT = 'assistant';

/**
 * The reference design's `ai-agent-executor` as a workflow function: the payload is the reference `/agent`
 * body, bare or under `body` (a JSON string or an object); the agent is `agent_type` (or `fixedAgent`); the
 * result is the reference reply `{response, conversation_id, user_id}`, so later states read `$.x.response`.
 * `user_id` is echoed, but the run belongs to the execution's user: identity comes from whoever started it.
 */
export function referenceExecutor(fixedAgent?: string): WorkflowFunction {
  return async (event, context) => {
    const payload = parseReferencePayload(event);
    const result = await context.invokeAgent(
      {
        agent: fixedAgent ?? payload.agent_type ?? DEFAULT_EXECUTOR_AGENT,
        query: payload.query,
        conversationId: payload.conversation_id,
      },
      { taskId: context.taskId, signal: context.signal },
    );
    return {
      response: result.response,
      conversation_id: result.conversation_id,
      user_id: payload.user_id ?? context.userId,
    };
  };
}
