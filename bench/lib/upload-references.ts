// The references `bench:upload` sets Hangar's ingest beside, over the same bytes on the same machine: Node's
// sha256 of the file, durable writes of it (Node through the page cache, dd with O_DIRECT), and a bare
// Node.js server that only hashes the same parts (`hashing-sink.ts`).
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { copyDirectWithDd, copyDurably, hashFile } from "./data-file.ts";
import type { HashingSink } from "./hashing-sink.ts";
import { cpuSeconds, putParts } from "./lfs-ingest.ts";
import { readProcessCpuSeconds } from "./rss.ts";
import { megabytesPerSecond, secondsSince } from "./stats.ts";

export interface FileReferences {
  /** The fastest of the sha256 runs (its digest is the file's LFS oid). */
  hashed: { sha256: string; seconds: number; bytes: number };
  hashRate: number;
  /** The fastest write + fsync through the page cache. */
  copied: { seconds: number; bytes: number };
  diskRate: number;
  /** The fastest dd direct write; undefined where dd or O_DIRECT is not available. */
  ddSeconds: number | undefined;
  ddRate: number | undefined;
}

/**
 * Node's sha256 over the file, read the same way as the uploads read it (1 MB reads from the page cache),
 * then durable writes of the same bytes on the filesystem of the blob store (both are under the system temp
 * dir, in `dataDir`): through the page cache (Node) and bypassing it as Hangar does (dd). Each reference is
 * the best of `runs`: the machine's capacity, not its worst moment.
 */
export async function measureFileReferences(
  dataFile: string,
  dataDir: string,
  runs: number,
): Promise<FileReferences> {
  const hashRuns = [];
  for (let run = 0; run < runs; run++) hashRuns.push(await hashFile(dataFile));
  const hashed = hashRuns.reduce((best, next) => (next.seconds < best.seconds ? next : best));
  const hashRate = megabytesPerSecond(hashed.bytes, hashed.seconds);
  const copyRuns = [];
  const ddRuns: number[] = [];
  const copyTarget = join(dataDir, "durable-copy.bin");
  for (let run = 0; run < runs; run++) {
    copyRuns.push(await copyDurably(dataFile, copyTarget));
    await rm(copyTarget);
    const ddSeconds = await copyDirectWithDd(dataFile, copyTarget);
    if (ddSeconds !== undefined) ddRuns.push(ddSeconds);
    await rm(copyTarget, { force: true });
  }
  const copied = copyRuns.reduce((best, next) => (next.seconds < best.seconds ? next : best));
  const diskRate = megabytesPerSecond(copied.bytes, copied.seconds);
  const ddSeconds = ddRuns.length > 0 ? Math.min(...ddRuns) : undefined;
  const ddRate = ddSeconds === undefined ? undefined : megabytesPerSecond(hashed.bytes, ddSeconds);
  return { hashed, hashRate, copied, diskRate, ddSeconds, ddRate };
}

export interface SinkReference {
  seconds: number;
  rate: number;
  /** CPU seconds of the sink and of this process (the client) while the parts went in. */
  cpu: { server: number; client: number };
}

/** The same parts, client and loopback into the bare Node.js server that only hashes them. */
export async function measureHashingSink(
  sink: HashingSink,
  dataFile: string,
  size: number,
  chunkSize: number,
): Promise<SinkReference> {
  const sinkCpuBefore = readProcessCpuSeconds(sink.pid);
  const sinkClientBefore = process.cpuUsage();
  const sinkStart = process.hrtime.bigint();
  await putParts({
    path: dataFile,
    size,
    chunkSize,
    urlOf: (part) => `${sink.url}/part/${part}`,
  });
  const seconds = secondsSince(sinkStart);
  const cpu = {
    server: readProcessCpuSeconds(sink.pid) - sinkCpuBefore,
    client: cpuSeconds(process.cpuUsage(sinkClientBefore)),
  };
  return { seconds, rate: megabytesPerSecond(size, seconds), cpu };
}
