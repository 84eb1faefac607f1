import type { APIGatewayProxyResult, LambdaContext } from 'hono/aws-lambda';
import { type LambdaRuntime, sharedLambdaRuntime } from './create-lambda-runtime.ts';
import { createHttpHandler } from './http-handler.ts';
import { isHttpEvent } from './lambda-event.ts';
import { type DirectResponse, runDirect } from './run-direct.ts';

export type AgentExecutor = (
  event: unknown,
  context?: LambdaContext,
) => Promise<APIGatewayProxyResult | DirectResponse>;

/**
 * The reference design's `ai-agent-executor` function. An API Gateway proxy event gets the HTTP app
 * and an HTTP envelope; anything else is a direct invocation (Step Functions `lambda:invoke`, the
 * console's test event) and gets the plain `{"response","conversation_id","user_id"}` object, or a
 * thrown error named by its AgentryError code for `Retry`/`Catch`.
 */
export function createAgentExecutor(runtime: () => Promise<LambdaRuntime>): AgentExecutor {
  const http = createHttpHandler(runtime);
  return (event, context) => (isHttpEvent(event) ? http(event, context) : runDirect(runtime, event));
}

/** `agent-executor.handler`: the Lambda entry point. */
export const handler: AgentExecutor = createAgentExecutor(sharedLambdaRuntime);
