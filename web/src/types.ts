/** Wire shapes of the API answers the UI reads (only the fields it shows). */

export interface DiscoverResult {
  id: string;
  task: string | null;
  library: string | null;
  license: string | null;
  commercialUse: string;
  languages: string[];
  parameters: number | null;
  storageBytes: number | null;
  downloads: number;
  likes: number;
  lastModified: string;
  gated: boolean | string;
  private: boolean;
  runsLocally: boolean;
  scanStatus: string;
}

export interface FacetValue {
  value: string;
  count: number;
  min?: number | null;
  max?: number | null;
}

export interface DiscoverAnswer {
  total: number;
  page: number;
  limit: number;
  sort: string;
  results: DiscoverResult[];
  facets?: Record<string, FacetValue[]>;
  tookMs: number;
}

export interface RecommendAnswer {
  tasks: string[];
  lowConfidence: boolean;
  candidates: Array<{
    id: string;
    score: number;
    task: string | null;
    license: string | null;
    parameters: number | null;
    reasons: string[];
    unknowns: string[];
  }>;
}

export interface EvalResult {
  task?: string;
  dataset: string;
  split?: string;
  metric: string;
  value: number;
}

export interface RepoInfo {
  id: string;
  sha?: string;
  private: boolean;
  gated: boolean | string;
  lastModified?: string;
  downloads?: number;
  likes?: number;
  tags?: string[];
  pipeline_tag?: string;
  library_name?: string;
  usedStorage?: number;
  cardData?: Record<string, unknown>;
  hangar?: {
    origin: string;
    description: string | null;
    license: string | null;
    commercialUse: string;
    languages: string[];
    tasks: string[];
    parameters: number | null;
    baseModels: string[];
    baseRelation: string | null;
    evalResults: EvalResult[];
    storageBytes: number | null;
    memory: Record<string, number>;
    fitsOn: Record<string, string[]>;
    runsLocally: boolean;
    sources: string[];
  };
}

export interface TreeEntry {
  type: "file" | "directory";
  path: string;
  size: number;
  oid: string;
  lfs?: { oid: string; size: number };
  lastCommit?: { id: string; title: string; date: string };
  securityFileStatus?: {
    status: string;
    avScan?: unknown;
    pickleImportScan?: { imports?: Array<{ module: string; name: string; safety: string }> } | null;
  };
}

export interface Refs {
  branches: Array<{ name: string; targetCommit: string }>;
  tags: Array<{ name: string; targetCommit: string }>;
}

export interface Commit {
  id: string;
  title: string;
  message: string;
  date: string;
  authors: Array<{ user: string }>;
}

export interface CompareModel {
  id: string;
  parameters: number | null;
  storageBytes: number | null;
  license: string | null;
  commercialUse: string;
  memory: Record<string, number>;
  hardwareFit: { hardware: string; dtype: string; fits: boolean | null; smallestDevices: string[] };
  evaluations: { reported: EvalResult[]; measured: EvalResult[] };
  measuredLatency: { requests: number; meanMs: number; p50Ms: number; p95Ms: number } | null;
  speed: {
    latencyMs: number | null;
    requestsPerSecond: number | null;
    tokensPerSecond: number | null;
    basis: string | null;
    note: string;
  };
  cost: { per1kRequestsUsd: number | null; perMonthUsd: number | null; basis: string | null; note: string };
  scores: Record<string, number | null>;
  notes: string[];
}

export interface CompareAnswer {
  criteria: {
    hardware: { name: string; assumed?: boolean } | null;
    dtype: string;
    tokensPerRequest: number;
    requestsPerMonth: number | null;
    price: { usdPerHour: number; basis: string; note: string } | null;
  };
  speedBasis: string | null;
  qualityBasis: string | null;
  assumptions: string[];
  models: CompareModel[];
  pairwise: Array<{ a: string; b: string; lines: string[] }>;
  decision: Record<string, unknown> & { undecided?: Record<string, string> };
}

export interface Evaluation {
  id?: string;
  model: string;
  dataset?: string;
  metric?: string;
  value?: number;
  createdAt?: string;
  [field: string]: unknown;
}
