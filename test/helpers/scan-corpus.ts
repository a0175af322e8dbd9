import type { Verdict } from "../../src/governance/scan/index.ts";
import type { ScanLimits } from "../../src/governance/scan/types.ts";
import { CONFIG_BENIGN, CONFIG_MALICIOUS } from "./scan-corpus-configs.ts";
import { CONTAINER_BENIGN, CONTAINER_MALICIOUS } from "./scan-corpus-containers.ts";
import { DATA_BENIGN, DATA_MALICIOUS } from "./scan-corpus-data.ts";
import { PICKLE_BENIGN, PICKLE_MALICIOUS } from "./scan-corpus-pickle.ts";
import { WEIGHTS_BENIGN, WEIGHTS_MALICIOUS } from "./scan-corpus-weights.ts";

export interface CorpusFile {
  /** File name inside its own folder. */
  name: string;
  bytes: Uint8Array;
  expect: Verdict;
  /** A rule the findings must include. */
  rule?: string;
  format?: string;
  limits?: Partial<ScanLimits>;
  /** Files next to it (name → bytes, or a symlink target). */
  siblings?: Record<string, Uint8Array | { symlink: string }>;
  why: string;
}

/** The scanner corpus: every kind of file, flagged ones first within each kind. */
export const SCAN_CORPUS: CorpusFile[] = [
  ...PICKLE_MALICIOUS,
  ...PICKLE_BENIGN,
  ...CONTAINER_MALICIOUS,
  ...CONTAINER_BENIGN,
  ...WEIGHTS_MALICIOUS,
  ...WEIGHTS_BENIGN,
  ...CONFIG_MALICIOUS,
  ...CONFIG_BENIGN,
  ...DATA_MALICIOUS,
  ...DATA_BENIGN,
];
