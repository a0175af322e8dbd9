// The uploads `bench:upload` runs beside its main ingest: the same protocol with only the basic transfer
// offered (one PUT, to locate costs), the real `@huggingface/hub` client end to end with its phases, and the
// PostgreSQL + S3 row (issue 12).
import { pathToFileURL } from "node:url";
import { uploadFilesWithProgress } from "@huggingface/hub";
import { hashFile } from "./data-file.ts";
import { buildHome } from "./fixtures.ts";
import { type HangarProcess, startHangarProcess } from "./hangar-process.ts";
import { checkStored, type IngestResult, ingest } from "./lfs-ingest.ts";
import { printLoad } from "./machine.ts";
import { RssSampler, readProcessCpuSeconds } from "./rss.ts";
import { POSTGRES_SERVER_URL, postgresAvailable, startScaleOut } from "./scale-out.ts";
import { megabytes, megabytesPerSecond, round, secondsSince } from "./stats.ts";
import { makeTempDir, onCleanup } from "./temp.ts";

/** The upload with only the `basic` transfer offered: one PUT of the object, the server's RSS sampled. */
export async function ingestBasicOnly(params: {
  server: HangarProcess;
  repoId: string;
  path: string;
  size: number;
  token: string;
}): Promise<IngestResult & { MBps: number; peakRssMB: number }> {
  const { server, repoId, path, size } = params;
  const hash = await hashFile(path);
  const sampler = new RssSampler(server.pid);
  sampler.start();
  const result = await ingest({
    baseUrl: server.url,
    repoId,
    path,
    oid: hash.sha256,
    size,
    transfers: ["basic"],
    serverPids: [server.pid],
    token: params.token,
  });
  const peak = sampler.stop().peak;
  await checkStored(server.url, repoId, hash.sha256, size);
  return {
    ...result,
    MBps: round(megabytesPerSecond(size, result.seconds), 0),
    peakRssMB: megabytes(peak),
  };
}

export interface LibraryUpload {
  seconds: number;
  hashingSeconds: number;
  uploadSeconds: number;
  commitSeconds: number;
  MBps: number;
  peakRssMB: number;
}

/**
 * The real `@huggingface/hub` upload (`uploadFilesWithProgress`, no Xet) of `path` end to end, the server's
 * RSS sampled; its progress events split the client's time: hashing the file, sending it, committing.
 */
export async function uploadWithHubLibrary(params: {
  server: HangarProcess;
  repoId: string;
  path: string;
  size: number;
  token: string;
}): Promise<LibraryUpload> {
  const { server, repoId, path, size } = params;
  const sampler = new RssSampler(server.pid);
  sampler.start();
  const start = process.hrtime.bigint();
  let uploadStartedAt: number | undefined;
  let commitStartedAt: number | undefined;
  for await (const event of uploadFilesWithProgress({
    repo: { type: "model", name: repoId },
    files: [pathToFileURL(path)],
    hubUrl: server.url,
    accessToken: params.token,
    useXet: false,
  })) {
    if (event.event === "fileProgress" && event.state === "uploading" && uploadStartedAt === undefined) {
      uploadStartedAt = secondsSince(start);
    }
    if (event.event === "phase" && event.phase === "committing") commitStartedAt = secondsSince(start);
  }
  const seconds = secondsSince(start);
  const peak = sampler.stop().peak;
  const hash = await hashFile(path);
  await checkStored(server.url, repoId, hash.sha256, size);
  return {
    seconds: round(seconds, 2),
    hashingSeconds: round(uploadStartedAt ?? Number.NaN, 2),
    uploadSeconds: round((commitStartedAt ?? Number.NaN) - (uploadStartedAt ?? Number.NaN), 2),
    commitSeconds: round(seconds - (commitStartedAt ?? Number.NaN), 3),
    MBps: round(megabytesPerSecond(size, seconds), 0),
    peakRssMB: megabytes(peak),
  };
}

/**
 * The PostgreSQL + S3 row (issue 12): the same upload into a Hangar node on a fresh database and an s3rver
 * bucket. The LFS batch hands out presigned part URLs, so the parts go straight to s3rver; Hangar completes
 * the S3 multipart upload and commits. CPU counts Hangar and s3rver together (Hangar alone is also kept).
 * Undefined (with one line) when no PostgreSQL answers.
 */
export async function ingestOnScaleOut(params: {
  repoId: string;
  path: string;
  oid: string;
  size: number;
  token: string;
}): Promise<(IngestResult & { hangarCpuSeconds: number; MBps: number }) | undefined> {
  const { repoId, path, oid, size } = params;
  if (!(await postgresAvailable())) {
    process.stdout.write(`\nPostgreSQL + S3 row skipped: no PostgreSQL at ${POSTGRES_SERVER_URL}\n`);
    return undefined;
  }
  const engines = await startScaleOut();
  const home = await makeTempDir("upload-home-pg");
  await buildHome({ home, config: engines.config(home), repos: [repoId] });
  const server = await startHangarProcess(home, { ...engines.env, HANGAR_ADMIN_TOKEN: params.token });
  onCleanup(server.stop);
  const hangarBefore = readProcessCpuSeconds(server.pid);
  const result = await ingest({
    baseUrl: server.url,
    repoId,
    path,
    oid,
    size,
    transfers: ["basic", "multipart"],
    serverPids: [server.pid, engines.s3.pid],
    token: params.token,
  });
  const hangarCpuSeconds = readProcessCpuSeconds(server.pid) - hangarBefore;
  await checkStored(server.url, repoId, oid, size);
  await server.stop();
  printLoad("after the PostgreSQL + S3 ingest");
  return { ...result, hangarCpuSeconds, MBps: megabytesPerSecond(size, result.seconds) };
}
