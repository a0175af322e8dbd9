import { HangarError } from "../../core/errors.ts";
import { JobWorker } from "../../core/job-worker.ts";
import { nowIso } from "../../core/time.ts";
import {
  SCANNER_RULES_VERSION,
  type ScanResult,
  scanSource,
  unscannable,
} from "../../governance/scan/index.ts";
import type { StoredScanResult } from "../../store/scan-results-table.ts";
import type { HubScope } from "../hub.ts";
import { blobSource } from "./blob-source.ts";
import type { jobs } from "./scan-jobs.ts";

/** The worker thread blob files are scanned on (the filesystem engine): the event loop keeps serving. */
const scanWorker = new JobWorker<typeof jobs>({
  moduleUrl: new URL("./scan-jobs.ts", import.meta.url).href,
  name: "hangar scan",
  // A many-GB pickle is walked opcode by opcode: minutes, not the 30 s a header parse gets.
  timeoutMs: 30 * 60_000,
  maxHeapMb: 1024,
});

export interface BlobToScan {
  sha256: string;
  size: number;
  /** The path the blob is committed under (formats are told by extension as well as by bytes). */
  name: string;
  /** Files next to it in the commit, by path relative to its folder, with sizes (ONNX data, shard indexes). */
  siblings?: Record<string, number>;
}

/** Scans a stored blob: on the worker thread when the blob is a local file, else through bounded range reads. */
export async function scanStoredBlob(hub: HubScope, blob: BlobToScan): Promise<ScanResult> {
  // A blob not (yet) in the store (a mirror whose bytes come later) is no verdict: the caller tries again.
  if ((await hub.blobs.sizeOf(blob.sha256)) === null) {
    throw new HangarError("HANGAR_ERR_BLOB_MISSING", `Blob ${blob.sha256} is not in the blob store`);
  }
  const local = hub.blobs.localPath(blob.sha256);
  try {
    if (local !== undefined) {
      return await scanWorker.run("scanBlobFile", {
        path: local,
        name: blob.name,
        ...(blob.siblings ? { siblings: blob.siblings } : {}),
      });
    }
    return await scanSource(blobSource(hub.blobs, blob.sha256, blob.size), {
      name: blob.name,
      ...(blob.siblings ? { siblings: blob.siblings } : {}),
    });
  } catch (error) {
    if ((error as { code?: string }).code === "HANGAR_ERR_BLOB_MISSING") throw error;
    return unscannable(blob.name, error);
  }
}

/** Scans a blob and stores its verdict under the current rules version. */
export async function scanAndStore(hub: HubScope, blob: BlobToScan): Promise<StoredScanResult> {
  const result = await scanStoredBlob(hub, blob);
  const stored: StoredScanResult = {
    sha256: blob.sha256,
    rulesVersion: SCANNER_RULES_VERSION,
    format: result.format,
    verdict: result.verdict,
    findings: result.findings as unknown as StoredScanResult["findings"],
    scannedAt: nowIso(),
  };
  await hub.catalog.scanResults.put(stored);
  return stored;
}

/** The files of a commit next to `path`, by path relative to its folder, with sizes. */
export function siblingsOf(
  path: string,
  files: ReadonlyArray<{ path: string; size: number }>,
): Record<string, number> {
  const slash = path.lastIndexOf("/");
  const folder = slash === -1 ? "" : path.slice(0, slash + 1);
  const siblings: Record<string, number> = {};
  for (const file of files) {
    if (file.path === path || !file.path.startsWith(folder)) continue;
    siblings[file.path.slice(folder.length)] = file.size;
  }
  return siblings;
}

/** Whether a file's verdict depends on the files next to it (worth listing them). */
export function needsSiblings(path: string): boolean {
  return /\.onnx$/i.test(path) || /\.index\.json$/i.test(path);
}
