/** What a credential allows. `admin` implies the others. */
export type ApiScope = 'agents:run' | 'conversations:read' | 'admin';

export const ALL_SCOPES: readonly ApiScope[] = ['agents:run', 'conversations:read', 'admin'];

/**
 * Who is calling, derived from the credential only, never from a request body. `onBehalf` keys
 * (a trusted backend acting for its users) may name another user of their tenant per request.
 */
export interface Identity {
  keyId: string;
  tenantId: string;
  userId: string;
  scopes: ReadonlySet<ApiScope>;
  onBehalf: boolean;
  /** Usage plan name; the rate limiter maps it to rate, burst and quota. */
  plan: string;
}

export function hasScope(identity: Identity, scope: ApiScope): boolean {
  return identity.scopes.has(scope) || identity.scopes.has('admin');
}
