import { HangarError } from "../../core/errors.ts";
import type { TokenRole } from "../../core/types.ts";
import { validateNamespace } from "../../core/validate.ts";
import type { NamespaceRow } from "../../store/accounts-table.ts";
import { nowIso } from "../../store/catalog.ts";
import type { HubContext } from "../hub.ts";
import { generateToken, hashToken } from "./tokens.ts";

const TOKEN_ROLES: readonly TokenRole[] = ["read", "write", "admin"];

export interface CreateUserParams {
  name: string;
  fullname?: string;
  email?: string;
  isAdmin?: boolean;
}

export function createUser(hub: HubContext, params: CreateUserParams): NamespaceRow {
  return createNamespace(hub, { ...params, kind: "user" });
}

export interface CreateOrgParams {
  name: string;
  fullname?: string;
  members?: string[];
}

/** Creates an organisation, or adds members to an existing one. */
export function createOrg(hub: HubContext, params: CreateOrgParams): NamespaceRow {
  return hub.catalog.transaction(() => {
    const existing = hub.catalog.accounts.getNamespace(params.name);
    if (existing && existing.kind !== "org") {
      throw new HangarError("HANGAR_ERR_CONFLICT", `"${params.name}" is a user, not an organisation`);
    }
    const org =
      existing ?? createNamespace(hub, { name: params.name, fullname: params.fullname, kind: "org" });
    for (const member of params.members ?? []) addOrgMember(hub, { org: org.name, user: member });
    return org;
  });
}

function createNamespace(hub: HubContext, params: CreateUserParams & { kind: "user" | "org" }): NamespaceRow {
  validateNamespace(params.name);
  if (hub.catalog.accounts.getNamespace(params.name)) {
    throw new HangarError("HANGAR_ERR_CONFLICT", `The name "${params.name}" is already taken`);
  }
  const row: NamespaceRow = {
    name: params.name,
    kind: params.kind,
    fullname: params.fullname ?? params.name,
    email: params.email ?? null,
    isAdmin: params.isAdmin ?? false,
    createdAt: nowIso(),
  };
  hub.catalog.accounts.insertNamespace(row);
  return row;
}

export function addOrgMember(hub: HubContext, params: { org: string; user: string; role?: TokenRole }): void {
  const org = hub.catalog.accounts.getNamespace(params.org);
  if (org?.kind !== "org") throw new HangarError("HANGAR_ERR_NOT_FOUND", `No organisation "${params.org}"`);
  const user = hub.catalog.accounts.getNamespace(params.user);
  if (user?.kind !== "user") throw new HangarError("HANGAR_ERR_NOT_FOUND", `No user "${params.user}"`);
  hub.catalog.accounts.setMember(org.name, user.name, params.role ?? "write");
}

export interface CreateTokenParams {
  user: string;
  role: TokenRole;
  displayName?: string;
}

export interface CreatedToken {
  id: number;
  token: string;
  user: string;
  role: TokenRole;
  displayName: string;
}

/** Makes a token for a user. The secret is returned once; only its hash is stored. */
export function createToken(hub: HubContext, params: CreateTokenParams): CreatedToken {
  if (!TOKEN_ROLES.includes(params.role)) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Invalid token role "${params.role}": expected one of ${TOKEN_ROLES.join(", ")}`,
    );
  }
  const user = hub.catalog.accounts.getNamespace(params.user);
  if (user?.kind !== "user") throw new HangarError("HANGAR_ERR_NOT_FOUND", `No user "${params.user}"`);
  if (params.role === "admin" && !user.isAdmin) {
    throw new HangarError(
      "HANGAR_ERR_FORBIDDEN",
      `User "${user.name}" is not an admin, so it cannot hold an admin token`,
    );
  }
  const token = generateToken();
  const displayName = params.displayName ?? `${params.role}-token-${Date.now().toString(36)}`;
  const id = hub.catalog.accounts.insertToken({
    user: user.name,
    displayName,
    role: params.role,
    tokenHash: hashToken(token),
    createdAt: nowIso(),
  });
  return { id, token, user: user.name, role: params.role, displayName };
}

/** The user `admin` that `HANGAR_ADMIN_TOKEN` belongs to. */
export const BOOTSTRAP_ADMIN = "admin";

/**
 * Gives the token from `HANGAR_ADMIN_TOKEN` admin rights, creating the `admin` user if needed. Idempotent,
 * so it can run on every start.
 */
export function ensureBootstrapAdmin(hub: HubContext, token: string): void {
  hub.catalog.transaction(() => {
    if (!hub.catalog.accounts.getNamespace(BOOTSTRAP_ADMIN)) {
      createUser(hub, { name: BOOTSTRAP_ADMIN, fullname: "Hangar administrator", isAdmin: true });
    }
    const tokenHash = hashToken(token);
    if (!hub.catalog.accounts.findTokenByHash(tokenHash)) {
      hub.catalog.accounts.insertToken({
        user: BOOTSTRAP_ADMIN,
        displayName: "HANGAR_ADMIN_TOKEN",
        role: "admin",
        tokenHash,
        createdAt: nowIso(),
      });
    }
  });
}
