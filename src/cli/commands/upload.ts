import { countNoun } from "../../core/count-noun.ts";
import {
  listOption,
  REPO_OPTIONS,
  rejectExtraPositionals,
  requiredPositional,
  stringOption,
  targetOf,
} from "../client/cli-options.ts";
import { repoInfoUrl, withClientErrors } from "../client/hub-client.ts";
import { ensureRepoAndBranch } from "../client/repos-and-refs.ts";
import { collectLocalFiles, type UploadProgress, uploadFiles } from "../client/upload-files.ts";
import type { Command } from "../command.ts";
import { formatBytes, ProgressBar } from "../progress.ts";

/** Committing is one short request: it gets no bar. */
const PHASE_LABELS: Record<Exclude<UploadProgress["phase"], "committing">, string> = {
  checking: "Checking ",
  hashing: "Hashing  ",
  uploading: "Uploading",
};

export const uploadCommand: Command = {
  name: ["upload"],
  summary:
    "Upload a file or folder in one commit, creating the repo if needed; sends only what the hub lacks",
  usage: "<repo_id> <path> [path_in_repo]",
  options: {
    ...REPO_OPTIONS,
    revision: {
      type: "string",
      description: "Branch to commit to, created if missing (default: main)",
      valueName: "BRANCH",
    },
    private: { type: "boolean", description: "Make the repo private if the upload creates it" },
    include: {
      type: "string",
      multiple: true,
      description: "Upload only folder files matching this pattern (repeatable; * ? [abc])",
      valueName: "PATTERN",
    },
    exclude: {
      type: "string",
      multiple: true,
      description: "Skip folder files matching this pattern (repeatable)",
      valueName: "PATTERN",
    },
    "commit-message": { type: "string", description: "Commit title", valueName: "TEXT" },
    "commit-description": { type: "string", description: "Commit description", valueName: "TEXT" },
  },
  async run(input) {
    rejectExtraPositionals(input, 3);
    const localPath = requiredPositional(input, 1, "<path>");
    const target = targetOf(input);
    const files = await collectLocalFiles({
      localPath,
      ...(input.positionals[2] ? { pathInRepo: input.positionals[2] } : {}),
      filter: { include: listOption(input, "include"), exclude: listOption(input, "exclude") },
    });
    if (files.length === 0) throw new Error(`No files to upload in ${localPath}`);
    const revision = stringOption(input, "revision");
    const branch = revision ?? "main";
    const title = stringOption(input, "commit-message");
    const description = stringOption(input, "commit-description");

    const createdRepo = await withClientErrors(target, () =>
      ensureRepoAndBranch(target, {
        ...(revision ? { branch: revision } : {}),
        ...(input.values.private ? { private: true } : {}),
      }),
    );
    if (createdRepo && !input.json) {
      input.stdout.write(`Created ${target.type} ${target.id} (${repoInfoUrl(target)})\n`);
    }

    let bar: ProgressBar | undefined;
    let phase: UploadProgress["phase"] | undefined;
    const result = await withClientErrors(target, () =>
      uploadFiles({
        target,
        files,
        branch,
        ...(title ? { title } : {}),
        ...(description ? { description } : {}),
        onProgress(progress) {
          if (progress.phase !== phase) {
            bar?.finish();
            phase = progress.phase;
            bar =
              progress.phase === "committing"
                ? undefined
                : new ProgressBar(input.stderr, PHASE_LABELS[progress.phase]);
          }
          const detail =
            progress.phase === "checking"
              ? `${progress.doneBytes}/${countNoun(progress.totalBytes, "file")}`
              : `${formatBytes(progress.doneBytes)}/${formatBytes(progress.totalBytes)}`;
          bar?.update(progress.doneBytes, progress.totalBytes, detail);
        },
      }),
    ).finally(() => bar?.finish());

    if (input.json) {
      input.stdout.write(
        `${JSON.stringify({
          commitOid: result.commitOid,
          commitUrl: result.commitUrl,
          committed: result.committed,
          createdRepo,
          uploadedBytes: result.uploadedBytes,
          files: result.changedFiles,
          unchanged: result.unchangedFiles,
        })}\n`,
      );
      return;
    }
    if (!result.committed) {
      const count = result.unchangedFiles.length;
      const what = count === 1 ? "the file is" : `all ${count} files are`;
      input.stdout.write(`Nothing to upload: ${what} already on ${branch} (${result.commitOid})\n`);
      return;
    }
    const unchanged = result.unchangedFiles.length ? `, ${result.unchangedFiles.length} unchanged` : "";
    input.stdout.write(
      `Uploaded ${countNoun(result.changedFiles.length, "file")} (${formatBytes(result.uploadedBytes)} sent${unchanged})\n` +
        `commit ${result.commitOid}\n${repoInfoUrl(target, result.commitOid)}\n`,
    );
  },
};
