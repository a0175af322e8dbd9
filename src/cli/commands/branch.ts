import {
  REPO_OPTIONS,
  rejectExtraPositionals,
  requiredPositional,
  stringOption,
  targetOf,
} from "../client/cli-options.ts";
import { withClientErrors } from "../client/hub-client.ts";
import { createBranchOnHub, deleteBranchOnHub, listRefs } from "../client/repos-and-refs.ts";
import type { Command } from "../command.ts";

export const branchCreateCommand: Command = {
  name: ["branch", "create"],
  summary: "Create a branch in a repo",
  usage: "<repo_id> <branch>",
  options: {
    ...REPO_OPTIONS,
    revision: {
      type: "string",
      description: "Branch, tag or commit to start from (default: the default branch)",
      valueName: "REV",
    },
    "exist-ok": { type: "boolean", description: "Succeed if the branch already exists" },
  },
  async run(input) {
    rejectExtraPositionals(input, 2);
    const branch = requiredPositional(input, 1, "<branch>");
    const target = targetOf(input);
    const revision = stringOption(input, "revision");
    await withClientErrors(target, () =>
      createBranchOnHub(target, {
        branch,
        ...(revision ? { revision } : {}),
        existOk: Boolean(input.values["exist-ok"]),
      }),
    );
    input.stdout.write(
      input.json
        ? `${JSON.stringify({ id: target.id, branch })}\n`
        : `Created branch ${branch} in ${target.id}\n`,
    );
  },
};

export const branchDeleteCommand: Command = {
  name: ["branch", "delete"],
  summary: "Delete a branch of a repo",
  usage: "<repo_id> <branch>",
  options: REPO_OPTIONS,
  async run(input) {
    rejectExtraPositionals(input, 2);
    const branch = requiredPositional(input, 1, "<branch>");
    const target = targetOf(input);
    await withClientErrors(target, () => deleteBranchOnHub(target, branch));
    input.stdout.write(
      input.json
        ? `${JSON.stringify({ id: target.id, branch, deleted: true })}\n`
        : `Deleted branch ${branch} of ${target.id}\n`,
    );
  },
};

export const branchListCommand: Command = {
  name: ["branch", "list"],
  summary: "List a repo's branches and the commit each points to",
  usage: "<repo_id>",
  options: REPO_OPTIONS,
  async run(input) {
    rejectExtraPositionals(input, 1);
    const target = targetOf(input);
    const { branches } = await withClientErrors(target, () => listRefs(target));
    if (input.json) {
      input.stdout.write(
        `${JSON.stringify(branches.map(({ name, targetCommit }) => ({ name, targetCommit })))}\n`,
      );
      return;
    }
    for (const branch of branches)
      input.stdout.write(`${branch.targetCommit.slice(0, 12)}  ${branch.name}\n`);
  },
};
