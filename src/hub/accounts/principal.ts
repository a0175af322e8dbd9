import type { TokenRole } from "../../core/types.ts";

/** Who is calling: the token's user, its role and the organisations the user belongs to. */
export interface Principal {
  user: string;
  fullname: string;
  email: string | null;
  isAdmin: boolean;
  token: { id: number; displayName: string; role: TokenRole; createdAt: string };
  orgs: Array<{ name: string; fullname: string; role: TokenRole }>;
  /** The HTTP request the caller sent, for the audit log (absent outside HTTP: the CLI, tests). */
  request?: RequestContext;
}

/** Where a request came from: set by the HTTP layer on the caller, read by whatever records the request. */
export interface RequestContext {
  /** The request's `X-Request-Id`. */
  id: string;
  /** The client's address (`clientAddress`: the socket's, or a trusted proxy's forwarded one). */
  address: string;
}

/** Anonymous callers are `null`. */
export type Caller = Principal | null;

/**
 * The caller for local administration (the CLI working on its own home folder): it may do anything, as
 * the owner of the files could anyway.
 */
export function localAdministrator(user = "hangar"): Principal {
  return {
    user,
    fullname: "Local administrator",
    email: null,
    isAdmin: true,
    token: { id: 0, displayName: "local", role: "admin", createdAt: new Date(0).toISOString() },
    orgs: [],
  };
}
