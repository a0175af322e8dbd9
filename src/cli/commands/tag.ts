import {
  REPO_OPTIONS,
  rejectExtraPositionals,
  requiredPositional,
  stringOption,
  targetOf,
} from "../client/cli-options.ts";
import { withClientErrors } from "../client/hub-client.ts";
import { createTagOnHub } from "../client/repos-and-refs.ts";
import type { Command } from "../command.ts";
import { refDeleteCommand, refListCommand } from "./ref-commands.ts";

export const tagCreateCommand: Command = {
  name: ["tag", "create"],
  summary: "Tag a revision of a repo",
  usage: "<repo_id> <tag>",
  options: {
    ...REPO_OPTIONS,
    revision: {
      type: "string",
      description: "Branch, tag or commit to tag (default: main)",
      valueName: "REV",
    },
    message: { type: "string", short: "m", description: "Tag message", valueName: "TEXT" },
    "exist-ok": { type: "boolean", description: "Succeed if the tag already exists" },
  },
  async run(input) {
    rejectExtraPositionals(input, 2);
    const tag = requiredPositional(input, 1, "<tag>");
    const target = targetOf(input);
    const revision = stringOption(input, "revision") ?? "main";
    const message = stringOption(input, "message");
    await withClientErrors(target, () =>
      createTagOnHub(target, {
        tag,
        revision,
        ...(message ? { message } : {}),
        existOk: Boolean(input.values["exist-ok"]),
      }),
    );
    input.stdout.write(
      input.json
        ? `${JSON.stringify({ id: target.id, tag, revision })}\n`
        : `Tagged ${revision} of ${target.id} as ${tag}\n`,
    );
  },
};

export const tagDeleteCommand: Command = refDeleteCommand("tag");

export const tagListCommand: Command = refListCommand("tag");
