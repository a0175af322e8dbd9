import { parseRepoId } from "../../core/validate.ts";
import { SCANNER_RULES_VERSION, type ScanResult } from "../../governance/scan/index.ts";
import type { Hangar } from "../../hangar.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import { getRepo } from "../../hub/read/get-repo.ts";
import { refreshRepoScanStatus } from "../../hub/scan/repo-scan-status.ts";
import { needsSiblings, scanAndStore, siblingsOf } from "../../hub/scan/scan-blob.ts";
import type { ScanPassReport } from "../../hub/scan/scan-service.ts";

/** `NAMESPACE/NAME[@REVISION]`, optionally prefixed `datasets/` or `spaces/`: a repo of the instance. */
const REPO_ARGUMENT = /^(?:(datasets|spaces|models)\/)?([^/@\s]+\/[^/@\s]+)(?:@(.+))?$/;

export function looksLikeRepoId(argument: string): boolean {
  return REPO_ARGUMENT.test(argument);
}

/**
 * The stored verdicts of a repo's files at a revision (the default branch when none is named); files
 * without a verdict under the current rules are scanned now and their verdicts stored.
 */
export async function scanRepoFiles(hangar: Hangar, argument: string): Promise<ScanResult[]> {
  const [, prefix, id, revision] = REPO_ARGUMENT.exec(argument)!;
  const type = prefix === "datasets" ? "dataset" : prefix === "spaces" ? "space" : "model";
  const details = await getRepo(hangar, localAdministrator(), {
    ref: parseRepoId(id!, type),
    ...(revision ? { revision } : {}),
    security: true,
  });
  const results: ScanResult[] = [];
  let scannedNow = false;
  for (const file of details.security ?? []) {
    let stored = file.result;
    if (!stored) {
      const size = details.files.find((candidate) => candidate.path === file.path)?.size ?? 0;
      const siblings = needsSiblings(file.path) ? siblingsOf(file.path, details.files) : undefined;
      stored = await scanAndStore(hangar, {
        sha256: file.sha256,
        size,
        name: file.path,
        ...(siblings ? { siblings } : {}),
      });
      scannedNow = true;
    }
    results.push({
      path: file.path,
      format: stored.format,
      verdict: stored.verdict,
      findings: stored.findings as unknown as ScanResult["findings"],
    });
  }
  if (scannedNow && details.commit && details.commit.oid === details.repo.sha) {
    await refreshRepoScanStatus(hangar, details.repo.pk, details.commit.pk);
  }
  return results;
}

/**
 * `hangar scan --rescan`: forgets verdicts of older rules versions and scans every committed blob without a
 * verdict under the current rules, now.
 */
export async function rescanAll(hangar: Hangar): Promise<ScanPassReport & { dropped: number }> {
  const dropped = await hangar.catalog.scanResults.dropOtherVersions(SCANNER_RULES_VERSION);
  const report = await hangar.scans.pass({ refreshAll: true });
  return { ...report, dropped };
}
