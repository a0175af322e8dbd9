import type { StoredCommit } from "../../core/catalog-types.ts";
import type { Repo, TreeFile } from "../../core/types.ts";
import type { DiscussionRow } from "../../store/discussions-table.ts";
import type { HubScope } from "../hub.ts";
import { revisionNotFound } from "../resolve-revision.ts";

/** A file a pull request changes, from the commit it started from to its head. */
export interface PullRequestChange {
  path: string;
  before?: TreeFile;
  after?: TreeFile;
}

export interface PullRequestState {
  /** The head of `refs/pr/N`. */
  head: StoredCommit;
  /** The head of the branch the pull request merges into, as it is now. */
  target: StoredCommit;
  /** The last commit both share (none when their histories are unrelated, after a super-squash say). */
  base?: StoredCommit;
  changes: PullRequestChange[];
  /** Paths the target branch changed since the base in another way than the pull request did. */
  conflicts: string[];
  /** The target branch's files, by path. */
  targetFiles: Map<string, TreeFile>;
}

/** The commits the walk may visit on each side before it gives up and treats the histories as unrelated. */
const MAX_WALK = 100_000;

/**
 * The last commit two histories share: both are walked one commit at a time in turn (breadth first over
 * every parent), so a short pull request on a long branch costs about twice its own length.
 */
async function mergeBase(
  hub: HubScope,
  repo: Repo,
  left: StoredCommit,
  right: StoredCommit,
): Promise<StoredCommit | undefined> {
  const sides = [
    { queue: [left], seen: new Set([left.oid]) },
    { queue: [right], seen: new Set([right.oid]) },
  ];
  for (let steps = 0; steps < MAX_WALK; steps++) {
    let moved = false;
    for (const [index, side] of sides.entries()) {
      const commit = side.queue.shift();
      if (!commit) continue;
      moved = true;
      if (sides[1 - index]!.seen.has(commit.oid)) return commit;
      for (const parentOid of commit.parents) {
        if (side.seen.has(parentOid)) continue;
        side.seen.add(parentOid);
        const parent = await hub.catalog.commits.getCommit(repo.pk, parentOid);
        if (parent) side.queue.push(parent);
      }
    }
    if (!moved) return undefined;
  }
  return undefined;
}

async function filesOf(hub: HubScope, commit: StoredCommit | undefined): Promise<Map<string, TreeFile>> {
  if (!commit) return new Map();
  return new Map((await hub.catalog.commits.listFiles(commit.pk)).map((file) => [file.path, file]));
}

/** What a pull request changes and where it conflicts with its target branch as that branch is now. */
export async function pullRequestState(
  hub: HubScope,
  repo: Repo,
  discussion: DiscussionRow,
): Promise<PullRequestState> {
  const commits = hub.catalog.commits;
  const prRevision = `refs/pr/${discussion.num}`;
  const headRef = await commits.getRef(repo.pk, "pr", String(discussion.num));
  const head = headRef && (await commits.getCommit(repo.pk, headRef.commitOid));
  if (!head) throw revisionNotFound(repo, prRevision);
  const branch = discussion.targetBranch ?? "main";
  const targetRef = await commits.getRef(repo.pk, "branch", branch);
  const target = targetRef && (await commits.getCommit(repo.pk, targetRef.commitOid));
  if (!target) throw revisionNotFound(repo, branch);
  const base = await mergeBase(hub, repo, head, target);
  const [baseFiles, headFiles, targetFiles] = await Promise.all([
    filesOf(hub, base),
    filesOf(hub, head),
    filesOf(hub, target),
  ]);
  const changes: PullRequestChange[] = [];
  const conflicts: string[] = [];
  const paths = [...new Set([...baseFiles.keys(), ...headFiles.keys()])].sort();
  for (const path of paths) {
    const before = baseFiles.get(path);
    const after = headFiles.get(path);
    if (before?.gitOid === after?.gitOid) continue;
    changes.push({ path, ...(before ? { before } : {}), ...(after ? { after } : {}) });
    const now = targetFiles.get(path)?.gitOid;
    if (now !== before?.gitOid && now !== after?.gitOid) conflicts.push(path);
  }
  return { head, target, ...(base ? { base } : {}), changes, conflicts, targetFiles };
}
