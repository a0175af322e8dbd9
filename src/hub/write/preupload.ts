import { badRequest } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import { validateRepoPath } from "../../core/validate.ts";
import type { Caller } from "../accounts/principal.ts";
import { getRepoForCommit } from "../discussions/pull-request-access.ts";
import type { HubScope } from "../hub.ts";
import { looksBinary } from "../lfs-policy.ts";
import { resolveRevision } from "../resolve-revision.ts";
import { ignoreRulesFromGitIgnore, lfsRulesFromGitAttributes } from "./git-patterns.ts";

export interface PreuploadFile {
  path: string;
  size: number;
  /** The first bytes of the file (the clients send 512). */
  sample: Uint8Array;
}

export interface PreuploadParams {
  repo: RepoRef;
  revision: string;
  /** The files go to a new pull request (`?create_pr=1`): anyone who may contribute may ask. */
  createPr?: boolean;
  files: PreuploadFile[];
  /** `.gitattributes` content to use instead of the revision's (JS sends it when it uploads one). */
  gitAttributes?: string;
  /** `.gitignore` content to use instead of the revision's (Python sends it when it uploads one). */
  gitIgnore?: string;
}

export interface PreuploadDecision {
  path: string;
  uploadMode: "lfs" | "regular";
  shouldIgnore: boolean;
  /** The stored file's id when it is stored the same way: git sha1 for regular files, sha256 for LFS. */
  oid?: string;
}

/** Largest `.gitattributes` or `.gitignore` read from the repo; the Hub's default one is about 1.5 KB. */
const MAX_RULES_FILE_SIZE = 1024 ** 2;

/**
 * Tells a client how to upload each file: through LFS (large, binary-looking, or matched by an LFS rule in
 * `.gitattributes`) or inline in the commit, and which files `.gitignore` excludes (Python skips those).
 * The oid of the stored file lets clients skip unchanged files.
 */
export async function preupload(
  hub: HubScope,
  caller: Caller,
  params: PreuploadParams,
): Promise<PreuploadDecision[]> {
  const repo = await getRepoForCommit(hub, caller, params.repo, {
    revision: params.revision,
    createPr: params.createPr ?? false,
  });
  const { commit } = await resolveRevision(hub, repo, params.revision);
  const readSmallFile = async (path: string): Promise<string | undefined> => {
    const stored = await hub.catalog.commits.getFile(commit.pk, path);
    if (!stored || stored.lfs || stored.size > MAX_RULES_FILE_SIZE) return undefined;
    return (await hub.blobs.read(stored.sha256)).toString("utf8");
  };
  const lfsRule = lfsRulesFromGitAttributes(
    params.gitAttributes ?? (await readSmallFile(".gitattributes")) ?? "",
  );
  const ignoreText = params.gitIgnore ?? (await readSmallFile(".gitignore"));
  const ignored = ignoreText ? ignoreRulesFromGitIgnore(ignoreText) : () => false;
  const threshold = hub.config.limits.lfsThreshold;

  const decisions: PreuploadDecision[] = [];
  for (const file of params.files) {
    validateRepoPath(file.path);
    if (!Number.isSafeInteger(file.size) || file.size < 0) {
      throw badRequest(`Invalid size for ${file.path}: expected a non-negative integer`);
    }
    const rule = lfsRule(file.path);
    // Large files always go through LFS: they would not fit in a commit body as base64.
    const lfs = file.size > 0 && (file.size >= threshold || (rule ?? looksBinary(file.sample)));
    const decision: PreuploadDecision = {
      path: file.path,
      uploadMode: lfs ? "lfs" : "regular",
      shouldIgnore: ignored(file.path),
    };
    const existing = await hub.catalog.commits.getFile(commit.pk, file.path);
    if (existing && existing.lfs === lfs) decision.oid = lfs ? existing.sha256 : existing.gitOid;
    decisions.push(decision);
  }
  return decisions;
}
