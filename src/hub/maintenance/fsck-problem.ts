import type { RepoLocation } from "../../core/catalog-types.ts";
import { repoUrlPrefix } from "../../core/validate.ts";

export type FsckProblemKind =
  | "ref-missing-commit"
  | "commit-missing-parent"
  | "git-object-missing"
  | "git-object-corrupt"
  | "commit-object-mismatch"
  | "blob-missing"
  | "blob-unreadable"
  | "blob-size-mismatch"
  | "blob-corrupt"
  | "git-oid-mismatch"
  | "registry-size-mismatch";

export interface FsckProblem {
  kind: FsckProblemKind;
  /** `ns/name` for models, `datasets/ns/name` and `spaces/ns/name` otherwise. */
  repo?: string;
  ref?: string;
  commit?: string;
  path?: string;
  sha256?: string;
  message: string;
}

export function repoName(location: RepoLocation): string {
  return `${repoUrlPrefix(location.repoType)}${location.namespace}/${location.name}`;
}
