import { badRequest } from "../../core/errors.ts";
import { ENFORCEMENT_POINTS, type LicencePolicy, POLICY_ACTIONS } from "../../governance/licences/policy.ts";
import {
  getLicencePolicy,
  type PolicyView,
  setLicencePolicy,
} from "../../governance/licences/policy-store.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import { LICENSE_CATEGORIES, LICENSE_TABLE } from "../../hub/metadata/licenses.ts";
import { listOption } from "../client/cli-options.ts";
import type { Command, CommandInput } from "../command.ts";
import { expectPositionals, withLocalHome, writeJson, writeTable } from "./local-home.ts";

const ORG_OPTION = {
  type: "string",
  description:
    "An organisation's policy (it can only make the instance's stricter) instead of the instance's",
  valueName: "ORG",
} as const;

function orgOf(input: CommandInput): { org?: string } {
  const org = input.values.org;
  return typeof org === "string" ? { org } : {};
}

function rulesText(rules: Record<string, string>): string {
  const entries = Object.entries(rules);
  return entries.length === 0 ? "none" : entries.map(([key, action]) => `${key} = ${action}`).join(", ");
}

function writePolicy(stream: NodeJS.WritableStream, view: PolicyView): void {
  const whose = view.scope === "instance" ? "the instance" : `organisation ${view.org}`;
  const set = view.updatedAt ? ` (set by ${view.updatedBy} at ${view.updatedAt})` : " (never set)";
  const { enforce, categories, licenses } = view.policy;
  stream.write(
    `Licence policy of ${whose}${set}\n` +
      `Enforced at: ${enforce.length > 0 ? enforce.join(", ") : "nowhere (the rules below are not applied)"}\n` +
      `Categories: ${rulesText(categories)}\n` +
      `Licences: ${rulesText(licenses)}\n` +
      "Any other licence: allow\n",
  );
}

export const policyShowCommand: Command = {
  name: ["policy", "show"],
  summary: "Show the licence policy of the instance or of an organisation",
  usesHome: true,
  options: {
    org: ORG_OPTION,
    licenses: {
      type: "boolean",
      description: "List the licence ids Hangar knows with their category and commercial use instead",
    },
  },
  async run(input) {
    const { positionals, values, config, json, stdout } = input;
    expectPositionals(positionals, 0, "no arguments");
    if (values.licenses === true) {
      const ids = Object.keys(LICENSE_TABLE).sort();
      if (json) {
        writeJson(stdout, {
          categories: LICENSE_CATEGORIES,
          licenses: ids.map((id) => ({ id, ...LICENSE_TABLE[id]! })),
        });
        return;
      }
      writeTable(
        stdout,
        ["LICENCE", "CATEGORY", "COMMERCIAL USE"],
        ids.map((id) => [id, LICENSE_TABLE[id]!.category, LICENSE_TABLE[id]!.commercialUse ?? "not judged"]),
        "No licences",
      );
      return;
    }
    const view = await withLocalHome(config, (hangar) =>
      getLicencePolicy(hangar, localAdministrator(), orgOf(input)),
    );
    if (json) writeJson(stdout, view);
    else writePolicy(stdout, view);
  },
};

/** `KEY=ACTION` pairs into a rules object; `KEY=default` removes the key's rule. */
function applyRules(target: Record<string, string>, pairs: string[], flag: string): void {
  for (const pair of pairs) {
    const at = pair.lastIndexOf("=");
    const key = pair.slice(0, at);
    const action = pair.slice(at + 1);
    if (at <= 0 || !([...POLICY_ACTIONS, "default"] as string[]).includes(action)) {
      throw badRequest(
        `--${flag} takes NAME=ACTION with ACTION one of ${POLICY_ACTIONS.join(", ")} or default, got "${pair}"`,
      );
    }
    if (action === "default") delete target[key];
    else target[key] = action;
  }
}

export const policySetCommand: Command = {
  name: ["policy", "set"],
  summary:
    "Change the licence policy of the instance or of an organisation (rules given are changed, others kept)",
  usesHome: true,
  options: {
    org: ORG_OPTION,
    enforce: {
      type: "string",
      description: `Where the policy applies, comma-separated: ${ENFORCEMENT_POINTS.join(", ")}, or none`,
      valueName: "POINTS",
    },
    category: {
      type: "string",
      multiple: true,
      description: `A category's rule, e.g. non-commercial=deny (categories: ${LICENSE_CATEGORIES.join(", ")}); =default removes it`,
      valueName: "CATEGORY=ACTION",
    },
    license: {
      type: "string",
      multiple: true,
      description: "A licence id's rule, beating its category's, e.g. gpl-3.0=review; =default removes it",
      valueName: "ID=ACTION",
    },
    reset: {
      type: "boolean",
      description: "Start from an empty policy (everything allowed, enforced nowhere)",
    },
  },
  async run(input) {
    const { positionals, values, config, json, stdout } = input;
    expectPositionals(positionals, 0, "no arguments");
    const categories = listOption(input, "category");
    const licenses = listOption(input, "license");
    if (
      typeof values.enforce !== "string" &&
      categories.length === 0 &&
      licenses.length === 0 &&
      values.reset !== true
    ) {
      throw badRequest("Nothing to change: give --enforce, --category, --license or --reset");
    }
    const view = await withLocalHome(config, async (hangar) => {
      const admin = localAdministrator();
      const current =
        values.reset === true ? undefined : (await getLicencePolicy(hangar, admin, orgOf(input))).policy;
      const next: LicencePolicy = {
        enforce: [...(current?.enforce ?? [])],
        categories: { ...current?.categories },
        licenses: { ...current?.licenses },
      };
      if (typeof values.enforce === "string") {
        const points = values.enforce
          .split(",")
          .map((point) => point.trim())
          .filter(Boolean);
        next.enforce = (
          points.length === 1 && points[0] === "none" ? [] : points
        ) as LicencePolicy["enforce"];
      }
      applyRules(next.categories as Record<string, string>, categories, "category");
      applyRules(next.licenses, licenses, "license");
      return setLicencePolicy(hangar, admin, { ...orgOf(input), policy: next });
    });
    if (json) writeJson(stdout, view);
    else writePolicy(stdout, view);
  },
};
