import type { LambdaEvent } from 'hono/aws-lambda';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether an event is an HTTP proxy event Hono's adapter serves: API Gateway REST (v1: `httpMethod`,
 * `path`), HTTP API and function URLs (v2: `version` 2.0, `rawPath`, `requestContext.http`), ALB.
 * Everything else reaching a handler is a direct invocation (Step Functions, `aws lambda invoke`).
 */
export function isHttpEvent(event: unknown): event is LambdaEvent {
  if (!isRecord(event) || !isRecord(event.requestContext)) return false;
  if (typeof event.httpMethod === 'string') return true;
  return typeof event.rawPath === 'string' && isRecord(event.requestContext.http);
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * API Gateway's own id of the request (`requestContext.requestId`), as in its access logs. HTTP API
 * ids are base64 (`CQ8bJgT2oAMEbrA=`): the padding is dropped to fit the app's request-id alphabet,
 * and ids that still do not fit are not used.
 */
export function gatewayRequestId(event: LambdaEvent): string | undefined {
  const context: unknown = event.requestContext;
  if (!isRecord(context) || typeof context.requestId !== 'string') return undefined;
  const id = context.requestId.replace(/=+$/, '');
  return SAFE_ID.test(id) ? id : undefined;
}

/**
 * The event with `x-request-id` set to API Gateway's request id when the caller sent none, so the
 * app's logs and the response header correlate with API Gateway's access logs and X-Ray. A
 * caller's own id wins (the request-id middleware still validates whichever arrives). Only REST and
 * HTTP API events, whose `headers` hold single strings, are changed.
 */
export function withGatewayRequestId(event: LambdaEvent): LambdaEvent {
  const id = gatewayRequestId(event);
  if (!id || !('httpMethod' in event || 'rawPath' in event)) return event;
  const names = [...Object.keys(event.headers ?? {}), ...Object.keys(event.multiValueHeaders ?? {})];
  if (names.some((name) => name.toLowerCase() === 'x-request-id')) return event;
  return { ...event, headers: { ...event.headers, 'x-request-id': id } };
}
