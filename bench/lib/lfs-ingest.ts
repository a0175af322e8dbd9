// The LFS upload protocol driven by hand, as `@huggingface/hub` does it minus its own hashing (batch, basic
// PUT or multipart parts + completion, verify, NDJSON commit), timed per phase, for `bench:upload`.
import { putFileRange, request } from "./http-client.ts";
import { readProcessCpuSeconds } from "./rss.ts";
import { secondsSince } from "./stats.ts";

/** As many parts in flight as `@huggingface/hub` uses for multipart uploads. */
const PARALLEL_PARTS = 5;
const LFS_TYPE = "application/vnd.git-lfs+json";

export function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

interface BatchObject {
  oid: string;
  size: number;
  actions?: {
    upload?: { href: string; header?: Record<string, string> };
    verify?: { href: string };
  };
  error?: { code: number; message: string };
}

export interface IngestResult {
  seconds: number;
  transfer: "basic" | "multipart" | "already stored";
  parts: number;
  chunkSize: number;
  phases: { batch: number; upload: number; verify: number; commit: number };
  /** CPU seconds the server used for the whole ingest. */
  serverCpuSeconds: number;
  /** CPU seconds this process (the client) used meanwhile. */
  clientCpuSeconds: number;
  commitOid: string;
}

export function auth(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export function expectOk(what: string, answer: { status: number; body: string }): void {
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(`${what} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
  }
}

/** PUTs a file in parts, PARALLEL_PARTS at a time as `@huggingface/hub` does; returns each part's ETag. */
export async function putParts(params: {
  path: string;
  size: number;
  chunkSize: number;
  urlOf: (part: number) => string;
}): Promise<Map<number, string>> {
  const { path, size, chunkSize } = params;
  const count = Math.ceil(size / chunkSize);
  const etags = new Map<number, string>();
  let next = 1;
  const worker = async () => {
    for (let part = next++; part <= count; part = next++) {
      const first = (part - 1) * chunkSize;
      const answer = await putFileRange(params.urlOf(part), path, {
        start: first,
        end: Math.min(size, first + chunkSize) - 1,
      });
      expectOk(`PUT of part ${part}`, answer);
      const etag = answer.headers.etag;
      if (!etag) throw new Error(`PUT of part ${part} answered without an ETag`);
      etags.set(part, etag);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, count) }, worker));
  return etags;
}

/** Runs the upload protocol by hand (as `@huggingface/hub` does, minus its own hashing), timing each phase. */
export async function ingest(params: {
  baseUrl: string;
  repoId: string;
  path: string;
  oid: string;
  size: number;
  transfers: string[];
  /** The processes whose CPU the ingest costs (Hangar; with S3, the object store too). */
  serverPids: number[];
  /** The admin token the protocol's requests carry. */
  token: string;
}): Promise<IngestResult> {
  const { baseUrl, repoId, path, oid, size } = params;
  const serverCpu = () => params.serverPids.reduce((sum, pid) => sum + readProcessCpuSeconds(pid), 0);
  const cpuBefore = serverCpu();
  const clientBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const batch = await request(`${baseUrl}/${repoId}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: { ...auth(params.token), Accept: LFS_TYPE, "Content-Type": LFS_TYPE },
    body: JSON.stringify({
      operation: "upload",
      transfers: params.transfers,
      hash_algo: "sha_256",
      ref: { name: "main" },
      objects: [{ oid, size }],
    }),
  });
  expectOk("LFS batch", batch);
  const batchSeconds = secondsSince(start);
  const object = (JSON.parse(batch.body) as { objects: BatchObject[] }).objects.find(
    (item) => item.oid === oid,
  );
  if (!object) throw new Error(`The batch reply does not list ${oid}`);
  if (object.error) throw new Error(`The batch reply refused the object: ${object.error.message}`);

  const uploadStart = process.hrtime.bigint();
  const upload = object.actions?.upload;
  let transfer: IngestResult["transfer"] = "already stored";
  let parts = 0;
  let chunk = size;
  if (upload?.header?.chunk_size) {
    transfer = "multipart";
    const chunkSize = Number(upload.header.chunk_size);
    const partKeys = Object.keys(upload.header).filter((key) => /^\d+$/.test(key));
    parts = partKeys.length;
    if (parts !== Math.ceil(size / chunkSize)) {
      throw new Error(`${parts} part URLs for ${size} bytes in chunks of ${chunkSize}`);
    }
    chunk = chunkSize;
    const etags = await putParts({ path, size, chunkSize, urlOf: (part) => upload.header![String(part)]! });
    const completion = await request(upload.href, {
      method: "POST",
      headers: { Accept: LFS_TYPE, "Content-Type": LFS_TYPE },
      body: JSON.stringify({
        oid,
        parts: [...etags.entries()]
          .sort(([a], [b]) => a - b)
          .map(([partNumber, etag]) => ({ partNumber, etag })),
      }),
    });
    expectOk("multipart completion", completion);
  } else if (upload) {
    transfer = "basic";
    parts = 1;
    expectOk("PUT of the object", await putFileRange(upload.href, path, { start: 0, end: size - 1 }));
  }
  const uploadSeconds = secondsSince(uploadStart);

  const verifyStart = process.hrtime.bigint();
  const verifyHref = object.actions?.verify?.href;
  if (verifyHref) {
    const verified = await request(verifyHref, {
      method: "POST",
      headers: { ...auth(params.token), Accept: LFS_TYPE, "Content-Type": LFS_TYPE },
      body: JSON.stringify({ oid, size }),
    });
    expectOk("LFS verify", verified);
  }
  const verifySeconds = secondsSince(verifyStart);

  const commitStart = process.hrtime.bigint();
  const ndjson = [
    { key: "header", value: { summary: "Upload benchmark weights", description: "" } },
    { key: "lfsFile", value: { path: "weights.bin", algo: "sha256", oid, size } },
  ]
    .map((line) => JSON.stringify(line))
    .join("\n");
  const committed = await request(`${baseUrl}/api/models/${repoId}/commit/main`, {
    method: "POST",
    headers: { ...auth(params.token), "Content-Type": "application/x-ndjson" },
    body: ndjson,
  });
  expectOk("commit", committed);
  const commitSeconds = secondsSince(commitStart);
  return {
    seconds: secondsSince(start),
    transfer,
    parts,
    chunkSize: chunk,
    phases: { batch: batchSeconds, upload: uploadSeconds, verify: verifySeconds, commit: commitSeconds },
    serverCpuSeconds: serverCpu() - cpuBefore,
    clientCpuSeconds: cpuSeconds(process.cpuUsage(clientBefore)),
    commitOid: (JSON.parse(committed.body) as { commitOid: string }).commitOid,
  };
}

/** Checks that the committed file is what was sent: its LFS sha256 and size, through `resolve`. */
export async function checkStored(baseUrl: string, repoId: string, oid: string, size: number): Promise<void> {
  const head = await request(`${baseUrl}/${repoId}/resolve/main/weights.bin`, { method: "HEAD" });
  const etag = String(head.headers["x-linked-etag"] ?? head.headers.etag ?? "").replace(/^W\//, "");
  // An S3 store answers 302 to a presigned URL, with the same X-Linked-* headers.
  if ((head.status !== 200 && head.status !== 302) || etag.replaceAll('"', "") !== oid) {
    throw new Error(`resolve answered ${head.status} with etag ${etag} after the upload, expected ${oid}`);
  }
  const linkedSize = Number(head.headers["x-linked-size"] ?? head.headers["content-length"]);
  if (linkedSize !== size) throw new Error(`resolve reports ${linkedSize} bytes, expected ${size}`);
}
