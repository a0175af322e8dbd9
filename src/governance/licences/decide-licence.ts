import { HangarError } from "../../core/errors.ts";
import { addWarning } from "../../core/response-warnings.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubScope } from "../../hub/hub.ts";
import {
  type ChainEntry,
  catalogLookup,
  type EffectiveLicence,
  type LicenceNode,
  resolveEffectiveLicence,
  strictestOf,
  visibleLicence,
} from "./effective-licence.ts";
import {
  actionRank,
  type EnforcementPoint,
  type LicencePolicy,
  type PolicyAction,
  ruleFor,
} from "./policy.ts";
import { loadPolicies } from "./policy-store.ts";

/** The rule that decided, and whose it is. */
export interface LicenceRule {
  scope: "instance" | "org";
  /** The organisation, for an organisation's rule. */
  org?: string;
  kind: "license" | "category";
  key: string;
  action: PolicyAction;
}

export interface LicenceDecision {
  point: EnforcementPoint;
  /** Whether the instance or the organisation enforces the policy at this point. */
  enforced: boolean;
  /** What happens: the rules' action where enforced, `allow` elsewhere. */
  action: PolicyAction;
  /** What the rules say, enforced here or not. */
  ruleAction: PolicyAction;
  /** The model's effective licence, as the caller may see it. */
  effective: EffectiveLicence;
  /** The model of the chain whose licence decided (the effective licence's source when nothing is refused). */
  decidedBy: { repo: string; license: string | null; category: string; path: string[] };
  /** The rule that decided; null when no rule names a licence of the chain (allowed). */
  rule: LicenceRule | null;
  /** For `review` and `deny`: one readable sentence naming the licence, where it comes from and the rule. */
  message: string | null;
}

export interface DecideLicenceParams {
  point: EnforcementPoint;
  /** The model acted on: its own licence and the base models its card names. */
  model: LicenceNode;
  /**
   * The organisation whose policy refines the instance's. Default: the model's namespace (an organisation
   * only has a policy once one was set for it). The registry's gate passes the organisation it promotes in.
   */
  org?: string;
  /** Who acts: repos they may not read are never named to them. Absent: the instance itself. */
  caller?: Caller;
}

const VERB: Record<EnforcementPoint, string> = {
  pull: "pulling",
  inference: "inference with",
  promotion: "promoting",
};

/** The stricter action of an entry under both scopes, with the rule that gives it (the org's on a tie). */
function entryRule(
  entry: ChainEntry,
  instance: LicencePolicy,
  org: { name: string; policy: LicencePolicy } | undefined,
): LicenceRule | undefined {
  const fromInstance = ruleFor(instance, entry.license, entry.category);
  const fromOrg = org ? ruleFor(org.policy, entry.license, entry.category) : undefined;
  const instanceRule = fromInstance ? { scope: "instance" as const, ...fromInstance } : undefined;
  const orgRule = fromOrg && org ? { scope: "org" as const, org: org.name, ...fromOrg } : undefined;
  if (!orgRule) return instanceRule;
  if (!instanceRule) return orgRule;
  // An organisation refines the instance's policy: stricter, never looser.
  return actionRank(orgRule.action) >= actionRank(instanceRule.action) ? orgRule : instanceRule;
}

function describeLicence(entry: ChainEntry): string {
  return entry.license === null ? `no licence (${entry.category})` : `${entry.license} (${entry.category})`;
}

function describeRule(rule: LicenceRule): string {
  const scope = rule.scope === "instance" ? "instance policy" : `organisation ${rule.org}'s policy`;
  return `${scope}, ${rule.kind === "license" ? "licence" : "category"} ${rule.key} = ${rule.action}`;
}

function decisionMessage(
  point: EnforcementPoint,
  model: LicenceNode,
  entry: ChainEntry,
  rule: LicenceRule,
): string {
  const opening =
    rule.action === "deny"
      ? `The licence policy denies ${VERB[point]} ${model.repo}`
      : `The licence policy asks for a review before ${VERB[point]} ${model.repo}`;
  // The entry comes from the visible chain: repos the caller may not read are already unnamed.
  const where =
    entry.depth === 0
      ? `its own licence is ${describeLicence(entry)}`
      : `it inherits ${describeLicence(entry)} from base model ${entry.repo} (${entry.path.join(" → ")})`;
  return `${opening}: ${where}; rule: ${describeRule(rule)}`;
}

/**
 * Decides what the licence policy says of an action on a model: the instance's policy refined by the
 * organisation's, applied to every licence of the model's `base_model` chain; the strictest action wins,
 * and of equal ones the model nearest to the one acted on. Never throws for a refusal: see `enforceLicence`.
 * This is the function the registry's promotion gate calls (with `point: "promotion"`).
 */
export async function decideLicence(hub: HubScope, params: DecideLicenceParams): Promise<LicenceDecision> {
  return decideUnder(hub, params, await policiesFor(hub, params));
}

type Policies = Awaited<ReturnType<typeof loadPolicies>>;

function policiesFor(hub: HubScope, params: DecideLicenceParams): Promise<Policies> {
  return loadPolicies(hub, params.org ?? params.model.repo.split("/")[0]);
}

function enforcedAt(policies: Policies, point: EnforcementPoint): boolean {
  return policies.instance.enforce.includes(point) || (policies.org?.policy.enforce.includes(point) ?? false);
}

async function decideUnder(
  hub: HubScope,
  params: DecideLicenceParams,
  policies: Policies,
): Promise<LicenceDecision> {
  const effective = await resolveEffectiveLicence(params.model, catalogLookup(hub, params.caller));
  const visible = visibleLicence(effective);
  let decided: { entry: ChainEntry; rule: LicenceRule } | undefined;
  effective.chain.forEach((entry, index) => {
    const rule = entryRule(entry, policies.instance, policies.org);
    if (rule && actionRank(rule.action) > actionRank(decided?.rule.action ?? "allow")) {
      decided = { entry: visible.chain[index]!, rule };
    }
  });
  const enforced = enforcedAt(policies, params.point);
  const ruleAction = decided?.rule.action ?? "allow";
  const entry = decided?.entry ?? strictestOf(visible.chain);
  return {
    point: params.point,
    enforced,
    action: enforced ? ruleAction : "allow",
    ruleAction,
    effective: visible,
    decidedBy: { repo: entry.repo, license: entry.license, category: entry.category, path: entry.path },
    rule: decided?.rule ?? null,
    message: decided ? decisionMessage(params.point, params.model, decided.entry, decided.rule) : null,
  };
}

/**
 * `decideLicence` where the policy is enforced: a `deny` throws HANGAR_ERR_LICENCE_DENIED (403) with the
 * message and the decision in the error's details; a `review` lets the action through and gives the
 * message as a warning (the `X-Hangar-Warning` header of an HTTP response). Returns the decision, or null
 * where the policy is not enforced at this point (nothing was checked).
 */
export async function enforceLicence(
  hub: HubScope,
  params: DecideLicenceParams,
): Promise<LicenceDecision | null> {
  const policies = await policiesFor(hub, params);
  // Where nothing is enforced (the default) an action costs one indexed read, not a walk of the chain.
  if (!enforcedAt(policies, params.point)) return null;
  const decision = await decideUnder(hub, params, policies);
  if (decision.action === "deny") {
    throw new HangarError("HANGAR_ERR_LICENCE_DENIED", decision.message!, {
      details: {
        licence: {
          point: decision.point,
          license: decision.decidedBy.license,
          category: decision.decidedBy.category,
          source: decision.decidedBy.repo,
          path: decision.decidedBy.path,
          rule: decision.rule,
        },
      },
    });
  }
  if (decision.action === "review") addWarning(decision.message!);
  return decision;
}
