/**
 * Domain types of what the catalog stores, shared by the store (which reads and writes them) and every layer that
 * uses them. The SQL and the raw row shapes stay in src/store.
 */
import type { CommitInfo, CommitMetadata, RefKind, RepoType, TokenRole } from "./types.ts";

// Accounts
export interface NamespaceRow {
  name: string;
  kind: "user" | "org";
  fullname: string;
  email: string | null;
  isAdmin: boolean;
  createdAt: string;
}

export interface TokenRow {
  id: number;
  user: string;
  displayName: string;
  role: TokenRole;
  createdAt: string;
  lastUsedAt: string | null;
}

// Commits and refs
export interface StoredCommit extends CommitInfo {
  pk: number;
  repoPk: number;
  metadata: CommitMetadata;
}

export interface RefRow {
  kind: RefKind;
  name: string;
  commitOid: string;
  updatedAt: string;
}

// Repo listings
/** Sort keys of repo listings (the store maps each to its column). */
export const REPO_SORT_KEYS = [
  "downloads",
  "likes",
  "lastModified",
  "createdAt",
  "trendingScore",
  "id",
] as const;
export type RepoSortKey = (typeof REPO_SORT_KEYS)[number];

export interface RepoListQuery {
  type: RepoType;
  /** Substrings of the id, all of which must match (case-insensitive). */
  search?: string[];
  author?: string;
  /** Tags that must all be present. */
  tags?: string[];
  pipelineTag?: string;
  gated?: boolean;
  /** Namespaces whose private repos the caller may see; "all" for an admin. */
  visibleNamespaces: string[] | "all";
  sort: RepoSortKey;
  descending: boolean;
  limit: number;
  /** Keyset position after which to continue: the last row's sort value and pk. */
  after?: { value: string | number; pk: number };
}

// Model facts
/** How a model derives from its base model(s), as the Hub's `base_model:<relation>:<id>` tags say. */
export const BASE_RELATIONS = ["finetune", "adapter", "quantized", "merge"] as const;
export type BaseRelation = (typeof BASE_RELATIONS)[number];

/** One reported evaluation result, flattened from a card's `model-index`. */
export interface EvalScore {
  /** Task type, e.g. `text-classification`. */
  task?: string;
  dataset: string;
  /** Dataset split or config, when the card names one. */
  split?: string;
  metric: string;
  value: number;
}

/** What is known about a model apart from its files. Every field may be unknown (null / empty). */
export interface CatalogFacts {
  description: string | null;
  /** SPDX-like licence id as the Hub writes it (`apache-2.0`, `llama3.1`, `other`...). */
  license: string | null;
  /** ISO 639 codes. */
  languages: string[];
  /** Total parameter count. */
  parameters: number | null;
  baseModels: string[];
  baseRelation: BaseRelation | null;
  library: string | null;
  pipelineTag: string | null;
  evalResults: EvalScore[];
  /** When the popularity figures (the repo's downloads and likes) were taken, and from where; null when they are not a snapshot. */
  snapshotDate: string | null;
  snapshotSource: string | null;
  /** Where these facts come from (keys of the snapshot's `sources`, or a URL). */
  sources: string[];
}

/** A model entry known without its files: what a catalog snapshot or a synthetic catalog holds. */
export interface UpstreamModelEntry extends CatalogFacts {
  /** `namespace/name` */
  id: string;
  downloads: number;
  likes: number;
  gated: false | "auto" | "manual";
  /** ISO dates for the repo row. */
  createdAt: string;
  lastModified: string;
}

export type EntryWriteOutcome = "inserted" | "updated" | "kept-local";

/** The tags the Hub would show for these facts, so tag filters work on catalog entries as on pushed repos. */
export function tagsForFacts(facts: CatalogFacts): string[] {
  const tags = new Set<string>();
  if (facts.library) tags.add(facts.library);
  if (facts.pipelineTag) tags.add(facts.pipelineTag);
  for (const language of facts.languages) tags.add(language);
  if (facts.license) tags.add(`license:${facts.license}`);
  for (const base of facts.baseModels) {
    tags.add(`base_model:${base}`);
    if (facts.baseRelation) tags.add(`base_model:${facts.baseRelation}:${base}`);
  }
  return [...tags];
}

// Evaluations
/** Per-label figures of a classification run, or per-entity-type figures of a tagging run. */
export interface LabelScores {
  precision: number;
  recall: number;
  f1: number;
  /** How many gold examples (or gold entities) carry the label. */
  support: number;
}

/** What a run found beyond its headline metrics. */
export interface EvaluationDetails {
  /** Gold labels of the test set (classification) or entity types (tagging), sorted. */
  labels?: string[];
  perLabel?: Record<string, LabelScores>;
  /** Sentences the explanation of a metric needs, e.g. how labels were matched. */
  notes?: string[];
}

/** An evaluation Hangar ran itself: one model at one commit on one labelled file of a dataset at one commit. */
export interface StoredEvaluation {
  id: number;
  modelRepoPk: number;
  /** `namespace/name` of the model as it is named now. */
  model: string;
  modelCommit: string;
  datasetRepoPk: number;
  dataset: string;
  datasetCommit: string;
  /** Path of the labelled file inside the dataset repo. */
  datasetFile: string;
  task: string;
  textColumn: string;
  labelColumn: string;
  /** Examples the metrics are computed over. */
  examples: number;
  /** Rows of the file left out because their text or label was empty. */
  skippedRows: number;
  /** The example limit asked for, or null for the whole file. */
  exampleLimit: number | null;
  /** metric name -> value, e.g. `{accuracy: 0.93, f1_macro: 0.92}`. */
  metrics: Record<string, number>;
  details: EvaluationDetails;
  durationMs: number;
  createdAt: string;
  /** Always `hangar`: these are measurements, not figures copied from a card. */
  measuredBy: string;
  hangarVersion: string;
}

export type NewEvaluation = Omit<StoredEvaluation, "id" | "model" | "dataset">;

export interface EvaluationQuery {
  modelRepoPk?: number;
  datasetRepoPk?: number;
  task?: string;
}

// Usage metering
/** One metered inference request. */
export interface UsageEvent {
  at: string;
  /** `namespace/name` of the model, or what the caller asked for when it did not resolve. */
  model: string;
  revision: string | null;
  task: string | null;
  /** Which API served it: `task` (Hangar task API), `hub` (serverless route), `openai`, `cli`, `library`. */
  api: string;
  /** The caller's user name; null for anonymous callers. */
  caller: string | null;
  /** Tokens when the model counts them, otherwise characters. */
  inputUnits: number;
  /** What the answer held, in `outputUnit`s. */
  outputUnits: number;
  /** The unit of `inputUnits`. */
  unit: "tokens" | "characters";
  /** The task's output unit: labels, entities, vectors, scores, predictions, answers, tokens, segments... */
  outputUnit: string;
  inputBytes: number;
  outputBytes: number;
  latencyMs: number;
  /** HTTP status of the answer. */
  status: number;
  /** ok, error, cancelled, rate_limited, timeout. */
  outcome: string;
  errorCode: string | null;
  /** Requests the model call carried (dynamic batching). */
  batchSize: number;
  /** What the call cost, in nano-dollars (1e-9 USD), at the prices in force (src/governance/pricing). */
  costNanos?: number;
  /** Tokens counted against token budgets and limits: input tokens and generated tokens. */
  tokens?: number;
  /** The caller's token id (never its secret); null for anonymous callers and local administration. */
  tokenId?: number | null;
  /** The organisation the call is billed to, if any. */
  org?: string | null;
  /** The route's name when the model name was a route (`HANGAR_ROUTES`). */
  route?: string | null;
  /** Where the price came from: `default`, `file`, `api`, `deployment`. */
  priceSource?: string | null;
}

export interface UsageTotals {
  model: string;
  task: string | null;
  requests: number;
  errors: number;
  inputUnits: number;
  outputUnits: number;
  latencyMs: number;
}

export interface UsageQuery {
  since?: string;
  until?: string;
  model?: string;
  caller?: string;
}

// Maintenance (fsck, gc)
/** Where a repo, ref or file lives, for maintenance reports. */
export interface RepoLocation {
  repoType: RepoType;
  namespace: string;
  name: string;
}

/** One distinct (content, size, kind, git id) combination that tree entries record. */
export interface ReferencedBlob {
  sha256: string;
  size: number;
  lfs: boolean;
  gitOid: string;
  /** How many tree entries record it. */
  entries: number;
}

export interface RegisteredBlob {
  sha256: string;
  size: number;
  createdAt: string;
}

export interface CatalogCounts {
  repos: number;
  refs: number;
  commits: number;
  treeEntries: number;
  /** Tree and commit objects of commits made here. */
  gitObjects: number;
  registeredBlobs: number;
}

/** A commit as the git object check needs it. */
export interface CommitToCheck extends RepoLocation {
  pk: number;
  repoPk: number;
  oid: string;
  parents: string[];
  /** Pulled from an upstream: it keeps the upstream's id and has no objects here. */
  mirrored: boolean;
}
