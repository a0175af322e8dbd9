/** Domain types shared by every layer. Wire shapes (`Api*`) live with the server, not here. */

export const REPO_TYPES = ["model", "dataset", "space"] as const;
export type RepoType = (typeof REPO_TYPES)[number];

export type GatedMode = false | "auto" | "manual";
export type TokenRole = "read" | "write" | "admin";
export type RefKind = "branch" | "tag" | "pr";

export interface RepoRef {
  type: RepoType;
  namespace: string;
  name: string;
}

export interface Repo extends RepoRef {
  /** Internal row id; never shown to clients as the repo id. */
  pk: number;
  /** `namespace/name` */
  id: string;
  private: boolean;
  gated: GatedMode;
  disabled: boolean;
  createdAt: string;
  lastModified: string;
  /** Head commit of the default branch, null for an empty repo. */
  sha: string | null;
  downloads: number;
  likes: number;
  trendingScore: number;
  pipelineTag: string | null;
  libraryName: string | null;
  tags: string[];
  /** Bytes of the files at the head of the default branch. */
  usedStorage: number;
  /** Where the entry comes from: a local repo, or an upstream-only catalog entry without files. */
  origin: "local" | "upstream";
}

export interface CommitInfo {
  oid: string;
  parents: string[];
  author: string;
  date: string;
  title: string;
  message: string;
}

export interface TreeFile {
  path: string;
  /** git blob id: sha1 of `blob <size>\0<bytes>` (of the pointer file for LFS files). */
  gitOid: string;
  size: number;
  sha256: string;
  lfs: boolean;
  /** The commit in which the file last changed. */
  lastCommit: string;
}

/** Metadata extracted from a commit's files at commit time, stored with the commit. */
export interface CommitMetadata {
  cardData?: Record<string, unknown>;
  cardText?: string;
  config?: Record<string, unknown>;
  warnings?: string[];
}

export const DEFAULT_BRANCH = "main";

/** Pointer text git-lfs writes in place of a large file. */
export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}
