import type { CommitMetadata, Repo } from "../../core/types.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubScope, PullLicenceGate } from "../../hub/hub.ts";
import type { LicenceAnswer, LicenceQuestion } from "../registry/registry-context.ts";
import { decideLicence, enforceLicence, type LicenceDecision } from "./decide-licence.ts";
import type { LicenceNode } from "./effective-licence.ts";

/** A model at a commit as the licence policy sees it: its card's licence and base models. */
function licenceNodeOf(repo: Repo, metadata: CommitMetadata): LicenceNode {
  const model = metadata.model;
  return {
    repo: repo.id,
    license: model?.license ?? metadata.card?.license ?? null,
    baseModels: model?.lineage.baseModels ?? metadata.card?.baseModels ?? [],
  };
}

/**
 * The pull and mirror gate the hub asks before fetching (`HubContext.licences`): the repo's upstream card
 * and its ancestors in this hub. Private ancestors are never named, as pull-through runs for any reader.
 */
export const LICENCE_PULL_GATE: PullLicenceGate = {
  async beforePull(hub, repo) {
    const decision = await enforceLicence(hub, {
      point: "pull",
      model: {
        repo: repo.repo,
        license: repo.license,
        baseModels: repo.type === "model" ? repo.baseModels : [],
      },
      caller: null,
    });
    return { warning: decision?.action === "review" ? decision.message : null };
  },
};

/**
 * The inference gate: called once where the inference service has resolved a model and checked the
 * caller's access. The licence and base models are the resolved commit's (a revision asked for is judged
 * by its own card); ancestors come from this hub. Throws HANGAR_ERR_LICENCE_DENIED where the policy denies
 * inference; a licence under review becomes a warning (the `X-Hangar-Warning` header).
 */
export function enforceInferenceLicence(
  hub: HubScope,
  caller: Caller,
  repo: Repo,
  metadata: CommitMetadata,
): Promise<LicenceDecision | null> {
  return enforceLicence(hub, { point: "inference", model: licenceNodeOf(repo, metadata), caller });
}

/**
 * The registry's licence gate (`Hangar.licence`): what the policy's rules say of promoting the version's
 * commit. A registered model whose gates name `licence` asks for this check itself, so the rules apply
 * whether or not the instance lists `promotion` among its enforcement points; only `allow` passes.
 */
export async function decidePromotionLicence(
  hub: HubScope,
  question: LicenceQuestion,
): Promise<LicenceAnswer> {
  const node = licenceNodeOf(question.repo, question.commit.metadata);
  const decision = await decideLicence(hub, { point: "promotion", model: node });
  return {
    decision: decision.ruleAction,
    reason:
      decision.message ??
      `${node.license ?? "no licence"} (from ${decision.decidedBy.repo}) is allowed by the licence policy`,
  };
}
