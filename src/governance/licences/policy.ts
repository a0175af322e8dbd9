import { badRequest } from "../../core/errors.ts";
import {
  KNOWN_LICENSES,
  LICENSE_CATEGORIES,
  type LicenseCategory,
  normalizeLicense,
} from "../../hub/metadata/licenses.ts";

/** What a rule says about a licence: let it through, let it through with a warning, or refuse. */
export const POLICY_ACTIONS = ["allow", "review", "deny"] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/**
 * Where a policy is enforced, as the admin chooses: `pull` (pulls and mirrors from the upstream, including
 * pull-through), `inference` (every local inference call), `promotion` (the registry's gate, which calls
 * `decideLicence`).
 */
export const ENFORCEMENT_POINTS = ["pull", "inference", "promotion"] as const;
export type EnforcementPoint = (typeof ENFORCEMENT_POINTS)[number];

/**
 * One scope's licence policy. Within a scope a rule for the licence id beats the rule for its category;
 * a licence no rule names is allowed. An organisation's policy refines the instance's: it may add
 * enforcement points and make decisions stricter, never looser (see `combineDecisions`).
 */
export interface LicencePolicy {
  enforce: EnforcementPoint[];
  categories: Partial<Record<LicenseCategory, PolicyAction>>;
  /** Rules by Hub licence id (normalised: `Apache 2.0` is stored as `apache-2.0`). */
  licenses: Record<string, PolicyAction>;
}

export const EMPTY_POLICY: LicencePolicy = { enforce: [], categories: {}, licenses: {} };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function actionOf(value: unknown, field: string): PolicyAction {
  if (typeof value !== "string" || !(POLICY_ACTIONS as readonly string[]).includes(value)) {
    throw badRequest(`${field} must be one of ${POLICY_ACTIONS.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value as PolicyAction;
}

/** A licence id a rule may name: one of the vocabulary's (after normalisation), or a bad request naming it. */
export function knownLicenseId(value: string, field: string): string {
  const id = normalizeLicense(value);
  if (id === null || !KNOWN_LICENSES.includes(id)) {
    throw badRequest(
      `${field}: "${value}" is not a licence id Hangar knows; GET /v1/licenses or \`hangar policy show --licenses\` lists them`,
    );
  }
  return id;
}

export function knownCategory(value: string, field: string): LicenseCategory {
  if (!(LICENSE_CATEGORIES as readonly string[]).includes(value)) {
    throw badRequest(
      `${field}: "${value}" is not a licence category; categories: ${LICENSE_CATEGORIES.join(", ")}`,
    );
  }
  return value as LicenseCategory;
}

/**
 * A policy from JSON (an API body, a stored row), every field checked with a message naming it. Absent
 * fields are empty; unknown fields are refused.
 */
export function parsePolicy(value: unknown): LicencePolicy {
  if (!isRecord(value)) {
    throw badRequest(
      'The policy must be a JSON object: {"enforce": [...], "categories": {...}, "licenses": {...}}',
    );
  }
  const unknown = Object.keys(value).filter((key) => !["enforce", "categories", "licenses"].includes(key));
  if (unknown.length > 0) {
    throw badRequest(
      `Unknown policy field ${unknown.map((key) => `"${key}"`).join(", ")}: valid ones are enforce, categories, licenses`,
    );
  }
  const policy: LicencePolicy = { enforce: [], categories: {}, licenses: {} };
  if (value.enforce !== undefined) {
    if (!Array.isArray(value.enforce))
      throw badRequest(`"enforce" must be a list of ${ENFORCEMENT_POINTS.join(", ")}`);
    for (const point of value.enforce) {
      if (typeof point !== "string" || !(ENFORCEMENT_POINTS as readonly string[]).includes(point)) {
        throw badRequest(
          `"enforce" holds ${JSON.stringify(point)}: enforcement points are ${ENFORCEMENT_POINTS.join(", ")}`,
        );
      }
      if (!policy.enforce.includes(point as EnforcementPoint)) policy.enforce.push(point as EnforcementPoint);
    }
  }
  for (const [field, target] of [
    ["categories", "category"],
    ["licenses", "license"],
  ] as const) {
    const rules = value[field];
    if (rules === undefined) continue;
    if (!isRecord(rules))
      throw badRequest(`"${field}" must be an object of ${target} → allow, review or deny`);
    for (const [key, action] of Object.entries(rules)) {
      const name = `"${field}.${key}"`;
      if (field === "categories") policy.categories[knownCategory(key, name)] = actionOf(action, name);
      else policy.licenses[knownLicenseId(key, name)] = actionOf(action, name);
    }
  }
  return policy;
}

/** The rule of one scope that decides a licence: the licence id's, else its category's, else none. */
export interface ScopeRule {
  kind: "license" | "category";
  key: string;
  action: PolicyAction;
}

export function ruleFor(
  policy: LicencePolicy,
  license: string | null,
  category: LicenseCategory,
): ScopeRule | undefined {
  const byId = license === null ? undefined : policy.licenses[license];
  if (byId) return { kind: "license", key: license!, action: byId };
  const byCategory = policy.categories[category];
  return byCategory ? { kind: "category", key: category, action: byCategory } : undefined;
}

export function actionRank(action: PolicyAction): number {
  return POLICY_ACTIONS.indexOf(action);
}
