import { badRequest } from "../../core/errors.ts";
import type { GatedMode, Repo, RepoRef } from "../../core/types.ts";
import { parseVisibility } from "../../core/validate.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import { recordAudit, repoTarget } from "../audit/record-audit.ts";
import { emitHubEvent } from "../events/emit-hub-event.ts";
import type { HubContext } from "../hub.ts";

export interface UpdateRepoSettingsParams {
  repo: RepoRef;
  /** `private` (older clients) and `visibility` (newer ones) say the same thing; both are accepted. */
  private?: unknown;
  visibility?: unknown;
  gated?: unknown;
}

function parseGated(value: unknown): GatedMode | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === false || value === "false") return false;
  if (value === "auto" || value === "manual") return value;
  throw badRequest(`Invalid gated value "${String(value)}": expected "auto", "manual" or false`);
}

/** Changes a repo's visibility and gating. */
export async function updateRepoSettings(
  hub: HubContext,
  caller: Caller,
  params: UpdateRepoSettingsParams,
): Promise<Repo> {
  const isPrivate = parseVisibility(params);
  const gated = parseGated(params.gated);
  return await hub.catalog.transaction(async (tx) => {
    const repo = await getWritableRepo({ ...hub, catalog: tx }, caller, params.repo);
    await tx.repos.updateSettings(repo.pk, {
      ...(isPrivate === undefined ? {} : { private: isPrivate }),
      ...(gated === undefined ? {} : { gated }),
    });
    await recordAudit(tx, {
      caller,
      action: "repo.settings",
      target: repoTarget(repo),
      details: {
        ...(isPrivate === undefined ? {} : { private: isPrivate, wasPrivate: repo.private }),
        ...(gated === undefined ? {} : { gated, wasGated: repo.gated }),
      },
    });
    const updated = (await tx.repos.getByPk(repo.pk))!;
    // Turning private is recorded before anyone who may no longer read the repo could be told (see emitHubEvent).
    await emitHubEvent({ ...hub, catalog: tx }, { scope: "repo.config", action: "update", repo: updated });
    return updated;
  });
}
