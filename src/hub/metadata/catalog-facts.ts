import type { CatalogFacts, EvalScore } from "../../core/catalog-types.ts";
import type { CommitMetadata } from "../../core/types.ts";

const DESCRIPTION_LENGTH = 300;

/** The first paragraph of a card's text that reads as prose (no heading, badge, table or HTML). */
export function describeFromCard(text: string | undefined): string | null {
  if (!text) return null;
  for (const paragraph of text.split(/\r?\n\s*\r?\n/)) {
    const flat = paragraph.replace(/\s+/g, " ").trim();
    if (!flat || /^(#|<|!\[|\||```|---|>|\[!\[)/.test(flat)) continue;
    const plain = flat.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[*_`]/g, "");
    return plain.length > DESCRIPTION_LENGTH ? `${plain.slice(0, DESCRIPTION_LENGTH - 1).trimEnd()}…` : plain;
  }
  return null;
}

/**
 * The catalog's facts for a repo with files, from what its head commit extracted, so that search and
 * comparison see pushed and mirrored repos through the same table as catalog-only entries.
 */
export function catalogFactsFromMetadata(metadata: CommitMetadata, previous?: CatalogFacts): CatalogFacts {
  const model = metadata.model;
  const evalResults: EvalScore[] = [];
  for (const result of metadata.card?.evalResults ?? []) {
    if (typeof result.value !== "number") continue;
    evalResults.push({
      task: result.task,
      dataset: result.dataset,
      ...(result.datasetSplit ? { split: result.datasetSplit } : {}),
      metric: result.metric,
      value: result.value,
    });
  }
  const fromCommit: CatalogFacts = {
    description: describeFromCard(metadata.cardText),
    license: model?.license ?? null,
    languages: model?.languages ?? [],
    parameters: model?.parameters ?? null,
    baseModels: model?.lineage.baseModels ?? [],
    baseRelation: model?.lineage.relation ?? null,
    library: model?.library ?? null,
    pipelineTag: model?.pipelineTag ?? null,
    evalResults,
    snapshotDate: null,
    snapshotSource: null,
    sources: ["commit"],
  };
  return previous ? mergeFacts(fromCommit, previous) : fromCommit;
}

/**
 * What the files say wins; what they leave unknown keeps the earlier value (e.g. a catalog entry's
 * description and reported scores survive pulling the repo).
 */
function mergeFacts(current: CatalogFacts, previous: CatalogFacts): CatalogFacts {
  const pick = <T>(value: T | null, fallback: T | null): T | null => value ?? fallback;
  const list = <T>(value: T[], fallback: T[]): T[] => (value.length > 0 ? value : fallback);
  return {
    description: pick(current.description, previous.description),
    license: pick(current.license, previous.license),
    languages: list(current.languages, previous.languages),
    parameters: pick(current.parameters, previous.parameters),
    baseModels: list(current.baseModels, previous.baseModels),
    baseRelation: pick(current.baseRelation, previous.baseRelation),
    library: pick(current.library, previous.library),
    pipelineTag: pick(current.pipelineTag, previous.pipelineTag),
    evalResults: list(current.evalResults, previous.evalResults),
    snapshotDate: previous.snapshotDate,
    snapshotSource: previous.snapshotSource,
    sources: [...new Set([...current.sources, ...previous.sources])],
  };
}
