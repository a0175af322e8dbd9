import { parseRepoId, parseRepoType } from "../../core/validate.ts";
import { type SyncEntry, syncFromUpstream } from "../../hub/mirror/sync-from-upstream.ts";
import type { Command } from "../command.ts";
import { withLocalHome, writeJson, writeTable } from "./local-home.ts";

export const syncCommand: Command = {
  name: ["sync"],
  summary:
    "Refresh upstream-only catalog entries and mirrored repos from the upstream hub (with its downloads and likes); pull mirrors whose upstream moved",
  usage: "[repo_id...]",
  usesHome: true,
  options: {
    type: {
      type: "string",
      description: "Type of the repo ids given (default model)",
      valueName: "TYPE",
    },
    "no-pull": {
      type: "boolean",
      description: "Only report mirrors whose upstream moved (status behind) instead of pulling them",
    },
  },
  async run({ positionals, values, config, json, stdout, stderr }) {
    const type = parseRepoType(values.type as string | undefined);
    const repos = positionals.map((id) => parseRepoId(id, type));
    const entries = await withLocalHome(config, (hangar) =>
      syncFromUpstream(hangar, {
        ...(repos.length > 0 ? { repos } : {}),
        pull: !values["no-pull"],
        ...(json || !stderr.isTTY
          ? {}
          : { onEntry: (entry: SyncEntry) => stderr.write(`${entry.status} ${entry.repo}\r`) }),
      }),
    );
    if (!json && stderr.isTTY) stderr.write("\x1b[K");
    if (json) {
      writeJson(stdout, { upstream: config.upstream.endpoint, repos: entries });
      return;
    }
    writeTable(
      stdout,
      ["REPO", "TYPE", "KIND", "STATUS", "UPSTREAM", "DOWNLOADS", "LIKES", "NOTE"],
      entries.map((entry) => [
        entry.repo,
        entry.type,
        entry.kind,
        entry.status,
        entry.upstreamSha?.slice(0, 12) ?? "",
        entry.upstreamDownloads?.toString() ?? "",
        entry.upstreamLikes?.toString() ?? "",
        entry.message ?? (entry.previousSha ? `was ${entry.previousSha.slice(0, 12)}` : ""),
      ]),
      `Nothing to sync: no upstream-only entries or mirrored repos (upstream ${config.upstream.endpoint})`,
    );
  },
};
