import type { Identity } from '../auth/identity.ts';
import type { Scope } from '../store/scope.ts';

/** The data scope of a request: the credential's tenant and user, nothing from the request. */
export function scopeOf(identity: Identity): Scope {
  return { tenantId: identity.tenantId, userId: identity.userId };
}
