/**
 * From catalog rows to what the search index holds of a model: the row read by the catalog's search feed
 * (`SearchFeedTable`) turned into an `IndexedModel`, the words it is found by (with the fields they occur
 * in), and what only a local repo's files tell (runs locally, card text).
 */
import type { EvalScore } from "../core/catalog-types.ts";
import { normalisedEvalMean } from "./ranking.ts";
import { type DocumentTerms, FIELD_AUTHOR, FIELD_NAME, FIELD_PROSE, FIELD_TAGS } from "./text-index.ts";
import { PROSE_STOP_WORDS, tokenize } from "./tokenize.ts";

/** One model as read from the catalog, before it is spread over the columns. */
export interface IndexedModel {
  pk: number;
  namespace: string;
  name: string;
  private: boolean;
  gated: number;
  createdAt: number;
  lastModified: number;
  downloads: number;
  likes: number;
  trendingScore: number;
  task: string | null;
  library: string | null;
  license: string | null;
  languages: string[];
  parameters: number | null;
  storageBytes: number | null;
  baseModels: string[];
  datasets: string[];
  tags: string[];
  evalCount: number;
  evalMean: number;
  description: string;
  cardText: string;
  runsLocally: boolean;
  /** The head's scan status (`safe`, `suspicious`, `unsafe`), null until every file has a verdict. */
  scanStatus: string | null;
}

/** Card text beyond this many characters adds little to matching and much to memory. */
const CARD_TEXT_LIMIT = 4000;

const GATED_CODES: Record<string, number> = { false: 0, auto: 1, manual: 2 };

export type RawRow = [
  pk: number,
  namespace: string,
  name: string,
  isPrivate: number,
  gated: string,
  createdAt: string,
  lastModified: string,
  sha: string | null,
  downloads: number,
  likes: number,
  trendingScore: number,
  pipelineTag: string | null,
  libraryName: string | null,
  tags: string,
  usedStorage: number,
  description: string | null,
  license: string | null,
  languages: string | null,
  parameters: number | null,
  baseModels: string | null,
  evalResults: string | null,
  factLibrary: string | null,
  factPipelineTag: string | null,
  type: string,
  scanStatus: string | null,
];

function parseList(json: string | null): string[] {
  if (!json || json === "[]") return [];
  const value = JSON.parse(json) as unknown;
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

export function modelFromRow(
  row: RawRow,
  local: { runsLocally: boolean; cardText: string } | undefined,
): IndexedModel {
  const tags = parseList(row[13]);
  const datasets: string[] = [];
  for (const tag of tags) if (tag.startsWith("dataset:")) datasets.push(tag.slice(8));
  const evalResults = row[20] && row[20] !== "[]" ? (JSON.parse(row[20]) as EvalScore[]) : [];
  return {
    pk: row[0],
    namespace: row[1],
    name: row[2],
    private: row[3] === 1,
    gated: GATED_CODES[row[4]] ?? 0,
    createdAt: Date.parse(row[5]),
    lastModified: Date.parse(row[6]),
    downloads: row[8],
    likes: row[9],
    trendingScore: row[10],
    task: row[11] ?? row[22],
    library: row[12] ?? row[21],
    license: row[16],
    languages: parseList(row[17]),
    parameters: row[18],
    // Only a repo with files has a measured size; a catalog entry's 0 means unknown.
    storageBytes: row[7] !== null ? row[14] : null,
    baseModels: parseList(row[19]),
    datasets,
    tags,
    evalCount: evalResults.length,
    evalMean: normalisedEvalMean(evalResults.map((result) => result.value)),
    description: row[15] ?? "",
    cardText: local?.cardText ?? "",
    runsLocally: local?.runsLocally ?? false,
    scanStatus: row[24] ?? null,
  };
}

function addTerms(terms: DocumentTerms, text: string, field: number, skipStopWords: boolean): void {
  for (const token of tokenize(text)) {
    if (skipStopWords && PROSE_STOP_WORDS.has(token)) continue;
    terms.set(token, (terms.get(token) ?? 0) | field);
  }
}

/** The words a model is found by: its name, its author, its plain tags and datasets, its description and card. */
export function documentTerms(model: IndexedModel): DocumentTerms {
  const terms: DocumentTerms = new Map();
  addTerms(terms, model.name, FIELD_NAME, false);
  addTerms(terms, model.namespace, FIELD_AUTHOR, false);
  for (const tag of model.tags) {
    // Structured tags (license:, base_model:, arxiv:) are filters, not words; datasets are both.
    if (tag.startsWith("dataset:")) addTerms(terms, tag.slice(8), FIELD_TAGS, false);
    else if (!tag.includes(":")) addTerms(terms, tag, FIELD_TAGS, false);
  }
  addTerms(terms, model.description, FIELD_PROSE, true);
  if (model.cardText) addTerms(terms, model.cardText, FIELD_PROSE, true);
  return terms;
}

/** 32-bit FNV-1a of a lowercase string: a cheap first check for "the query is this model's id". */
export function hashLower(text: string): number {
  let hash = 0x811c9dc5;
  const lower = text.toLowerCase();
  for (let index = 0; index < lower.length; index++) {
    hash ^= lower.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** What only a repo's files tell: whether it runs locally, and its card text. Few repos have files. */
export function localFacts(
  rows: ReadonlyArray<{ pk: number; metadata: string }>,
): Map<number, { runsLocally: boolean; cardText: string }> {
  const facts = new Map<number, { runsLocally: boolean; cardText: string }>();
  for (const row of rows) {
    const metadata = JSON.parse(row.metadata) as { cardText?: string; model?: { runsLocally?: boolean } };
    facts.set(row.pk, {
      runsLocally: metadata.model?.runsLocally === true,
      cardText: (metadata.cardText ?? "").slice(0, CARD_TEXT_LIMIT),
    });
  }
  return facts;
}
