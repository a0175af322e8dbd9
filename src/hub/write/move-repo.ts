import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Repo, RepoRef } from "../../core/types.ts";
import { validateName, validateNamespace } from "../../core/validate.ts";
import { assertCanWrite, getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import { recordAudit, repoTarget } from "../audit/record-audit.ts";
import { emitHubEvent } from "../events/emit-hub-event.ts";
import type { HubContext } from "../hub.ts";

export interface MoveRepoParams {
  from: RepoRef;
  /** Same type as `from`. */
  to: RepoRef;
}

/**
 * Renames a repo or moves it to another namespace the caller can write to. Commit ids stay the same; URLs
 * under the old name stop working (the Hub redirects them, Hangar does not yet).
 */
export async function moveRepo(hub: HubContext, caller: Caller, params: MoveRepoParams): Promise<Repo> {
  validateNamespace(params.to.namespace);
  validateName(params.to.name, "repo name");
  if (params.to.type !== params.from.type) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", "A repo cannot change its type when it moves");
  }
  return await hub.catalog.transaction(async (tx) => {
    const repo = await getWritableRepo({ ...hub, catalog: tx }, caller, params.from);
    assertCanWrite(caller, params.to.namespace);
    const existing = await tx.repos.get(params.to);
    if (existing && existing.pk !== repo.pk) {
      throw new HangarError(
        "HANGAR_ERR_CONFLICT",
        `You already have a ${params.to.type} repo named ${existing.id}`,
      );
    }
    if (!(await tx.accounts.getNamespace(params.to.namespace))) {
      // Only an admin gets here (assertCanWrite): as in createRepo, a new namespace becomes an organisation.
      await tx.accounts.insertNamespace({
        name: params.to.namespace,
        kind: "org",
        fullname: params.to.namespace,
        email: null,
        isAdmin: false,
        createdAt: nowIso(),
      });
    }
    await tx.repos.rename(repo.pk, params.to.namespace, params.to.name);
    await recordAudit(tx, {
      caller,
      action: "repo.move",
      target: repoTarget(repo),
      details: { to: `${params.to.namespace}/${params.to.name}` },
    });
    await emitHubEvent(
      { ...hub, catalog: tx },
      {
        scope: "repo",
        action: "move",
        repo,
        movedTo: { namespace: params.to.namespace, name: params.to.name },
      },
    );
    return (await tx.repos.getByPk(repo.pk))!;
  });
}
