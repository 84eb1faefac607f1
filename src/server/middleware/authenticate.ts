import type { Context } from 'hono';
import { type ApiScope, hasScope, type Identity } from '../../auth/identity.ts';
import { AgentryError } from '../../errors.ts';
import type { AppEnv } from '../app-env.ts';
import type { ServerRuntime } from '../runtime.ts';

/** The key from `x-api-key`, or `Authorization: Bearer <key>`. */
export function presentedKey(c: Context<AppEnv>): string | undefined {
  const header = c.req.header('x-api-key');
  if (header) return header.trim();
  const authorization = c.req.header('authorization');
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return match?.[1];
}

/**
 * Resolves the caller's identity from its credential and checks the route's scope. The same
 * UNAUTHENTICATED answer for a missing, malformed, unknown or revoked key: nothing to probe.
 */
export async function authenticate(c: Context<AppEnv>, runtime: ServerRuntime, scope: ApiScope): Promise<Identity> {
  const key = presentedKey(c);
  const identity = key && key.length <= 512 ? await runtime.authenticate(key) : undefined;
  if (!identity) {
    c.header('WWW-Authenticate', 'Bearer realm="agentry"');
    throw new AgentryError(
      'UNAUTHENTICATED',
      'A valid API key is required (x-api-key header or Authorization: Bearer).',
    );
  }
  if (!hasScope(identity, scope)) {
    throw new AgentryError('FORBIDDEN', `This API key lacks the "${scope}" scope.`, { details: { scope } });
  }
  return identity;
}

/** Applies the caller's usage plan; sets RateLimit headers on every answer, Retry-After on refusals. */
export async function applyUsagePlan(c: Context<AppEnv>, runtime: ServerRuntime, identity: Identity): Promise<void> {
  if (!runtime.limiter) return;
  const decision = await runtime.limiter.consume(identity);
  if (decision.allowed && !Number.isFinite(decision.limit)) return; // an unmetered plan: no limits to announce
  c.header('RateLimit-Limit', String(decision.limit));
  c.header('RateLimit-Remaining', String(Math.max(0, decision.remaining)));
  c.header('RateLimit-Reset', String(Math.ceil(decision.resetSeconds)));
  c.header('RateLimit-Policy', `${decision.limit};w=${Math.max(1, Math.ceil(decision.resetSeconds))}`);
  if (!decision.allowed) {
    const retryAfter = Math.max(1, Math.ceil(decision.retryAfterSeconds ?? decision.resetSeconds));
    c.header('Retry-After', String(retryAfter));
    throw decision.reason === 'quota'
      ? new AgentryError('QUOTA_EXCEEDED', 'The daily request quota of this API key is used up.', {
          details: { retryAfterSeconds: retryAfter },
        })
      : new AgentryError('RATE_LIMITED', 'Too many requests for this API key; slow down.', {
          retryable: true,
          details: { retryAfterSeconds: retryAfter },
        });
  }
}
