import type { Identity } from '../auth/identity.ts';

/** Hono's per-request variables: set by middleware, read by routes. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Set by the auth middleware on every route but the public ones. */
    identity: Identity;
  };
}
