import { DEFAULT_BRANCH, type RefKind, type Repo } from "../../core/types.ts";
import type { HubScope } from "../hub.ts";

export interface GitRef {
  name: string;
  oid: string;
}

export interface GitRefs {
  /** HEAD: the default branch, by the ref it points at (set even when the branch does not exist yet). */
  head: { target: string; oid?: string };
  /** Branches, tags and pull requests, by full ref name in byte order (as git lists them). */
  refs: GitRef[];
}

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
