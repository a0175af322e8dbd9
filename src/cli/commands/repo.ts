import { badRequest } from "../../core/errors.ts";
import type { GatedMode } from "../../core/types.ts";
import { REPO_OPTIONS, rejectExtraPositionals, stringOption, targetOf } from "../client/cli-options.ts";
import { repoInfoUrl, withClientErrors } from "../client/hub-client.ts";
import {
  createRepoOnHub,
  deleteRepoOnHub,
  type RepoSettings,
  updateRepoSettings,
} from "../client/repos-and-refs.ts";
import type { Command } from "../command.ts";

export const repoCreateCommand: Command = {
  name: ["repo", "create"],
  summary: "Create a repo on a hub",
  usage: "<repo_id>",
  options: {
    ...REPO_OPTIONS,
    private: { type: "boolean", description: "Make the repo private" },
    "exist-ok": { type: "boolean", description: "Succeed if the repo already exists" },
  },
  async run(input) {
    rejectExtraPositionals(input, 1);
    const target = targetOf(input);
    const result = await withClientErrors(target, () =>
      createRepoOnHub(target, {
        ...(input.values.private ? { private: true } : {}),
        existOk: Boolean(input.values["exist-ok"]),
      }),
    );
    input.stdout.write(
      input.json
        ? `${JSON.stringify(result)}\n`
        : `${result.created ? "Created" : "Already exists:"} ${target.type} ${target.id} (${repoInfoUrl(target)})\n`,
    );
  },
};

export const repoDeleteCommand: Command = {
  name: ["repo", "delete"],
  summary: "Delete a repo on a hub, with all its files and history",
  usage: "<repo_id>",
  options: {
    ...REPO_OPTIONS,
    "missing-ok": { type: "boolean", description: "Succeed if the repo does not exist" },
  },
  async run(input) {
    rejectExtraPositionals(input, 1);
    const target = targetOf(input);
    const deleted = await withClientErrors(target, () =>
      deleteRepoOnHub(target, { missingOk: Boolean(input.values["missing-ok"]) }),
    );
    input.stdout.write(
      input.json
        ? `${JSON.stringify({ id: target.id, deleted })}\n`
        : `${deleted ? "Deleted" : "Not found (nothing deleted):"} ${target.id}\n`,
    );
  },
};

function parseGated(value: string): GatedMode {
  if (value === "auto" || value === "manual") return value;
  if (value === "false" || value === "off") return false;
  throw badRequest(`invalid --gated "${value}": expected auto, manual or false`);
}

export const repoSettingsCommand: Command = {
  name: ["repo", "settings"],
  summary: "Change a repo's visibility or gating",
  usage: "<repo_id>",
  options: {
    ...REPO_OPTIONS,
    private: { type: "boolean", description: "Make the repo private" },
    public: { type: "boolean", description: "Make the repo public" },
    gated: { type: "string", description: "Gate access: auto, manual or false", valueName: "MODE" },
  },
  async run(input) {
    rejectExtraPositionals(input, 1);
    if (input.values.private && input.values.public) throw badRequest("--private and --public contradict");
    const gated = stringOption(input, "gated");
    const settings: RepoSettings = {
      ...(input.values.private ? { private: true } : {}),
      ...(input.values.public ? { private: false } : {}),
      ...(gated === undefined ? {} : { gated: parseGated(gated) }),
    };
    if (Object.keys(settings).length === 0)
      throw badRequest("nothing to change: pass --private, --public or --gated");
    const target = targetOf(input);
    await withClientErrors(target, () => updateRepoSettings(target, settings));
    input.stdout.write(
      input.json
        ? `${JSON.stringify({ id: target.id, ...settings })}\n`
        : `Updated ${target.id}: ${describe(settings)}\n`,
    );
  },
};

function describe(settings: RepoSettings): string {
  const parts: string[] = [];
  if (settings.private !== undefined) parts.push(settings.private ? "private" : "public");
  if (settings.gated !== undefined) parts.push(settings.gated ? `gated (${settings.gated})` : "not gated");
  return parts.join(", ");
}
