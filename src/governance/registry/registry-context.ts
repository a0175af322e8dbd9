import type { StoredCommit } from "../../core/catalog-types.ts";
import { badRequest, HangarError } from "../../core/errors.ts";
import type { Repo, TokenRole } from "../../core/types.ts";
import { parseRepoId } from "../../core/validate.ts";
import { canRead, visibleNamespaces } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext, HubScope } from "../../hub/hub.ts";
import type { RegisteredModelRow } from "../../store/registry-table.ts";

/** What the licence gate asks the licence policy (src/governance/licences) about one version. */
export interface LicenceQuestion {
  repo: Repo;
  commit: StoredCommit;
  /** The use the gate names (e.g. `inference`, `commercial`); absent when the gate names none. */
  use?: string;
}

/** The policy's answer: only `allow` lets a promotion through. */
export interface LicenceAnswer {
  decision: "allow" | "deny" | "review";
  /** One sentence: which licence, which rule. */
  reason: string;
}

/** The licence policy as the registry sees it: a function, wired in by whoever builds the Hangar. */
export type LicenceDecider = (question: LicenceQuestion) => LicenceAnswer | Promise<LicenceAnswer>;

/** A hub with what the registry's gates need beyond it: the licence policy, when the instance has one. */
export type RegistryContext = HubContext & { licence?: LicenceDecider };

/** `namespace/name` of a registered model, checked like a repo id. */
export function parseModelName(name: string): { namespace: string; name: string } {
  if (typeof name !== "string" || name === "")
    throw badRequest('"name" is required: a name such as "acme/classifier"');
  const ref = parseRepoId(name, "model");
  return { namespace: ref.namespace, name: ref.name };
}

const ALIAS = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** An alias name: letters, digits, `-` and `_`, at most 64; `latest` and `v<digits>` are reserved. */
export function validateAlias(alias: unknown): string {
  if (typeof alias !== "string" || !ALIAS.test(alias)) {
    throw badRequest(
      `Invalid alias "${String(alias)}": use letters, digits, "-" and "_" (at most 64, starting with a letter or digit)`,
    );
  }
  if (/^latest$/i.test(alias) || /^v\d+$/i.test(alias)) {
    throw badRequest(`The alias "${alias}" is reserved: "latest" and "v<number>" name versions`);
  }
  return alias;
}

/** A version number given by a user: a whole number from 1. */
export function validateVersion(version: unknown): number {
  const number = typeof version === "string" && /^\d+$/.test(version) ? Number(version) : version;
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 1)
    throw badRequest(`"version" must be a whole number from 1, got ${JSON.stringify(version)}`);
  return number;
}

const RANK: Record<TokenRole, number> = { read: 1, write: 2, admin: 3 };

/**
 * The caller's role in a namespace, as repos grant it: admin for instance admins and the namespace's own
 * user, the organisation role for members; never more than the token's own role. Null for others.
 */
export function roleInNamespace(caller: Caller, namespace: string): TokenRole | null {
  if (!caller) return null;
  const lower = namespace.toLowerCase();
  let role: TokenRole | null = null;
  if (caller.isAdmin || caller.user.toLowerCase() === lower) role = "admin";
  else role = caller.orgs.find((org) => org.name.toLowerCase() === lower)?.role ?? null;
  if (role === null) return null;
  return RANK[caller.token.role] < RANK[role] ? caller.token.role : role;
}

export function hasRole(role: TokenRole | null, needed: TokenRole): boolean {
  return role !== null && RANK[role] >= RANK[needed];
}

/** 401 without a token, 403 without the role in the model's namespace. */
export function assertRole(caller: Caller, namespace: string, needed: TokenRole, doing: string): void {
  if (!caller)
    throw new HangarError("HANGAR_ERR_UNAUTHORIZED", `Authentication required to ${doing}: send a token`);
  if (!hasRole(roleInNamespace(caller, namespace), needed)) {
    throw new HangarError(
      "HANGAR_ERR_FORBIDDEN",
      `You need the ${needed} role in the namespace "${namespace}" to ${doing}`,
    );
  }
}

export function modelNotFound(name: string): HangarError {
  return new HangarError("HANGAR_ERR_NOT_FOUND", `No registered model "${name}"`);
}

/**
 * The registered model if the caller may see it: a member of its namespace (or an admin) always; anyone
 * else when every version's repo is one they may read. Otherwise the same 404 as for a missing one.
 */
export async function getReadableModel(
  hub: HubScope,
  caller: Caller,
  name: string,
): Promise<RegisteredModelRow> {
  const parsed = parseModelName(name);
  const model = await hub.catalog.registry.getModel(parsed.namespace, parsed.name);
  if (!model) throw modelNotFound(name);
  const namespaces = visibleNamespaces(caller);
  if (
    namespaces === "all" ||
    namespaces.some((entry) => entry.toLowerCase() === model.namespace.toLowerCase())
  )
    return model;
  const versions = await hub.catalog.registry.listVersions(model.id);
  for (const version of versions) {
    const repo = await hub.catalog.repos.getByPk(version.repoPk);
    if (!repo || !canRead(caller, repo)) throw modelNotFound(name);
  }
  if (versions.length === 0) throw modelNotFound(name);
  return model;
}

export function modelId(model: Pick<RegisteredModelRow, "namespace" | "name">): string {
  return `${model.namespace}/${model.name}`;
}
