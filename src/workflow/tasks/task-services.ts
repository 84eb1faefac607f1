import type { TokenUsage } from '../../agent/usage.ts';

/** What an agent task asks for. The scope (tenant, user) is the execution's, never the payload's. */
export interface AgentTaskRequest {
  agent: string;
  query: string;
  conversationId?: string | undefined;
}

export interface AgentTaskResult {
  response: string;
  conversation_id: string;
  usage: TokenUsage;
}

/**
 * Runs an agent for a task. `taskId` is stable across a resumption of the execution: the same task
 * attempt maps to the same durable run, so a resumed attempt continues (or returns) that run instead of
 * starting the agent again. Failures throw AgentryErrors.
 */
export type InvokeAgent = (
  request: AgentTaskRequest,
  context: { taskId: string; signal: AbortSignal },
) => Promise<AgentTaskResult>;

export interface FunctionContext {
  taskId: string;
  signal: AbortSignal;
  /** The user the execution runs for. */
  userId: string;
  invokeAgent: InvokeAgent;
}

/** A function a workflow can invoke by Lambda name: gets the event (the Payload), returns the result. */
export type WorkflowFunction = (event: unknown, context: FunctionContext) => Promise<unknown>;

/**
 * `.waitForTaskToken` callbacks. `register` records the token as waiting (false when it already was: a
 * resumed attempt, whose notification went out before); `wait` resolves with the output sent by
 * SendTaskSuccess and rejects with a StatesError for SendTaskFailure.
 */
export interface TaskTokens {
  register(token: string, stateName: string): Promise<boolean>;
  wait(token: string, signal: AbortSignal): Promise<unknown>;
}
