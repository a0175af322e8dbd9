/** A ref as git's protocol names it: full name (`refs/heads/main`) and the commit id it points at. */
export interface GitRef {
  name: string;
  oid: string;
}

/** What a repo advertises to a git client. */
export interface GitRefs {
  /** HEAD: the default branch, by the ref it points at (set even when the branch does not exist yet). */
  head: { target: string; oid?: string };
  /** Branches, tags and pull requests, by full ref name in byte order (as git lists them). */
  refs: GitRef[];
}
