import type { RepoRef } from "../../core/types.ts";
import { getReadableRepo } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubScope } from "../../hub/hub.ts";
import { resolveRevision } from "../../hub/resolve-revision.ts";
import { decideLicence, type LicenceDecision } from "./decide-licence.ts";
import type { EffectiveLicence, LicenceNode } from "./effective-licence.ts";
import { ENFORCEMENT_POINTS, type EnforcementPoint } from "./policy.ts";

export interface ModelLicence {
  model: string;
  /** The commit judged; null for a catalog entry (judged by its recorded facts). */
  revision: string | null;
  effective: EffectiveLicence;
  /** What the policy says at each enforcement point, for this caller. */
  decisions: Record<EnforcementPoint, Omit<LicenceDecision, "effective" | "point">>;
}

/**
 * A model's effective licence and its source, and the policy's decision at each enforcement point, as the
 * caller may see them (a repo they may not read is 404, a private ancestor is not named).
 */
export async function describeModelLicence(
  hub: HubScope,
  caller: Caller,
  ref: RepoRef,
  revision?: string,
): Promise<ModelLicence> {
  const repo = await getReadableRepo(hub, caller, ref);
  let model: LicenceNode;
  let judged: string | null = null;
  if (repo.sha !== null || revision !== undefined) {
    const { commit } = await resolveRevision(hub, repo, revision ?? "main");
    judged = commit.oid;
    const metadata = commit.metadata;
    model = {
      repo: repo.id,
      license: metadata.model?.license ?? metadata.card?.license ?? null,
      baseModels: metadata.model?.lineage.baseModels ?? metadata.card?.baseModels ?? [],
    };
  } else {
    const facts = await hub.catalog.facts.get(repo.pk);
    model = { repo: repo.id, license: facts?.license ?? null, baseModels: facts?.baseModels ?? [] };
  }
  const decisions = {} as ModelLicence["decisions"];
  let effective: EffectiveLicence | undefined;
  for (const point of ENFORCEMENT_POINTS) {
    const {
      effective: seen,
      point: _point,
      ...decision
    } = await decideLicence(hub, { point, model, caller });
    effective ??= seen;
    decisions[point] = decision;
  }
  return { model: repo.id, revision: judged, effective: effective!, decisions };
}
