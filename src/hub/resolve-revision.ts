import type { StoredCommit } from "../core/catalog-types.ts";
import { HangarError } from "../core/errors.ts";
import { DEFAULT_BRANCH, type RefKind, type Repo } from "../core/types.ts";
import { isCommitId } from "../core/validate.ts";
import type { HubScope } from "./hub.ts";

export interface ResolvedRevision {
  commit: StoredCommit;
  /** The ref the revision named, when it named one (a commit id names none). */
  ref?: { kind: RefKind; name: string };
}

/** Splits `refs/heads/x`, `refs/tags/x` and `refs/pr/N` into a ref; plain names are left to lookup order. */
export function parseRefName(revision: string): { kind: RefKind; name: string } | undefined {
  const match = /^refs\/(heads|tags|pr)\/(.+)$/.exec(revision);
  if (!match) return undefined;
  const kind: RefKind = match[1] === "heads" ? "branch" : match[1] === "tags" ? "tag" : "pr";
  return { kind, name: match[2]! };
}

export function revisionNotFound(repo: Repo, revision: string): HangarError {
  return new HangarError("HANGAR_ERR_REVISION_NOT_FOUND", `Invalid rev id: ${revision}`, {
    details: { repo: repo.id },
  });
}

/**
 * Resolves a revision as the Hub does: `HEAD` is the default branch, a 40-hex id is a commit, then a branch,
 * then a tag; `refs/heads/x`, `refs/tags/x` and `refs/pr/N` name a ref explicitly. An id a commit had before
 * Hangar's ids became git's still names it, and the commit resolved carries its id now.
 */
export async function resolveRevision(
  hub: HubScope,
  repo: Repo,
  revision: string,
): Promise<ResolvedRevision> {
  const commits = hub.catalog.commits;
  const named =
    revision === "HEAD" ? { kind: "branch" as const, name: DEFAULT_BRANCH } : parseRefName(revision);
  if (named) {
    const ref = await commits.getRef(repo.pk, named.kind, named.name);
    const commit = ref && (await commits.getCommit(repo.pk, ref.commitOid));
    if (!commit) throw revisionNotFound(repo, revision);
    return { commit, ref: named };
  }
  if (isCommitId(revision)) {
    const aliased = async (): Promise<StoredCommit | undefined> => {
      const oid = await commits.resolveCommitAlias(repo.pk, revision);
      return oid === undefined ? undefined : await commits.getCommit(repo.pk, oid);
    };
    const commit = (await commits.getCommit(repo.pk, revision)) ?? (await aliased());
    if (commit) return { commit };
  }
  for (const kind of ["branch", "tag"] as const) {
    const ref = await commits.getRef(repo.pk, kind, revision);
    const commit = ref && (await commits.getCommit(repo.pk, ref.commitOid));
    if (commit) return { commit, ref: { kind, name: revision } };
  }
  throw revisionNotFound(repo, revision);
}

/** The commits reachable from a commit by first parents, newest first. */
export async function* walkHistory(
  hub: HubScope,
  repo: Repo,
  start: StoredCommit,
): AsyncGenerator<StoredCommit> {
  let current: StoredCommit | undefined = start;
  while (current) {
    yield current;
    const parent: string | undefined = current.parents[0];
    current = parent ? await hub.catalog.commits.getCommit(repo.pk, parent) : undefined;
  }
}
