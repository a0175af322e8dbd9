import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import { parseRepoType } from "../../core/validate.ts";
import { pullRepo } from "../../hub/mirror/pull-repo.ts";
import { fileFilterOptions, listOption } from "../client/cli-options.ts";
import type { Command } from "../command.ts";
import { formatBytes, ProgressBar } from "../progress.ts";
import { expectPositionals, withLocalHome, writeJson } from "./local-home.ts";

/** `ns/name@rev`: the revision is what follows the last `@` (repo names cannot hold one). */
export function splitRepoRevision(spec: string): { repo: string; revision?: string } {
  const at = spec.lastIndexOf("@");
  if (at === -1) return { repo: spec };
  const revision = spec.slice(at + 1);
  if (!revision) throw badRequest(`"${spec}" names no revision after @`);
  return { repo: spec.slice(0, at), revision };
}

export const pullCommand: Command = {
  name: ["pull"],
  summary: "Copy a repo from the upstream hub (HF_ENDPOINT, HF_TOKEN) with its commit id, files and metadata",
  usage: "<repo_id>[@revision]",
  usesHome: true,
  options: {
    type: { type: "string", description: "model, dataset or space (default model)", valueName: "TYPE" },
    ...fileFilterOptions("Pull"),
  },
  async run(input) {
    const { positionals, values, config, json, stdout, stderr } = input;
    const [spec] = expectPositionals(positionals, 1, "<repo_id>[@revision]");
    const { repo, revision } = splitRepoRevision(spec!);
    const type = parseRepoType(values.type as string | undefined);
    const include = listOption(input, "include");
    const exclude = listOption(input, "exclude");
    await withLocalHome(config, async (hangar) => {
      const bar = new ProgressBar(stderr, `Pulling ${repo}`);
      const result = await pullRepo(hangar, {
        repo,
        type,
        ...(revision ? { revision } : {}),
        include,
        exclude,
        onProgress: (state) =>
          bar.update(
            state.bytesDone,
            state.bytesTotal,
            `${state.filesDone}/${countNoun(state.filesTotal, "file")}, ${formatBytes(state.bytesDone)}/${formatBytes(state.bytesTotal)}`,
          ),
      }).finally(() => bar.finish());
      if (json) {
        writeJson(stdout, { ...result, upstream: config.upstream.endpoint });
        return;
      }
      const where = `${result.type} ${result.repo}@${result.commit.slice(0, 12)}`;
      const fetched =
        result.filesDownloaded === 0
          ? "nothing downloaded, every file was already here"
          : `downloaded ${countNoun(result.filesDownloaded, "file")} (${formatBytes(result.bytesDownloaded)})`;
      stdout.write(
        `Pulled ${where} from ${config.upstream.endpoint}: ${countNoun(result.files, "file")}, ${formatBytes(result.bytes)}; ${fetched}\n`,
      );
      if (result.refs.length > 0) stdout.write(`Refs: ${result.refs.join(", ")}\n`);
      if (result.partial) {
        stdout.write(
          `Partial mirror: ${result.files} of the upstream's ${countNoun(result.upstreamFiles, "file")} (pull again without --include/--exclude for all)\n`,
        );
      }
    });
  },
};
