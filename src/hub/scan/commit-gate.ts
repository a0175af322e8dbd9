import { HangarError } from "../../core/errors.ts";
import type { BlockableVerdict } from "../../core/hub-config.ts";
import { SCANNER_RULES_VERSION } from "../../governance/scan/index.ts";
import type { AddedFile, HubScope } from "../hub.ts";
import { needsSiblings, scanAndStore, scanStoredBlob } from "./scan-blob.ts";

/**
 * With a block policy, scans (or looks up) every file a commit or push adds before its ref moves, and refuses the
 * commit with 422 on the first file whose verdict the policy blocks, naming the file and the finding.
 * Verdicts found here are stored, so the background scanner does not scan those blobs again.
 */
export async function refuseBlockedFiles(
  hub: HubScope,
  files: readonly AddedFile[],
  block: readonly BlockableVerdict[],
): Promise<void> {
  if (block.length === 0) return;
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.sha256)) continue;
    seen.add(file.sha256);
    const { sha256, size } = file;
    // A file checked against its neighbours (ONNX external data, shard indexes) is judged here without them
    // and its verdict not kept: the background scanner stores the one made with the committed tree.
    const result =
      (await hub.catalog.scanResults.get(sha256, SCANNER_RULES_VERSION)) ??
      (needsSiblings(file.path)
        ? await scanStoredBlob(hub, { sha256, size, name: file.path })
        : await scanAndStore(hub, { sha256, size, name: file.path }));
    if (!(block as readonly string[]).includes(result.verdict)) continue;
    const finding = result.findings.find((candidate) => candidate.severity === result.verdict);
    const what = finding
      ? `${String(finding.rule)}${finding.import ? ` (${String(finding.import)})` : finding.construct ? ` (${String(finding.construct)})` : ""}: ${String(finding.message)}`
      : "flagged by the scanner";
    throw new HangarError(
      "HANGAR_ERR_SCAN_BLOCKED",
      `${file.path} is ${result.verdict} and this instance refuses ${result.verdict} files: ${what}`,
      { details: { path: file.path, verdict: result.verdict, findings: result.findings.slice(0, 20) } },
    );
  }
}
