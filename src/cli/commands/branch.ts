import {
  REPO_OPTIONS,
  rejectExtraPositionals,
  requiredPositional,
  stringOption,
  targetOf,
} from "../client/cli-options.ts";
import { withClientErrors } from "../client/hub-client.ts";
import { createBranchOnHub } from "../client/repos-and-refs.ts";
import type { Command } from "../command.ts";
import { refDeleteCommand, refListCommand } from "./ref-commands.ts";

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

export const branchDeleteCommand: Command = refDeleteCommand("branch");

export const branchListCommand: Command = refListCommand("branch");
