import { DEFAULT_BRANCH, type RefKind, type Repo } from "../../core/types.ts";
import type { GitRefs } from "../../git/refs.ts";
import type { HubScope } from "../hub.ts";

const PREFIX: Record<RefKind, string> = { branch: "refs/heads/", tag: "refs/tags/", pr: "refs/pr/" };

/** The refs a git client sees for a repo. */
export async function listGitRefs(hub: HubScope, repo: Repo): Promise<GitRefs> {
  const rows = await hub.catalog.commits.listRefs(repo.pk);
  const refs = rows
    .map((row) => ({ name: `${PREFIX[row.kind]}${row.name}`, oid: row.commitOid }))
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const target = `${PREFIX.branch}${DEFAULT_BRANCH}`;
  const oid = refs.find((ref) => ref.name === target)?.oid;
  return { head: oid ? { target, oid } : { target }, refs };
}
