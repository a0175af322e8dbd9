import { SCANNER_RULES_VERSION } from "../../governance/scan/index.ts";
import type { FileScan, StoredScanResult } from "../../store/scan-results-table.ts";
import type { HubScope } from "../hub.ts";

/** A repo's status in search: the worst verdict of its head's files once all are scanned (invalid counts as suspicious). */
export type RepoScanStatus = "safe" | "suspicious" | "unsafe";

/**
 * The search status of a set of files: `unsafe` as soon as one file is, `suspicious` as soon as one is
 * suspicious or invalid, `safe` when every file is scanned and safe, null (unscanned) otherwise.
 */
export function repoScanStatus(files: readonly FileScan[]): RepoScanStatus | null {
  let flagged: RepoScanStatus | null = null;
  let unscanned = false;
  for (const file of files) {
    const verdict = file.result?.verdict;
    if (verdict === undefined) unscanned = true;
    else if (verdict === "unsafe") return "unsafe";
    else if (verdict === "suspicious" || verdict === "invalid") flagged = "suspicious";
  }
  return flagged ?? (unscanned ? null : "safe");
}

/** Recomputes and stores the search status of a repo whose head is `commitPk`. */
export async function refreshRepoScanStatus(hub: HubScope, repoPk: number, commitPk: number): Promise<void> {
  const files = await hub.catalog.scanResults.filesOf(commitPk, SCANNER_RULES_VERSION);
  await hub.catalog.scanResults.setRepoStatus(repoPk, repoScanStatus(files));
}

/** The Hub's `securityRepoStatus` of model info: whether every file is scanned, and the files flagged. */
export function securityRepoStatus(files: readonly FileScan[]): {
  scansDone: boolean;
  filesWithIssues: Array<{ path: string; level: string; findings: string[] }>;
} {
  return {
    scansDone: files.every((file) => file.result !== undefined),
    filesWithIssues: files.flatMap((file) =>
      file.result && file.result.verdict !== "safe"
        ? [{ path: file.path, level: file.result.verdict, findings: flaggedMessages(file.result) }]
        : [],
    ),
  };
}

function flaggedMessages(result: StoredScanResult): string[] {
  return result.findings
    .filter((finding) => finding.severity !== "info")
    .slice(0, 20)
    .map((finding) => `${String(finding.rule)}: ${String(finding.message)}`);
}

const SAFETY: Record<string, string> = { info: "innocuous", suspicious: "suspicious", unsafe: "dangerous" };

/**
 * The Hub's `securityFileStatus` of a tree entry: `status` (a verdict, or `unscanned`), `avScan` (Hangar runs
 * no antivirus: null) and `pickleImportScan` with every import a pickle makes and how safe it is.
 */
export function securityFileStatus(result: StoredScanResult | undefined): {
  status: string;
  avScan: null;
  pickleImportScan: {
    highestSafetyLevel: string;
    imports: Array<{ module: string; name: string; safety: string }>;
  } | null;
} {
  if (!result) return { status: "unscanned", avScan: null, pickleImportScan: null };
  const imports = new Map<string, { module: string; name: string; safety: string }>();
  const rank = ["innocuous", "suspicious", "dangerous"];
  let highest = 0;
  for (const finding of result.findings) {
    if (typeof finding.import !== "string" || !String(finding.rule).startsWith("pickle.import")) continue;
    const safety = SAFETY[String(finding.severity)] ?? "suspicious";
    const dot = finding.import.lastIndexOf(".");
    const entry = {
      module: finding.import.slice(0, Math.max(0, dot)),
      name: finding.import.slice(dot + 1),
      safety,
    };
    const previous = imports.get(finding.import);
    if (!previous || rank.indexOf(safety) > rank.indexOf(previous.safety)) imports.set(finding.import, entry);
    highest = Math.max(highest, rank.indexOf(safety));
  }
  return {
    status: result.verdict,
    avScan: null,
    pickleImportScan:
      imports.size === 0 ? null : { highestSafetyLevel: rank[highest]!, imports: [...imports.values()] },
  };
}
