import { stat } from "node:fs/promises";
import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import { DEFAULT_BRANCH } from "../../core/types.ts";
import { parseRepoId, parseRepoType } from "../../core/validate.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import { branchNameOf, createBranchIfMissing } from "../../hub/create-branch-if-missing.ts";
import { createRepo } from "../../hub/create-repo.ts";
import { importFolder } from "../../hub/import-folder.ts";
import { repoInfoUrl } from "../client/hub-client.ts";
import type { Command } from "../command.ts";
import { formatBytes, ProgressBar } from "../progress.ts";
import {
  expectPositionals,
  NO_SERVER_HINT,
  runningServerUrl,
  withLocalHome,
  writeJson,
} from "./local-home.ts";

export const importCommand: Command = {
  name: ["import"],
  summary: "Commit a local folder to a repo, creating the repo (and branch) if needed",
  usage: "<dir> <repo_id>",
  usesHome: true,
  options: {
    type: { type: "string", description: "model, dataset or space (default model)", valueName: "TYPE" },
    revision: {
      type: "string",
      description: "Branch to commit to; created from main if missing (default main)",
      valueName: "BRANCH",
    },
    message: { type: "string", description: "Commit message", valueName: "TEXT" },
    private: { type: "boolean", description: "Make the repo private when it is created" },
  },
  async run({ positionals, values, config, json, stdout, stderr }) {
    const [folder, repoId] = expectPositionals(positionals, 2, "<dir> <repo_id>");
    const ref = parseRepoId(repoId!, parseRepoType(values.type as string | undefined));
    const revision = (values.revision as string | undefined) ?? DEFAULT_BRANCH;
    const caller = localAdministrator();
    // Checked before anything is created, so a typo in the folder leaves no empty repo or branch behind.
    const info = await stat(folder!).catch(() => null);
    if (!info?.isDirectory()) throw badRequest(`${folder} is not a folder`);
    if (revision !== DEFAULT_BRANCH) branchNameOf(revision);
    await withLocalHome(config, async (hangar) => {
      let repoCreated = false;
      let branchCreated = false;
      if (revision !== DEFAULT_BRANCH) {
        // The branch must exist before the commit, and a branch needs a repo.
        if (!(await hangar.catalog.repos.get(ref))) {
          await createRepo(hangar, caller, { ...ref, private: Boolean(values.private) });
          repoCreated = true;
        }
        branchCreated = await createBranchIfMissing(hangar, caller, { repo: ref, revision });
      }
      const progress = new ProgressBar(stderr, `Importing ${repoId}`);
      const result = await importFolder(hangar, caller, {
        folder: folder!,
        repo: ref,
        revision,
        ...(typeof values.message === "string" ? { message: values.message } : {}),
        private: Boolean(values.private),
        onProgress: (state) =>
          progress.update(
            state.bytesDone,
            state.bytesTotal,
            `${state.filesDone}/${countNoun(state.filesTotal, "file")}, ${formatBytes(state.bytesDone)}`,
          ),
      });
      progress.finish();
      const server = runningServerUrl(config);
      const url = server
        ? repoInfoUrl(
            { hubUrl: server, type: ref.type, id: `${ref.namespace}/${ref.name}` },
            result.commit.oid,
          )
        : null;
      if (json) {
        writeJson(stdout, {
          repo: `${ref.namespace}/${ref.name}`,
          type: ref.type,
          revision: result.ref.name,
          commit: result.commit.oid,
          created: result.created,
          repoCreated: repoCreated || result.repoCreated,
          branchCreated,
          files: result.files,
          bytes: result.bytes,
          url,
        });
        return;
      }
      const where = `${ref.type} ${ref.namespace}/${ref.name}@${result.ref.name}`;
      if (result.created) {
        stdout.write(
          `Committed ${countNoun(result.files, "file")} (${formatBytes(result.bytes)}) to ${where}${repoCreated || result.repoCreated ? " (new repo)" : branchCreated ? " (new branch)" : ""}\n`,
        );
      } else {
        stdout.write(
          `Nothing changed: ${where} already holds ${result.files === 1 ? "this file" : `these ${countNoun(result.files, "file")}`}\n`,
        );
      }
      stdout.write(`commit ${result.commit.oid}\n${url ?? NO_SERVER_HINT}\n`);
    });
  },
};
