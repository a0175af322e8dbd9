import type { RefRow } from "../../core/catalog-types.ts";
import type { ListCommitsResult } from "../../hub/read/list-commits.ts";
import type { RepoRefs } from "../../hub/read/list-refs.ts";

export interface ApiGitRef {
  name: string;
  ref: string;
  targetCommit: string;
}

export interface ApiGitRefs {
  branches: ApiGitRef[];
  tags: ApiGitRef[];
  converts: ApiGitRef[];
  pullRequests?: ApiGitRef[];
}

export interface ApiCommit {
  id: string;
  title: string;
  message: string;
  date: string;
  authors: Array<{ user: string; avatar: string }>;
}

function toApiGitRef(ref: RefRow): ApiGitRef {
  switch (ref.kind) {
    case "branch":
      return { name: ref.name, ref: `refs/heads/${ref.name}`, targetCommit: ref.commitOid };
    case "tag":
      return { name: ref.name, ref: `refs/tags/${ref.name}`, targetCommit: ref.commitOid };
    case "pr":
      return { name: `refs/pr/${ref.name}`, ref: `refs/pr/${ref.name}`, targetCommit: ref.commitOid };
  }
}

export function toApiGitRefs(refs: RepoRefs): ApiGitRefs {
  return {
    branches: refs.branches.map(toApiGitRef),
    tags: refs.tags.map(toApiGitRef),
    // Hangar makes no conversion refs, but Python reads this key unconditionally.
    converts: [],
    ...(refs.pullRequests ? { pullRequests: refs.pullRequests.map(toApiGitRef) } : {}),
  };
}

/** The Hub's `message` is the commit description: the stored message without its title line. */
export function toApiCommits(result: ListCommitsResult, baseUrl: string): ApiCommit[] {
  return result.commits.map((commit) => ({
    id: commit.oid,
    title: commit.title,
    message: commit.message.startsWith(commit.title)
      ? commit.message.slice(commit.title.length).replace(/^\n+/, "")
      : commit.message,
    date: commit.date,
    authors: [{ user: commit.author, avatar: `${baseUrl}/avatars/${encodeURIComponent(commit.author)}` }],
  }));
}
