import { posix } from "node:path";

/**
 * What the scanner says about one file. Verdicts, worst last: `safe` (nothing flagged), `suspicious` (needs a
 * human look: unknown imports, remote code, secrets), `invalid` (the file breaks its format's rules), `unsafe`
 * (loading it can run code or reach outside the repo).
 */
export type Verdict = "safe" | "suspicious" | "invalid" | "unsafe";

/** A finding's severity: `info` never flags a file; the others set the verdict of the same name. */
export type Severity = "info" | "suspicious" | "invalid" | "unsafe";

export interface Finding {
  /** Stable rule id, e.g. `pickle.import.denied`, `safetensors.offsets`. */
  rule: string;
  severity: Severity;
  message: string;
  /** `module.name` of a pickle import (GLOBAL, STACK_GLOBAL, INST). */
  import?: string;
  /** The offending construct of a non-pickle format (a Jinja attribute, an ONNX domain, a layer class). */
  construct?: string;
  /** Byte offset in the file (or in `member` when set). */
  offset?: number;
  /** Archive member the finding is in (`archive/data.pkl`; nested members joined with `!`). */
  member?: string;
  /** How many times the finding occurred (data governance counts). */
  count?: number;
  /** Masked samples (data governance). */
  samples?: string[];
}

export interface ScanResult {
  path: string;
  format: string;
  verdict: Verdict;
  findings: Finding[];
}

/** The result for a file the scanner failed on: it cannot vouch for it, so the file is `invalid`. */
export function unscannable(path: string, error: unknown): ScanResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    path,
    format: "unknown",
    verdict: "invalid",
    findings: [{ rule: "scan.error", severity: "invalid", message: `could not be scanned: ${message}` }],
  };
}

const RANK: Record<Verdict, number> = { safe: 0, suspicious: 1, invalid: 2, unsafe: 3 };

export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = "safe";
  for (const verdict of verdicts) if (RANK[verdict] > RANK[worst]) worst = verdict;
  return worst;
}

export function verdictOf(findings: readonly Finding[]): Verdict {
  return worstVerdict(findings.map((finding) => (finding.severity === "info" ? "safe" : finding.severity)));
}

/** Bumped whenever a rule changes: stored verdicts with another version must be rescanned. */
export const SCANNER_RULES_VERSION = "2026-12-07.1";

/** Limits that keep a hostile file from exhausting the scanner. */
export interface ScanLimits {
  /**
   * Opcodes a file's pickle walk may run beyond one per byte of pickle data: every opcode reads at least one
   * byte, so the walk is linear in the file and a real file never reaches this; it bounds nothing else.
   */
  maxOpcodes: number;
  maxStack: number;
  /**
   * Memory the walk may keep in memo entries (and a legacy checkpoint's storage table), estimated per entry
   * (a fixed cost plus the string's length): bounded by memory, not by count, so a vocabulary of millions of
   * memoized strings is walked to the end.
   */
  maxMemoBytes: number;
  /** Bytes a scan may inflate from compressed members and streams, all nesting levels together. */
  maxInflatedBytes: number;
  /** Archives inside archives. */
  maxDepth: number;
  /** Archive members per archive. */
  maxMembers: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxOpcodes: 50_000_000,
  maxStack: 1_000_000,
  maxMemoBytes: 512 * 1024 ** 2,
  maxInflatedBytes: 256 * 1024 ** 2,
  maxDepth: 3,
  maxMembers: 100_000,
};

/** State shared by every format scanner while one top-level file is scanned. */
export interface ScanContext {
  /** File name as given (a path or an archive member name); used for extension-based decisions. */
  name: string;
  /** Folder of the top-level file on disk, when there is one (ONNX external data is looked up there). */
  dir?: string;
  /**
   * Files next to the top-level file when it is not on disk (a blob in a hub's store): sizes by path relative
   * to the file's folder (`data.bin`, `sub/x.bin`). ONNX external data and shard indexes are checked against it.
   */
  siblings?: Readonly<Record<string, number>>;
  /** Archive member path prefix for findings. */
  member?: string;
  depth: number;
  limits: ScanLimits;
  /** Bytes still allowed to be inflated (shared by the whole scan). */
  budget: { inflated: number };
  findings: Finding[];
  /** Allow persistent ids (BINPERSID) in pickles: inside PyTorch archives and legacy files. */
  torch?: boolean;
}

export function addFinding(ctx: ScanContext, finding: Finding): void {
  const withMember =
    ctx.member !== undefined && finding.member === undefined ? { ...finding, member: ctx.member } : finding;
  ctx.findings.push(withMember);
}

/** What the sibling checks need to know of a file next to the scanned one. */
export interface SiblingStat {
  size: number;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * A file next to the scanned one (`relative` already checked not to leave its folder), from `siblings` when
 * the scanned file is a stored blob; `undefined` when there is no such file.
 */
export function storedSibling(
  siblings: Readonly<Record<string, number>>,
  relative: string,
): SiblingStat | undefined {
  const key = posix.normalize(relative.replaceAll("\\", "/")).replace(/^\.\//, "");
  if (!Object.hasOwn(siblings, key)) return undefined;
  return { size: siblings[key]!, isFile: () => true, isSymbolicLink: () => false };
}
