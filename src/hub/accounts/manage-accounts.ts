import type { NamespaceRow } from "../../core/catalog-types.ts";
import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { TokenRole } from "../../core/types.ts";
import { validateNamespace } from "../../core/validate.ts";
import { recordAudit, withinTransaction } from "../audit/record-audit.ts";
import type { HubContext, HubScope } from "../hub.ts";
import { type Caller, localAdministrator } from "./principal.ts";
import { generateToken, hashToken } from "./tokens.ts";

const TOKEN_ROLES: readonly TokenRole[] = ["read", "write", "admin"];

/** Accounts change through local administration (the CLI on its home) unless a caller is given. */
interface AuditedParams {
  /** Who makes the change, for the audit log; the local administrator when absent. */
  caller?: Caller;
}

export interface CreateUserParams extends AuditedParams {
  name: string;
  fullname?: string;
  email?: string;
  isAdmin?: boolean;
}

export async function createUser(hub: HubScope, params: CreateUserParams): Promise<NamespaceRow> {
  return await withinTransaction(hub.catalog, async (tx) => {
    const user = await createNamespace({ ...hub, catalog: tx }, { ...params, kind: "user" });
    await recordAudit(tx, {
      caller: params.caller ?? localAdministrator(),
      action: "user.create",
      target: `user:${user.name}`,
      details: { isAdmin: user.isAdmin },
    });
    return user;
  });
}

export interface CreateOrgParams extends AuditedParams {
  name: string;
  fullname?: string;
  members?: string[];
}

/** Creates an organisation, or adds members to an existing one. */
export async function createOrg(hub: HubContext, params: CreateOrgParams): Promise<NamespaceRow> {
  return await hub.catalog.transaction(async (tx) => {
    const existing = await tx.accounts.getNamespace(params.name);
    if (existing && existing.kind !== "org") {
      throw new HangarError("HANGAR_ERR_CONFLICT", `"${params.name}" is a user, not an organisation`);
    }
    const org =
      existing ??
      (await createNamespace(
        { ...hub, catalog: tx },
        { name: params.name, fullname: params.fullname, kind: "org" },
      ));
    for (const member of params.members ?? [])
      await addOrgMember({ ...hub, catalog: tx }, { org: org.name, user: member });
    await recordAudit(tx, {
      caller: params.caller ?? localAdministrator(),
      action: existing ? "org.update" : "org.create",
      target: `org:${org.name}`,
      details: { addedMembers: params.members ?? [] },
    });
    return org;
  });
}

async function createNamespace(
  hub: HubScope,
  params: CreateUserParams & { kind: "user" | "org" },
): Promise<NamespaceRow> {
  validateNamespace(params.name);
  if (await hub.catalog.accounts.getNamespace(params.name)) {
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
  await hub.catalog.accounts.insertNamespace(row);
  return row;
}

export async function addOrgMember(
  hub: HubScope,
  params: { org: string; user: string; role?: TokenRole },
): Promise<void> {
  const org = await hub.catalog.accounts.getNamespace(params.org);
  if (org?.kind !== "org") throw new HangarError("HANGAR_ERR_NOT_FOUND", `No organisation "${params.org}"`);
  const user = await hub.catalog.accounts.getNamespace(params.user);
  if (user?.kind !== "user") throw new HangarError("HANGAR_ERR_NOT_FOUND", `No user "${params.user}"`);
  await hub.catalog.accounts.setMember(org.name, user.name, params.role ?? "write");
}

export interface CreateTokenParams extends AuditedParams {
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
export async function createToken(hub: HubScope, params: CreateTokenParams): Promise<CreatedToken> {
  if (!TOKEN_ROLES.includes(params.role)) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Invalid token role "${params.role}": expected one of ${TOKEN_ROLES.join(", ")}`,
    );
  }
  const user = await hub.catalog.accounts.getNamespace(params.user);
  if (user?.kind !== "user") throw new HangarError("HANGAR_ERR_NOT_FOUND", `No user "${params.user}"`);
  if (params.role === "admin" && !user.isAdmin) {
    throw new HangarError(
      "HANGAR_ERR_FORBIDDEN",
      `User "${user.name}" is not an admin, so it cannot hold an admin token`,
    );
  }
  const token = generateToken();
  const displayName = params.displayName ?? `${params.role}-token-${Date.now().toString(36)}`;
  const id = await withinTransaction(hub.catalog, async (tx) => {
    const inserted = await tx.accounts.insertToken({
      user: user.name,
      displayName,
      role: params.role,
      tokenHash: hashToken(token),
      createdAt: nowIso(),
    });
    await recordAudit(tx, {
      caller: params.caller ?? localAdministrator(),
      action: "token.create",
      target: `token:${inserted}`,
      details: { user: user.name, role: params.role, name: displayName },
    });
    return inserted;
  });
  return { id, token, user: user.name, role: params.role, displayName };
}

/** The user `admin` that `HANGAR_ADMIN_TOKEN` belongs to. */
export const BOOTSTRAP_ADMIN = "admin";

/**
 * Gives the token from `HANGAR_ADMIN_TOKEN` admin rights, creating the `admin` user if needed. Idempotent,
 * so it can run on every start.
 */
export async function ensureBootstrapAdmin(hub: HubContext, token: string): Promise<void> {
  // Several nodes starting at once on one database may all find the admin missing; all but one then fail on
  // the unique name and find it there when they try again.
  for (let attempt = 1; ; attempt++) {
    try {
      await bootstrapAdmin(hub, token);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function bootstrapAdmin(hub: HubContext, token: string): Promise<void> {
  await hub.catalog.transaction(async (tx) => {
    if (!(await tx.accounts.getNamespace(BOOTSTRAP_ADMIN))) {
      // Configuration applied at start, not an action anyone took: not audited.
      await createNamespace(
        { ...hub, catalog: tx },
        { name: BOOTSTRAP_ADMIN, fullname: "Hangar administrator", isAdmin: true, kind: "user" },
      );
    }
    const tokenHash = hashToken(token);
    if (!(await tx.accounts.findTokenByHash(tokenHash))) {
      await tx.accounts.insertToken({
        user: BOOTSTRAP_ADMIN,
        displayName: "HANGAR_ADMIN_TOKEN",
        role: "admin",
        tokenHash,
        createdAt: nowIso(),
      });
    }
  });
}
