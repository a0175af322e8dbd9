import { REPO_OPTIONS, rejectExtraPositionals, requiredPositional, targetOf } from "../client/cli-options.ts";
import type { HubTarget } from "../client/hub-client.ts";
import { withClientErrors } from "../client/hub-client.ts";
import { deleteBranchOnHub, deleteTagOnHub, listRefs } from "../client/repos-and-refs.ts";
import type { Command } from "../command.ts";

/** Branches and tags are deleted and listed the same way; only the word, the call and the list differ. */
export type RefKind = "branch" | "tag";

const REF_KINDS: Record<
  RefKind,
  { plural: "branches" | "tags"; remove: (target: HubTarget, name: string) => Promise<void> }
> = {
  branch: { plural: "branches", remove: deleteBranchOnHub },
  tag: { plural: "tags", remove: deleteTagOnHub },
};

/** `<kind> delete <repo_id> <name>`. */
export function refDeleteCommand(kind: RefKind): Command {
  return {
    name: [kind, "delete"],
    summary: `Delete a ${kind} of a repo`,
    usage: `<repo_id> <${kind}>`,
    options: REPO_OPTIONS,
    async run(input) {
      rejectExtraPositionals(input, 2);
      const name = requiredPositional(input, 1, `<${kind}>`);
      const target = targetOf(input);
      await withClientErrors(target, () => REF_KINDS[kind].remove(target, name));
      input.stdout.write(
        input.json
          ? `${JSON.stringify({ id: target.id, [kind]: name, deleted: true })}\n`
          : `Deleted ${kind} ${name} of ${target.id}\n`,
      );
    },
  };
}

/** `<kind> list <repo_id>`: one `<commit>  <name>` line per ref, or `[{name, targetCommit}]` with --json. */
export function refListCommand(kind: RefKind): Command {
  const { plural } = REF_KINDS[kind];
  return {
    name: [kind, "list"],
    summary: `List a repo's ${plural} and the commit each points to`,
    usage: "<repo_id>",
    options: REPO_OPTIONS,
    async run(input) {
      rejectExtraPositionals(input, 1);
      const target = targetOf(input);
      const refs = (await withClientErrors(target, () => listRefs(target)))[plural];
      if (input.json) {
        input.stdout.write(
          `${JSON.stringify(refs.map(({ name, targetCommit }) => ({ name, targetCommit })))}\n`,
        );
        return;
      }
      for (const ref of refs) input.stdout.write(`${ref.targetCommit.slice(0, 12)}  ${ref.name}\n`);
    },
  };
}
