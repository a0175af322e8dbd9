import { createBranch, createRepo, deleteBranch, deleteRepo, HubApiError } from "@huggingface/hub";
import type { GatedMode } from "../../core/types.ts";
import { apiRepoUrl, designation, type HubTarget, hubRequest, webRepoUrl } from "./hub-client.ts";

function requireToken(target: HubTarget, action: string): string {
  if (!target.accessToken)
    throw new Error(`${action} needs a token with write access: pass --token or set HF_TOKEN`);
  return target.accessToken;
}

export interface CreateRepoResult {
  url: string;
  id: string;
  /** False when `existOk` let an existing repo through. */
  created: boolean;
}

/** The Hub's 409: the repo, branch or tag being created already exists. */
function isConflict(error: unknown): error is HubApiError {
  return error instanceof HubApiError && error.statusCode === 409;
}

export async function createRepoOnHub(
  target: HubTarget,
  options: { private?: boolean; existOk?: boolean },
): Promise<CreateRepoResult> {
  const accessToken = requireToken(target, "Creating a repo");
  try {
    const result = await createRepo({
      repo: designation(target),
      hubUrl: target.hubUrl,
      accessToken,
      ...(options.private === undefined ? {} : { visibility: options.private ? "private" : "public" }),
    });
    return { url: result.repoUrl, id: target.id, created: true };
  } catch (error) {
    if (options.existOk && isConflict(error)) {
      const url = typeof error.data?.url === "string" ? error.data.url : webRepoUrl(target);
      return { url, id: target.id, created: false };
    }
    throw error;
  }
}

/** Deletes a repo; with `missingOk`, a repo that does not exist is not an error (returns false). */
export async function deleteRepoOnHub(target: HubTarget, options: { missingOk?: boolean }): Promise<boolean> {
  const accessToken = requireToken(target, "Deleting a repo");
  try {
    await deleteRepo({ repo: designation(target), hubUrl: target.hubUrl, accessToken });
    return true;
  } catch (error) {
    if (options.missingOk && error instanceof HubApiError && error.statusCode === 404) return false;
    throw error;
  }
}

export interface RepoSettings {
  private?: boolean;
  gated?: GatedMode;
}

export async function updateRepoSettings(target: HubTarget, settings: RepoSettings): Promise<void> {
  requireToken(target, "Changing repo settings");
  await hubRequest(target, "PUT", `${apiRepoUrl(target)}/settings`, settings);
}

export interface RefEntry {
  name: string;
  ref: string;
  targetCommit: string;
}

export async function listRefs(target: HubTarget): Promise<{ branches: RefEntry[]; tags: RefEntry[] }> {
  const refs = await hubRequest<{ branches?: RefEntry[]; tags?: RefEntry[] }>(
    target,
    "GET",
    `${apiRepoUrl(target)}/refs`,
  );
  const byName = (a: RefEntry, b: RefEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { branches: [...(refs.branches ?? [])].sort(byName), tags: [...(refs.tags ?? [])].sort(byName) };
}

export async function createBranchOnHub(
  target: HubTarget,
  options: { branch: string; revision?: string; existOk?: boolean },
): Promise<void> {
  const accessToken = requireToken(target, "Creating a branch");
  try {
    await createBranch({
      repo: designation(target),
      hubUrl: target.hubUrl,
      accessToken,
      branch: options.branch,
      ...(options.revision ? { revision: options.revision } : {}),
    });
  } catch (error) {
    if (options.existOk && isConflict(error)) return;
    throw error;
  }
}

export async function deleteBranchOnHub(target: HubTarget, branch: string): Promise<void> {
  const accessToken = requireToken(target, "Deleting a branch");
  await deleteBranch({ repo: designation(target), hubUrl: target.hubUrl, accessToken, branch });
}

/** `@huggingface/hub` has no tag calls, so these use the Hub's routes directly. */
export async function createTagOnHub(
  target: HubTarget,
  options: { tag: string; revision: string; message?: string; existOk?: boolean },
): Promise<void> {
  requireToken(target, "Creating a tag");
  try {
    await hubRequest(target, "POST", `${apiRepoUrl(target)}/tag/${encodeURIComponent(options.revision)}`, {
      tag: options.tag,
      ...(options.message ? { message: options.message } : {}),
    });
  } catch (error) {
    if (options.existOk && isConflict(error)) return;
    throw error;
  }
}

export async function deleteTagOnHub(target: HubTarget, tag: string): Promise<void> {
  requireToken(target, "Deleting a tag");
  await hubRequest(target, "DELETE", `${apiRepoUrl(target)}/tag/${encodeURIComponent(tag)}`);
}

/** Whether the repo exists and the caller can see it (a private repo of someone else looks missing). */
export async function repoExists(target: HubTarget): Promise<boolean> {
  try {
    await hubRequest(target, "GET", apiRepoUrl(target));
    return true;
  } catch (error) {
    if (error instanceof HubApiError && (error.statusCode === 404 || error.statusCode === 401)) return false;
    throw error;
  }
}

/**
 * What `hf upload` does before uploading: create the repo if it is missing and the branch if it is not
 * the default one. Returns whether the repo was created.
 */
export async function ensureRepoAndBranch(
  target: HubTarget,
  options: { branch?: string; private?: boolean },
): Promise<boolean> {
  let created = false;
  if (!(await repoExists(target))) {
    created = (await createRepoOnHub(target, { existOk: true, ...options })).created;
  }
  if (options.branch) await createBranchOnHub(target, { branch: options.branch, existOk: true });
  return created;
}
