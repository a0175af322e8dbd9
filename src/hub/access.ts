import { HangarError } from "../core/errors.ts";
import type { Repo, RepoRef } from "../core/types.ts";
import { repoUrlPrefix } from "../core/validate.ts";
import type { Caller } from "./accounts/principal.ts";
import type { HubScope } from "./hub.ts";

/** Namespaces whose private repos a caller may see ("all" for an admin). */
export function visibleNamespaces(caller: Caller): string[] | "all" {
  if (!caller) return [];
  if (caller.isAdmin) return "all";
  return [caller.user, ...caller.orgs.map((org) => org.name)];
}

export function canRead(caller: Caller, repo: Pick<Repo, "private" | "namespace">): boolean {
  if (!repo.private) return true;
  const namespaces = visibleNamespaces(caller);
  return (
    namespaces === "all" || namespaces.some((name) => name.toLowerCase() === repo.namespace.toLowerCase())
  );
}

/** Whether a caller may write to a namespace: a write token, and the user's own namespace or a writable org. */
export function canWriteNamespace(caller: Caller, namespace: string): boolean {
  if (!caller || caller.token.role === "read") return false;
  if (caller.isAdmin) return true;
  const lower = namespace.toLowerCase();
  if (caller.user.toLowerCase() === lower) return true;
  return caller.orgs.some((org) => org.name.toLowerCase() === lower && org.role !== "read");
}

export function repoNotFound(caller: Caller, ref: RepoRef): HangarError {
  const id = `${repoUrlPrefix(ref.type)}${ref.namespace}/${ref.name}`;
  // The Hub answers 401 to anonymous callers and 404 to others, with the same code either way, so a private
  // repo cannot be told apart from a missing one.
  return new HangarError(
    "HANGAR_ERR_REPO_NOT_FOUND",
    caller
      ? `Repository Not Found for url: ${id}. Please make sure you specified the correct repo id and type, and that you have access to it.`
      : `Repository Not Found for url: ${id}. Please make sure you specified the correct repo id and type. If you are trying to access a private or gated repo, make sure you are authenticated.`,
    { status: caller ? 404 : 401 },
  );
}

/** The repo if the caller may read it; otherwise the same error as for a repo that does not exist. */
export async function getReadableRepo(hub: HubScope, caller: Caller, ref: RepoRef): Promise<Repo> {
  const repo = await hub.catalog.repos.get(ref);
  if (!repo || !canRead(caller, repo)) throw repoNotFound(caller, ref);
  return repo;
}

/** The repo if the caller may write to it: 401 without a token, 403 with a read token or no rights. */
export async function getWritableRepo(hub: HubScope, caller: Caller, ref: RepoRef): Promise<Repo> {
  const repo = await getReadableRepo(hub, caller, ref);
  assertCanWrite(caller, repo.namespace);
  return repo;
}

/**
 * The repo if the caller may take part in it without writing to it, as on the Hub: open discussions and
 * pull requests, comment, upload the files of a pull request. A readable repo and a token that may write
 * (a read token only reads); 401 without a token.
 */
export async function getContributableRepo(hub: HubScope, caller: Caller, ref: RepoRef): Promise<Repo> {
  const repo = await getReadableRepo(hub, caller, ref);
  if (!caller) {
    throw new HangarError(
      "HANGAR_ERR_UNAUTHORIZED",
      "Authentication required: send a token as a Bearer token",
    );
  }
  if (caller.token.role === "read") {
    throw new HangarError(
      "HANGAR_ERR_FORBIDDEN",
      "You have read access but not the required permissions for this operation: use a write token",
    );
  }
  return repo;
}

export function assertCanWrite(caller: Caller, namespace: string): void {
  if (!caller) {
    throw new HangarError(
      "HANGAR_ERR_UNAUTHORIZED",
      "Authentication required: send a write token as a Bearer token",
    );
  }
  if (!canWriteNamespace(caller, namespace)) {
    throw new HangarError(
      "HANGAR_ERR_FORBIDDEN",
      caller.token.role === "read"
        ? "You have read access but not the required permissions for this operation: use a write token"
        : `You are not allowed to write to the namespace "${namespace}"`,
    );
  }
}

/**
 * Files of a gated repo need a signed-in caller. Hangar has no access-request flow yet, so every signed-in
 * user counts as granted.
 */
export function assertCanDownload(caller: Caller, repo: Repo): void {
  if (repo.gated !== false && !caller) {
    throw new HangarError(
      "HANGAR_ERR_GATED_REPO",
      `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it.`,
      { status: 401 },
    );
  }
}
