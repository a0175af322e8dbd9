import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubScope } from "../../hub/hub.ts";
import type { StoredLicensePolicy } from "../../store/license-policies-table.ts";
import { recordAudit, withinTransaction } from "../audit/index.ts";
import { EMPTY_POLICY, type LicencePolicy, parsePolicy } from "./policy.ts";

/** A stored policy that no longer validates (a vocabulary change) keeps its valid rules. */
function storedPolicy(stored: StoredLicensePolicy | undefined): LicencePolicy {
  if (!stored) return EMPTY_POLICY;
  try {
    return parsePolicy(stored.rules);
  } catch {
    const rules = stored.rules;
    const policy: LicencePolicy = { enforce: [], categories: {}, licenses: {} };
    try {
      policy.enforce = parsePolicy({ enforce: rules.enforce }).enforce;
    } catch {}
    for (const field of ["categories", "licenses"] as const) {
      const entries = rules[field];
      if (typeof entries !== "object" || entries === null) continue;
      for (const [key, action] of Object.entries(entries)) {
        try {
          Object.assign(policy[field], parsePolicy({ [field]: { [key]: action } })[field]);
        } catch {}
      }
    }
    return policy;
  }
}

/** The policies an action is decided by: the instance's, and the organisation's when it has one. */
export async function loadPolicies(
  hub: HubScope,
  org: string | undefined,
): Promise<{ instance: LicencePolicy; org?: { name: string; policy: LicencePolicy } }> {
  const stored = await hub.catalog.licensePolicies.getInstanceAndOrg(org);
  const orgScope = stored.org?.scope;
  return {
    instance: storedPolicy(stored.instance),
    ...(orgScope?.kind === "org" ? { org: { name: orgScope.org, policy: storedPolicy(stored.org) } } : {}),
  };
}

/** A scope's policy as the API and CLI show it. */
export interface PolicyView {
  scope: "instance" | "org";
  /** The organisation, for an organisation's policy. */
  org?: string;
  policy: LicencePolicy;
  /** When and by whom it was last set; null for a policy never set (empty: everything allowed). */
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface PolicyScopeParams {
  /** An organisation's policy; the instance's when absent. */
  org?: string;
}

/** The organisation's name as stored, or 404. */
async function organisation(hub: HubScope, name: string): Promise<string> {
  const row = await hub.catalog.accounts.getNamespace(name);
  if (row?.kind !== "org")
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `No organisation "${name}" on this Hangar`);
  return row.name;
}

function isMember(caller: NonNullable<Caller>, org: string): boolean {
  return caller.orgs.some((entry) => entry.name.toLowerCase() === org.toLowerCase());
}

function requireCaller(caller: Caller): NonNullable<Caller> {
  if (!caller) {
    throw new HangarError(
      "HANGAR_ERR_UNAUTHORIZED",
      "Authentication required: send a token as a Bearer token",
    );
  }
  return caller;
}

function view(scope: { org?: string }, stored: StoredLicensePolicy | undefined): PolicyView {
  return {
    scope: scope.org === undefined ? "instance" : "org",
    ...(scope.org === undefined ? {} : { org: scope.org }),
    policy: storedPolicy(stored),
    updatedAt: stored?.updatedAt ?? null,
    updatedBy: stored?.updatedBy ?? null,
  };
}

/**
 * A policy: the instance's to any signed-in caller (it is what every action of theirs is decided by), an
 * organisation's to its members and admins.
 */
export async function getLicencePolicy(
  hub: HubScope,
  caller: Caller,
  params: PolicyScopeParams = {},
): Promise<PolicyView> {
  const who = requireCaller(caller);
  if (params.org === undefined) return view({}, await hub.catalog.licensePolicies.get({ kind: "instance" }));
  const org = await organisation(hub, params.org);
  if (!who.isAdmin && !isMember(who, org)) {
    throw new HangarError(
      "HANGAR_ERR_FORBIDDEN",
      `Only members of ${org} and admins may read its licence policy`,
    );
  }
  return view({ org }, await hub.catalog.licensePolicies.get({ kind: "org", org }));
}

/**
 * Replaces a policy (`policy` as JSON: `{enforce, categories, licenses}`, checked field by field): the
 * instance's by an admin, an organisation's by the organisation's admins or an admin, always with a token
 * that may write.
 */
export async function setLicencePolicy(
  hub: HubScope,
  caller: Caller,
  params: PolicyScopeParams & { policy: unknown },
): Promise<PolicyView> {
  const who = requireCaller(caller);
  const org = params.org === undefined ? undefined : await organisation(hub, params.org);
  const orgAdmin =
    org !== undefined &&
    who.orgs.some((entry) => entry.name.toLowerCase() === org.toLowerCase() && entry.role === "admin");
  if (who.token.role === "read" || !(who.isAdmin || orgAdmin)) {
    throw new HangarError(
      "HANGAR_ERR_FORBIDDEN",
      org === undefined
        ? "Only an admin with a write or admin token may set the instance's licence policy"
        : `Only an admin of ${org} (or of this Hangar), with a write or admin token, may set its licence policy`,
    );
  }
  const policy = parsePolicy(params.policy);
  const stored: StoredLicensePolicy = {
    scope: org === undefined ? { kind: "instance" } : { kind: "org", org },
    rules: policy as unknown as Record<string, unknown>,
    updatedAt: nowIso(),
    updatedBy: who.user,
  };
  await withinTransaction(hub.catalog, async (tx) => {
    await tx.licensePolicies.put(stored);
    await recordAudit(tx, {
      caller,
      action: "policy.set",
      target: org === undefined ? "policy:instance" : `policy:org/${org}`,
      details: { policy: stored.rules },
    });
  });
  return view(org === undefined ? {} : { org }, stored);
}
