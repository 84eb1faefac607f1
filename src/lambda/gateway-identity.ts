import { AsyncLocalStorage } from 'node:async_hooks';
import type { Identity } from '../auth/identity.ts';
import { AgentryError } from '../errors.ts';
import { isRecord } from './lambda-event.ts';

export type Authenticate = (rawKey: string) => Promise<Identity | undefined>;

/** `1` turns trust on; unset, empty or `0` leaves it off; anything else is a configuration error. */
export const TRUST_GATEWAY_ENV = 'AGENTRY_TRUST_API_GATEWAY_IDENTITY';
/** The tenant of identities derived from API Gateway keys (default `default`). */
export const GATEWAY_TENANT_ENV = 'AGENTRY_API_GATEWAY_TENANT';

const API_KEY_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The HTTP event being served. `ServerRuntime.authenticate` sees only the raw key, so the HTTP
 * handler runs the app inside this store and the trusting authenticator reads the event from it.
 */
const currentEvent = new AsyncLocalStorage<unknown>();

export function runWithEvent<T>(event: unknown, serve: () => Promise<T>): Promise<T> {
  return currentEvent.run(event, serve);
}

export function trustsGateway(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env[TRUST_GATEWAY_ENV];
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new AgentryError('CONFIG_INVALID', `${TRUST_GATEWAY_ENV} must be 1 or 0 (got "${value}").`);
}

/** The API key API Gateway validated for a REST (v1) request: its id, and its value when passed along. */
export function gatewayApiKey(event: unknown): { id: string; value: string | undefined } | undefined {
  const context = isRecord(event) ? event.requestContext : undefined;
  const identity = isRecord(context) ? context.identity : undefined;
  if (!isRecord(identity) || typeof identity.apiKeyId !== 'string' || identity.apiKeyId === '') return undefined;
  return { id: identity.apiKeyId, value: typeof identity.apiKey === 'string' ? identity.apiKey : undefined };
}

/** One API Gateway key is one user of the gateway tenant; it cannot name other users. */
export function gatewayIdentity(apiKeyId: string, tenantId: string): Identity {
  return {
    keyId: `apigw:${apiKeyId}`,
    tenantId,
    userId: `apigw-${apiKeyId}`,
    scopes: new Set(['agents:run', 'conversations:read']),
    onBehalf: false,
    plan: 'default',
  };
}

/**
 * Authenticates REST (v1) requests by the API key API Gateway already validated
 * (`requestContext.identity.apiKeyId`), and everything else with `fallback` (Agentry's own keys).
 *
 * Trust model, on only with AGENTRY_TRUST_API_GATEWAY_IDENTITY=1:
 * - API Gateway (a method with `apiKeyRequired`) checks `x-api-key` against its keys and usage
 *   plans before invoking us, and writes the key's id into the event. We believe that field only
 *   because nobody else can write it: whoever may `lambda:InvokeFunction` this function can forge
 *   any requestContext. So enable it only when the function's resource policy lets API Gateway
 *   (this API's SourceArn) invoke it and IAM lets no untrusted principal do so.
 * - API Gateway keys identify clients for throttling and quotas; AWS advises against using them as
 *   the only authorization. Each key therefore maps to one user (`apigw-<id>`) in one tenant
 *   (AGENTRY_API_GATEWAY_TENANT), with run and read scopes, never admin and never on behalf of
 *   others: a body `user_id` naming someone else is refused (403), as for any non-on-behalf key.
 *   Backends that act for their users need an Agentry key created with on-behalf rights.
 * - When API Gateway passes the key's value (`identity.apiKey`), the presented key must equal it.
 * - HTTP APIs (v2) have no API keys: their requests always go to `fallback`.
 */
export function trustGatewayIdentity(fallback: Authenticate, tenantId: string): Authenticate {
  return async (rawKey) => {
    const key = gatewayApiKey(currentEvent.getStore());
    if (!key) return fallback(rawKey);
    if (!API_KEY_ID.test(key.id) || (key.value !== undefined && key.value !== rawKey)) return undefined;
    return gatewayIdentity(key.id, tenantId);
  };
}
