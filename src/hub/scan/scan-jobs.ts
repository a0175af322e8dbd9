import { type ScanResult, scanSource } from "../../governance/scan/index.ts";
import { openFileSource } from "../../governance/scan/source.ts";

export interface ScanFileJob {
  /** The blob as a file on this machine. */
  path: string;
  /** The path it is committed under (extension-based decisions, findings). */
  name: string;
  siblings?: Record<string, number>;
}

/** Scans a blob file on a worker thread (src/core/job-worker.ts), off the server's event loop. */
async function scanBlobFile(job: ScanFileJob): Promise<ScanResult> {
  const source = await openFileSource(job.path);
  try {
    return await scanSource(source, {
      name: job.name,
      ...(job.siblings ? { siblings: job.siblings } : {}),
    });
  } finally {
    await source.close();
  }
}

export const jobs = { scanBlobFile };
