import type { Hono } from 'hono';
import { type APIGatewayProxyResult, handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { AgentryError, toAgentryError } from '../errors.ts';
import type { AppEnv } from '../server/app-env.ts';
import { createLogger, errorFields } from '../server/logger.ts';
import { type LambdaRuntime, sharedLambdaRuntime } from './create-lambda-runtime.ts';
import { runWithEvent } from './gateway-identity.ts';
import { gatewayRequestId, withGatewayRequestId } from './lambda-event.ts';

export type HttpHandler = (event: LambdaEvent, context?: LambdaContext) => Promise<APIGatewayProxyResult>;

/**
 * The HTTP API behind API Gateway REST (v1) and HTTP API (v2) proxy integrations, ALB and function
 * URLs: Hono's adapter turns the event into a Request for the same app `agentry serve` runs, and
 * the Response into the proxy result (v1 events with `multiValueHeaders` get `multiValueHeaders`).
 */
export function createHttpHandler(runtime: () => Promise<LambdaRuntime>): HttpHandler {
  let served: { app: Hono<AppEnv>; handle: ReturnType<typeof handle> } | undefined;
  return async (event, context) => {
    let lambda: LambdaRuntime;
    try {
      lambda = await runtime();
    } catch (error) {
      return startupFailure(event, error);
    }
    if (served?.app !== lambda.app) served = { app: lambda.app, handle: handle(lambda.app) };
    const serve = served.handle;
    return runWithEvent(event, () => serve(withGatewayRequestId(event), context));
  };
}

/**
 * The runtime could not be built (bad configuration, store unreachable). Server-side failures keep
 * their code (STORE_UNAVAILABLE is worth retrying); configuration errors are the deployment's fault,
 * not the client's, so they answer 500 INTERNAL, and the code goes to the log.
 */
function startupFailure(event: LambdaEvent, error: unknown): APIGatewayProxyResult {
  createLogger((line) => process.stdout.write(line)).log('error', 'lambda runtime failed', errorFields(error));
  const coded = toAgentryError(error);
  const exposed = coded.status >= 500 ? coded : new AgentryError('INTERNAL', 'An internal error occurred.');
  const requestId = gatewayRequestId(event) ?? '';
  return {
    statusCode: exposed.status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      ...(requestId ? { 'x-request-id': requestId } : {}),
    },
    body: JSON.stringify({ error: exposed.toJSON(), requestId }),
    isBase64Encoded: false,
  };
}

/** `http-handler.handler`: the Lambda entry point. */
export const handler: HttpHandler = createHttpHandler(sharedLambdaRuntime);
