import type { BlobStorage } from "./blob-store-types.ts";

export interface BlobCopyProgress {
  /** Blobs handled so far (copied, already there, or failed). */
  done: number;
  total: number;
  /** Bytes copied so far by this run. */
  bytes: number;
}

export interface CopyBlobsOptions {
  onProgress?: (progress: BlobCopyProgress) => void;
  /** Blobs copied at once (default 4): object stores answer each request after a round trip. */
  concurrency?: number;
}

export interface BlobCopyFailure {
  sha256: string;
  message: string;
}

export interface CopyBlobsReport {
  /** Blobs in the source store. */
  total: number;
  copied: number;
  copiedBytes: number;
  /** Blobs the target had already (an earlier run, or another instance's). */
  skipped: number;
  failed: BlobCopyFailure[];
}

/** Runs `work` on each item with at most `concurrency` at once; the first throw stops the rest. */
export async function eachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let stopped = false;
  const worker = async () => {
    try {
      while (!stopped && next < items.length) await work(items[next++]!);
    } catch (error) {
      stopped = true;
      throw error;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

/**
 * Copies every blob of `source` that `target` lacks, streamed, each checked against its sha256 and size by
 * the target's put (a blob whose bytes no longer match its name is reported, not copied). Blobs the target
 * has are skipped, so a run that was interrupted is completed by running again.
 */
export async function copyBlobs(
  source: BlobStorage,
  target: BlobStorage,
  options: CopyBlobsOptions = {},
): Promise<CopyBlobsReport> {
  const names: string[] = [];
  for await (const sha256 of source.list()) names.push(sha256);
  const report: CopyBlobsReport = { total: names.length, copied: 0, copiedBytes: 0, skipped: 0, failed: [] };
  let done = 0;
  options.onProgress?.({ done, total: names.length, bytes: 0 });
  await eachConcurrently(names, options.concurrency ?? 4, async (sha256) => {
    try {
      if (await target.has(sha256)) {
        report.skipped++;
      } else {
        const stat = await source.stat(sha256);
        if (stat === undefined) throw new Error("it disappeared from the source store");
        await target.put(await source.openRead(sha256), {
          expectedSha256: sha256,
          expectedSize: stat.size,
          gitOid: false,
        });
        report.copied++;
        report.copiedBytes += stat.size;
      }
    } catch (error) {
      report.failed.push({ sha256, message: error instanceof Error ? error.message : String(error) });
    }
    done++;
    options.onProgress?.({ done, total: names.length, bytes: report.copiedBytes });
  });
  return report;
}

/** The blobs of `sha256s` that `store` does not have. */
export async function missingBlobs(
  store: BlobStorage,
  sha256s: readonly string[],
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<string[]> {
  const missing: string[] = [];
  let done = 0;
  await eachConcurrently(sha256s, options.concurrency ?? 8, async (sha256) => {
    if (!(await store.has(sha256))) missing.push(sha256);
    options.onProgress?.(++done, sha256s.length);
  });
  return missing.sort();
}
