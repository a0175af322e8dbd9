import { encodeRepo } from "./client-context.ts";
import type { SoakHttp } from "./http.ts";

/** A file an acknowledged commit wrote, with both ids the tree may list it by (git blob id, LFS sha256). */
export interface CommittedFile {
  path: string;
  gitOid: string;
  sha256: string;
}

/** A commit a client got a 200 for. */
export interface AcknowledgedCommit {
  repo: string;
  branch: string;
  oid: string;
  files: CommittedFile[];
}

export interface LostCommit {
  repo: string;
  branch: string;
  oid: string;
  /** Why it counts as lost: not in the branch's history (reachable by id or not), or files missing at the head. */
  reason: string;
}

export interface BranchCheck {
  repo: string;
  branch: string;
  acknowledged: number;
  /** Commits in the branch's history, the repo's first commit included. */
  inHistory: number;
  /**
   * Commits in the history that were there before the load or acknowledged: fewer means lost commits;
   * more means commits landed whose client was told otherwise (or got no answer).
   */
  unaccounted: number;
  lost: LostCommit[];
}

/** Every commit the clients were told had landed, per branch, to check after the load that none is lost. */
export class CommitLog {
  private readonly byBranch = new Map<string, AcknowledgedCommit[]>();

  acknowledge(commit: AcknowledgedCommit): void {
    const key = `${commit.repo}@${commit.branch}`;
    const list = this.byBranch.get(key) ?? [];
    list.push(commit);
    this.byBranch.set(key, list);
  }

  get size(): number {
    let total = 0;
    for (const list of this.byBranch.values()) total += list.length;
    return total;
  }

  /** Acknowledged commits to `repo`'s `branch` (all branches when unset). */
  count(repo: string, branch?: string): number {
    let total = 0;
    for (const list of this.byBranch.values()) {
      total += list.filter((entry) => entry.repo === repo && (!branch || entry.branch === branch)).length;
    }
    return total;
  }

  branches(): AcknowledgedCommit[][] {
    return [...this.byBranch.values()];
  }
}

/** Reads every page of a paginated Hub listing, following `Link: <...>; rel="next"`. */
async function readAllPages<T>(http: SoakHttp, path: string, token: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = path;
  while (next) {
    const answer = await http.send({ path: next, headers: { Authorization: `Bearer ${token}` } });
    if (answer.status !== 200) throw new Error(`GET ${next} answered ${answer.status}: ${answer.text()}`);
    items.push(...answer.json<T[]>());
    const link = String(answer.headers.link ?? "");
    next = /<([^>]+)>;\s*rel="next"/.exec(link)?.[1];
  }
  return items;
}

interface TreeEntry {
  type: string;
  path: string;
  oid: string;
  lfs?: { oid: string };
}

/** How many commits a branch's history holds now. */
export async function historyLength(params: {
  http: SoakHttp;
  token: string;
  repo: string;
  branch: string;
}): Promise<number> {
  const path = `/api/models/${encodeRepo(params.repo)}/commits/${params.branch}`;
  return (await readAllPages(params.http, path, params.token)).length;
}

/**
 * Checks one branch after the load: every acknowledged commit is in the branch's history (read page by page
 * from `/api/models/{id}/commits/{branch}`; one that is not is looked up by id, to say whether it was
 * overwritten or vanished), and every file such a commit wrote is at the branch head with its bytes' id
 * (no commit deleted files, so nothing a later commit did may have removed one).
 */
export async function checkBranch(params: {
  http: SoakHttp;
  token: string;
  commits: AcknowledgedCommit[];
  /** The branch's history length before the load. */
  before: number;
}): Promise<BranchCheck> {
  const { http, token, commits } = params;
  const { repo, branch } = commits[0]!;
  const api = `/api/models/${encodeRepo(repo)}`;
  const history = await readAllPages<{ id: string }>(http, `${api}/commits/${branch}`, token);
  const inHistory = new Set(history.map((entry) => entry.id));
  const reasons = new Map<string, string[]>();
  const addReason = (oid: string, reason: string) => reasons.set(oid, [...(reasons.get(oid) ?? []), reason]);
  for (const commit of commits) {
    if (inHistory.has(commit.oid)) continue;
    const byId = await http.send({
      path: `${api}/revision/${commit.oid}`,
      headers: { Authorization: `Bearer ${token}` },
    });
    addReason(
      commit.oid,
      byId.status === 200
        ? `not in the history of ${branch} (the commit exists: the branch lost it)`
        : `not in the history of ${branch}, and GET revision/${commit.oid} answered ${byId.status}`,
    );
  }
  const entries = await readAllPages<TreeEntry>(http, `${api}/tree/${branch}?recursive=true`, token);
  const atHead = new Map(
    entries.filter((entry) => entry.type === "file").map((entry) => [entry.path, entry]),
  );
  for (const commit of commits) {
    const missing = commit.files.filter((file) => {
      const entry = atHead.get(file.path);
      if (!entry) return true;
      return entry.lfs ? entry.lfs.oid !== file.sha256 : entry.oid !== file.gitOid;
    });
    if (missing.length > 0) {
      addReason(
        commit.oid,
        `${missing.length} of its files are missing or differ at the head of ${branch}: ${missing
          .slice(0, 3)
          .map((file) => file.path)
          .join(", ")}`,
      );
    }
  }
  const lost = [...reasons.entries()].map(([oid, why]) => ({ repo, branch, oid, reason: why.join("; ") }));
  return {
    repo,
    branch,
    acknowledged: commits.length,
    inHistory: history.length,
    unaccounted: history.length - params.before - commits.length,
    lost,
  };
}
