import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  BASE_RELATIONS,
  type BaseRelation,
  type EvalScore,
  type UpstreamModelEntry,
} from "../../core/catalog-types.ts";
import { badRequest } from "../../core/errors.ts";
import { parseRepoId } from "../../core/validate.ts";
import type { Catalog } from "../../store/catalog.ts";

/** The bundled snapshot of real public models, built by scripts/build-catalog-snapshot.ts. */
export const BUNDLED_SNAPSHOT_PATH = fileURLToPath(
  new URL("../../../data/catalog-snapshot.json", import.meta.url),
);

/** `meta` key recording which snapshot version an instance holds. */
export const SNAPSHOT_META_KEY = "catalog.snapshot.version";

/** One model in the snapshot file. Absent fields are unknown, never guessed. */
export interface SnapshotModel {
  id: string;
  task?: string;
  library?: string;
  license?: string;
  languages?: string[];
  parameters?: number;
  baseModels?: string[];
  baseRelation?: BaseRelation;
  description?: string;
  evalResults?: EvalScore[];
  gated?: "auto" | "manual";
  downloads?: number;
  likes?: number;
  /** Keys of `CatalogSnapshot.sources` the facts of this entry come from. */
  sources: string[];
}

export interface CatalogSnapshot {
  format: 1;
  /** Changes whenever the content changes; an instance imports each version once. */
  version: string;
  /** The day the facts were collected. */
  date: string;
  /** Where popularity figures (downloads, likes) come from, when an entry has them. */
  popularitySource: string | null;
  sources: Record<string, string>;
  models: SnapshotModel[];
}

export interface ImportSnapshotResult {
  version: string;
  /** True when this version was already imported: nothing was written. */
  alreadyImported: boolean;
  inserted: number;
  /** Upstream-only entries of an earlier snapshot refreshed with this one's facts. */
  updated: number;
  /** Ids that already name a repo with local content, left as they are. */
  keptLocal: string[];
}

export function readSnapshot(path: string = BUNDLED_SNAPSHOT_PATH): CatalogSnapshot {
  const snapshot = JSON.parse(readFileSync(path, "utf8")) as CatalogSnapshot;
  if (snapshot.format !== 1 || typeof snapshot.version !== "string" || !Array.isArray(snapshot.models)) {
    throw badRequest(`${path} is not a Hangar catalog snapshot (format 1)`);
  }
  return snapshot;
}

function toEntry(model: SnapshotModel, snapshot: CatalogSnapshot): UpstreamModelEntry {
  parseRepoId(model.id);
  if (model.baseRelation && !BASE_RELATIONS.includes(model.baseRelation)) {
    throw badRequest(`${model.id}: unknown base relation "${model.baseRelation}"`);
  }
  const hasPopularity = model.downloads !== undefined || model.likes !== undefined;
  // The snapshot date stands in for the upstream dates, which the snapshot does not carry.
  const date = `${snapshot.date}T00:00:00.000Z`;
  return {
    id: model.id,
    description: model.description ?? null,
    license: model.license ?? null,
    languages: model.languages ?? [],
    parameters: model.parameters ?? null,
    baseModels: model.baseModels ?? [],
    baseRelation: model.baseRelation ?? null,
    library: model.library ?? null,
    pipelineTag: model.task ?? null,
    evalResults: model.evalResults ?? [],
    snapshotDate: hasPopularity ? snapshot.date : null,
    snapshotSource: hasPopularity ? snapshot.popularitySource : null,
    sources: model.sources,
    downloads: model.downloads ?? 0,
    likes: model.likes ?? 0,
    gated: model.gated ?? false,
    createdAt: date,
    lastModified: date,
  };
}

/**
 * Loads a catalog snapshot into an instance as upstream-only models (metadata without files), once per
 * snapshot version: the version goes into `meta` in the same transaction as the rows. A repo that already
 * has local content under the same id is never touched; upstream-only entries of an earlier snapshot are
 * refreshed.
 */
export async function importCatalogSnapshot(
  catalog: Catalog,
  params: { snapshot?: CatalogSnapshot; path?: string } = {},
): Promise<ImportSnapshotResult> {
  const snapshot = params.snapshot ?? readSnapshot(params.path);
  if ((await catalog.getMeta(SNAPSHOT_META_KEY)) === snapshot.version) {
    return { version: snapshot.version, alreadyImported: true, inserted: 0, updated: 0, keptLocal: [] };
  }
  // Validate everything before writing anything: a bad file leaves the instance as it was.
  const entries = snapshot.models.map((model) => toEntry(model, snapshot));
  const result: ImportSnapshotResult = {
    version: snapshot.version,
    alreadyImported: false,
    inserted: 0,
    updated: 0,
    keptLocal: [],
  };
  await catalog.transaction(async (tx) => {
    const writer = tx.facts.prepareUpstreamWriter();
    for (const entry of entries) {
      const outcome = await writer.write(entry);
      if (outcome === "inserted") result.inserted++;
      else if (outcome === "updated") result.updated++;
      else result.keptLocal.push(entry.id);
    }
    await tx.setMeta(SNAPSHOT_META_KEY, snapshot.version);
  });
  return result;
}
