import assert from "node:assert/strict";
import { HangarError } from "../../src/core/errors.ts";
import { addOrgMember, createOrg } from "../../src/hub/accounts/manage-accounts.ts";
import { importFiles, startTestHangar, type TestHangar } from "./test-hangar.ts";
import { tinyClassifierFiles } from "./tiny-models.ts";

/** A card with a licence and (optionally) base models, as README.md text. */
export function card(license: string, baseModels: string[] = []): string {
  const bases =
    baseModels.length > 0 ? `base_model:\n${baseModels.map((base) => `- ${base}`).join("\n")}\n` : "";
  return `---\nlicense: ${license}\n${bases}pipeline_tag: text-classification\nlibrary_name: transformers.js\n---\n# Model\n`;
}

/** The tiny classifier (runs locally) under another card. */
function classifier(license: string, baseModels: string[] = []): Record<string, string | Uint8Array> {
  return { ...tinyClassifierFiles(), "README.md": card(license, baseModels) };
}

/** The fields the tests read of the API's answers (policies, licences, errors, the OpenAPI document). */
export interface ApiBody {
  code?: string;
  error: string;
  licence?: Record<string, unknown>;
  org?: string;
  model?: string;
  updatedBy?: string | null;
  policy: { enforce: string[]; categories: Record<string, string>; licenses: Record<string, string> };
  effective: { license: string | null; source: string; path: string[] };
  decisions: Record<
    "pull" | "inference" | "promotion",
    { action: string; ruleAction: string; enforced: boolean }
  >;
  licenses: Array<{ id: string }>;
  paths: Record<string, Record<string, unknown> | undefined>;
}

/** The HangarError `promise` rejects with. */
export async function failure(promise: Promise<unknown>): Promise<HangarError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(HangarError.isInstance(error), `expected a HangarError, got ${String(error)}`);
    return error;
  }
  assert.fail("the action succeeded");
}

/**
 * A hub with users alice and bob, the organisation acme (bob a member, alice an admin), and tiny classifiers
 * under several licences, among them a two-level chain: team/tuned (mit) → team/mid (apache-2.0) → team/root
 * (cc-by-nc-4.0).
 */
export async function startLicenceHub(): Promise<{ hub: TestHangar; tokens: Record<string, string> }> {
  const hub = await startTestHangar();
  const tokens: Record<string, string> = {};
  tokens.alice = await hub.addUser("alice");
  tokens.bob = await hub.addUser("bob");
  await createOrg(hub.hangar, { name: "acme", members: ["bob"] });
  await addOrgMember(hub.hangar, { org: "acme", user: "alice", role: "admin" });
  // A two-level chain: team/tuned (mit) → team/mid (apache-2.0) → team/root (cc-by-nc-4.0).
  await importFiles(hub.hangar, "team/root", classifier("cc-by-nc-4.0"));
  await importFiles(hub.hangar, "team/mid", classifier("apache-2.0", ["team/root"]));
  await importFiles(hub.hangar, "team/tuned", classifier("mit", ["team/mid"]));
  await importFiles(hub.hangar, "team/free", classifier("apache-2.0"));
  await importFiles(hub.hangar, "team/gpl", classifier("gpl-3.0"));
  await importFiles(hub.hangar, "acme/gpl", classifier("gpl-3.0"));
  await importFiles(hub.hangar, "acme/nc", classifier("cc-by-nc-4.0"));
  return { hub, tokens };
}

/** Calls on the hub `hubOf` returns (read at each call): the JSON API, setting a policy, and inference. */
export function policyApi(hubOf: () => TestHangar) {
  const api = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${hubOf().url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as ApiBody,
    };
  };
  const setPolicy = async (policy: unknown, org?: string) => {
    const result = await api("PUT", `/v1/policy${org ? `?org=${org}` : ""}`, hubOf().adminToken, policy);
    assert.equal(result.status, 200, JSON.stringify(result.body));
  };
  const infer = (model: string) =>
    api("POST", "/v1/inference/text-classification", undefined, { model, inputs: "a good film" });
  return { api, setPolicy, infer };
}
