/**
 * Who is asking. Every conversation and run belongs to one tenant and one user, and every store
 * read and write takes the scope: records are keyed by it, so a guessed id from another scope
 * simply does not exist. The scope comes from the credential, never from a request body.
 */
export interface Scope {
  tenantId: string;
  userId: string;
}

/** The scope of the CLI and of `npm start` on one machine. */
export const LOCAL_SCOPE: Readonly<Scope> = Object.freeze({ tenantId: 'local', userId: 'local' });
