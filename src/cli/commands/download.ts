import { join } from "node:path";
import {
  fileFilterOptions,
  listOption,
  REPO_OPTIONS,
  stringOption,
  targetOf,
} from "../client/cli-options.ts";
import { downloadRepoFiles, hubCacheDir } from "../client/download-to-cache.ts";
import { withClientErrors } from "../client/hub-client.ts";
import type { Command } from "../command.ts";
import { formatBytes, ProgressBar } from "../progress.ts";

export const downloadCommand: Command = {
  name: ["download"],
  summary: "Download a repo's files into the Hugging Face cache (or a folder) and print where they are",
  usage: "<repo_id> [files...]",
  options: {
    ...REPO_OPTIONS,
    revision: { type: "string", description: "Branch, tag or commit (default: main)", valueName: "REV" },
    ...fileFilterOptions("Download"),
    "local-dir": {
      type: "string",
      description: "Write plain files into this folder instead of the cache",
      valueName: "DIR",
    },
    "cache-dir": {
      type: "string",
      description: "Cache folder (default: HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub)",
      valueName: "DIR",
    },
  },
  async run(input) {
    const target = targetOf(input);
    const files = input.positionals.slice(1);
    const localDir = stringOption(input, "local-dir");
    const bar = new ProgressBar(input.stderr, "Downloading");
    const result = await withClientErrors(target, () =>
      downloadRepoFiles({
        target,
        revision: stringOption(input, "revision") ?? "main",
        files,
        filter: { include: listOption(input, "include"), exclude: listOption(input, "exclude") },
        cacheDir: stringOption(input, "cache-dir") ?? hubCacheDir(input.env),
        ...(localDir ? { localDir } : {}),
        onProgress: ({ doneBytes, totalBytes, path }) =>
          bar.update(doneBytes, totalBytes, `${formatBytes(doneBytes)}/${formatBytes(totalBytes)} ${path}`),
      }),
    ).finally(() => bar.finish());
    if (input.json) {
      input.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    if (result.files.length === 0) input.stderr.write("No file matches; nothing was downloaded\n");
    // Like `hf download`: one requested file prints its own path, anything else the folder.
    input.stdout.write(`${files.length === 1 ? join(result.path, result.files[0]!) : result.path}\n`);
  },
};
