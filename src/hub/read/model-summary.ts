import type { BaseRelation, EvalScore } from "../../core/catalog-types.ts";
import type { CommercialUse, CommitMetadata, Repo } from "../../core/types.ts";
import type { HubScope } from "../hub.ts";
import { devicesThatFitEach, memoryForParameters } from "../metadata/derive-model-facts.ts";
import { commercialUseOf } from "../metadata/licenses.ts";
import { type PopularityParts, popularityParts } from "../mirror/upstream-popularity.ts";

/**
 * What Hangar knows about a model, in one shape whether it has files (facts extracted at commit time) or is
 * a catalog entry known only by its metadata. Served as the `hangar` field of repo info.
 */
export interface ModelSummary {
  origin: "local" | "upstream";
  description: string | null;
  license: string | null;
  commercialUse: CommercialUse | null;
  languages: string[];
  tasks: string[];
  parameters: number | null;
  baseModels: string[];
  baseRelation: BaseRelation | null;
  evalResults: EvalScore[];
  /** Bytes of the files at the head; null for a catalog entry without files. */
  storageBytes: number | null;
  /** Estimated bytes to load the model, by precision. */
  memory: Record<string, number>;
  /** Devices that hold `memory[precision]`, by precision. */
  fitsOn: Record<string, string[]>;
  runsLocally: boolean;
  /** When the popularity figures are a snapshot: its date and source. */
  snapshot: { date: string; source: string | null } | null;
  /**
   * `downloads` and `likes` of repo info are Hangar's own counts plus the upstream's last reported figures;
   * here they are apart: `own`, and `upstream` with the date they were taken and their source (the upstream's
   * endpoint after `hangar sync` or a pull, the catalog snapshot's source before), null when there are none.
   */
  popularity: PopularityParts;
  sources: string[];
}

export async function summarizeModel(
  hub: HubScope,
  repo: Repo,
  metadata: CommitMetadata | undefined,
): Promise<ModelSummary> {
  const facts = await hub.catalog.facts.get(repo.pk);
  const model = metadata?.model;
  const parameters = model?.parameters ?? facts?.parameters ?? null;
  const license = model?.license ?? facts?.license ?? null;
  const memory = model?.memory ?? memoryForParameters(parameters);
  const fitsOn = model?.fitsOn ?? devicesThatFitEach(memory);
  const pipelineTag = model?.pipelineTag ?? facts?.pipelineTag ?? repo.pipelineTag;
  const snapshot = facts?.snapshotDate ? { date: facts.snapshotDate, source: facts.snapshotSource } : null;
  return {
    origin: repo.origin,
    description: facts?.description ?? null,
    license,
    commercialUse: model?.commercialUse ?? commercialUseOf(license),
    languages: model?.languages ?? facts?.languages ?? [],
    tasks: model?.tasks ?? (pipelineTag ? [pipelineTag] : []),
    parameters,
    baseModels: model?.lineage.baseModels ?? facts?.baseModels ?? [],
    baseRelation: model?.lineage.relation ?? facts?.baseRelation ?? null,
    evalResults: facts?.evalResults ?? [],
    storageBytes: repo.sha ? repo.usedStorage : null,
    memory,
    fitsOn,
    runsLocally: model?.runsLocally ?? false,
    snapshot,
    popularity: await popularityParts(hub.catalog, repo, snapshot),
    sources: facts?.sources ?? [],
  };
}
