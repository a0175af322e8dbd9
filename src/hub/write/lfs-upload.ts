import { createHash, randomBytes } from "node:crypto";
import { constants, readdirSync, rmSync, writeFileSync } from "node:fs";
import { type FileHandle, mkdir, open, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { badRequest, HangarError } from "../../core/errors.ts";
import { type ChunkSource, feedChunks } from "../../core/feed-chunks.ts";
import type { Repo, RepoRef } from "../../core/types.ts";
import { repoUrlPrefix } from "../../core/validate.ts";
import { BlobStore } from "../../store/blob-store.ts";
import { FileWriter } from "../../store/file-writer.ts";
import type { HubContext, HubScope } from "../hub.ts";
import { acquireBlobLeases, type BlobLease } from "../maintenance/blob-leases.ts";
import { recordReceivedLfsObject, repoHoldsLfsObject } from "./held-lfs-objects.ts";
import { PENDING_COMMIT_LEASE_MS } from "./lfs-batch.ts";
import { RangeHasher } from "./lfs-hasher.ts";
import { type SignedUpload, verifyUploadQuery } from "./lfs-signing.ts";
import { completeStoreMultipart, type StoreUpload, uploadStorePart } from "./lfs-store-multipart.ts";

/**
 * The upload side of LFS: bytes arrive on signed URLs (no Authorization header) and stream into the blob
 * store, which checks sha256 and size as they arrive and keeps nothing that does not match. Uploads in
 * flight exist only as files under the blob store's temp folder, where maintenance can see their age. Bytes
 * of an object the store already holds for other repos are checked all the same, then dropped: only bytes
 * that hash to the object make a repo hold it (see repoHoldsLfsObject).
 */
export interface LfsUploadTarget {
  repo: RepoRef;
  oid: string;
  /** The signed query of the URL (`size`, `expires`, `chunk`, `signature`, and `part` for parts). */
  query: URLSearchParams;
  now?: number;
}

type Body = ChunkSource;

/** Reads a body to its end, discarding it (the repo already holds the object). */
function drain(body: Body): Promise<void> {
  return feedChunks(body, () => undefined);
}

/**
 * Reads a body to its end and checks that it is the object's bytes, keeping none of them: the store already
 * has the object. Refuses a body that does not match with the blob store's own messages.
 */
async function checkWithoutStoring(body: Body, upload: SignedUpload): Promise<void> {
  const hash = createHash("sha256");
  let size = 0;
  await feedChunks(body, (chunk) => {
    size += chunk.byteLength;
    if (size > upload.size) throw badRequest(`Received more than the announced ${upload.size} bytes`);
    hash.update(chunk);
  });
  if (size !== upload.size) throw badRequest(`Received ${size} bytes, but ${upload.size} were announced`);
  const digest = hash.digest("hex");
  if (digest !== upload.oid) {
    throw badRequest(`Content sha256 is ${digest}, but ${upload.oid} was announced`);
  }
}

export function assertDeclaredLength(declared: number | undefined, expected: number, what: string): void {
  if (declared !== undefined && declared !== expected) {
    throw badRequest(`${what} must be ${expected} bytes, but the request announces ${declared} bytes`);
  }
}

/** A body cut short because the client went away is the client's failure (400), not an internal error. */
export function brokenOff(error: unknown, what: string): unknown {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  if (code !== "ECONNRESET" && code !== "ERR_STREAM_PREMATURE_CLOSE") return error;
  return badRequest(`${what} broke off before its last byte: send it again`);
}

async function alreadyStored(hub: HubScope, upload: SignedUpload): Promise<boolean> {
  return (await hub.blobs.sizeOf(upload.oid)) === upload.size;
}

/** Whether the repo holds the object already, so the upload (a client's retry) has nothing left to do. */
export function alreadyHeld(hub: HubScope, repo: Repo, upload: SignedUpload): Promise<boolean> {
  return repoHoldsLfsObject(hub, { repoPk: repo.pk, object: { oid: upload.oid, size: upload.size } });
}

/**
 * The repo the upload URL was signed for. It is looked up by name, as signed: after a move the URL no
 * longer names the repo, and the client asks the batch API again.
 */
export async function uploadRepo(hub: HubScope, upload: SignedUpload): Promise<Repo> {
  const repo = await hub.catalog.repos.get(upload.repo);
  if (!repo) {
    const id = `${repoUrlPrefix(upload.repo.type)}${upload.repo.namespace}/${upload.repo.name}`;
    throw new HangarError(
      "HANGAR_ERR_REPO_NOT_FOUND",
      `The repository ${id} of this upload URL no longer exists (deleted or moved): ask the LFS batch API for a new URL`,
    );
  }
  return repo;
}

/**
 * Leases the object against gc, from before it is found stored (so the copy the bytes are checked against
 * stays) until its commit, which comes in a later request, or never: the lease then ends by itself.
 */
export function leaseUntilCommit(hub: HubContext, upload: SignedUpload): Promise<BlobLease> {
  return acquireBlobLeases(hub, [upload.oid], { ttlMs: PENDING_COMMIT_LEASE_MS });
}

/** Records that the repo received the object whole: its next commit may point at it. */
export function recordUpload(hub: HubContext, repo: Repo, upload: SignedUpload): Promise<void> {
  return recordReceivedLfsObject(hub, {
    repoPk: repo.pk,
    repoId: repo.id,
    object: { oid: upload.oid, size: upload.size },
  });
}

/** A single PUT of a whole object. */
export async function uploadLfsObject(
  hub: HubContext,
  target: LfsUploadTarget & { body: Body; contentLength?: number },
): Promise<void> {
  const upload = await verifyUploadQuery(hub, target.repo, target.oid, target.query, target.now);
  if (upload.chunkSize !== 0) {
    throw badRequest(
      "This object is uploaded in parts: PUT each part to its own URL, then POST the completion",
    );
  }
  assertDeclaredLength(target.contentLength, upload.size, `Object ${upload.oid}`);
  const repo = await uploadRepo(hub, upload);
  await leaseUntilCommit(hub, upload);
  if (await alreadyHeld(hub, repo, upload)) {
    await drain(target.body);
    return;
  }
  try {
    if (await alreadyStored(hub, upload)) await checkWithoutStoring(target.body, upload);
    else {
      await hub.blobs.put(target.body, {
        expectedSha256: upload.oid,
        expectedSize: upload.size,
        releaseChunks: true,
      });
    }
  } catch (error) {
    throw brokenOff(error, `The upload of ${upload.oid}`);
  }
  await recordUpload(hub, repo, upload);
}

/**
 * The filesystem store, which multipart uploads without a store session assemble in. Such a URL reaching
 * another engine was handed out before the instance moved its blobs: the client asks the batch API again.
 */
function fsBlobs(hub: HubScope): BlobStore {
  if (hub.blobs instanceof BlobStore) return hub.blobs;
  throw new HangarError(
    "HANGAR_ERR_FORBIDDEN",
    "This upload URL is not valid: it was made for another blob store. Ask for a new one.",
  );
}

function hasStoreSession(upload: SignedUpload): upload is StoreUpload {
  return upload.uploadId !== undefined;
}

/**
 * A multipart upload in progress is one folder in the blob store's temp folder: `data`, the object being
 * assembled (each part written at its own offset, so completion has nothing to copy), and one empty marker
 * `part-<n>.<etag>` per part received whole. The markers are the only state on disk; they survive a crash,
 * and a part's marker is removed before its bytes are overwritten, so a marker always describes the bytes
 * at its offset. The markers only tell which parts arrived: the object's sha256 is always checked over the
 * whole file before it enters the store.
 */
function partsFolder(hub: HubScope, upload: SignedUpload): string {
  // One folder per repo: uploads of one object to two repos never touch each other's parts.
  const repo = createHash("sha256")
    .update([upload.repo.type, upload.repo.namespace, upload.repo.name].join("\n").toLowerCase())
    .digest("hex")
    .slice(0, 16);
  return join(fsBlobs(hub).tempDir, `multipart-${upload.oid}-${upload.size}-${upload.chunkSize}-${repo}`);
}

const DATA_FILE = "data";
/** Read size of the fallback hash pass. */
const HASH_READ_BYTES = 4 * 1024 * 1024;

export function partLength(upload: SignedUpload, part: number): number {
  return Math.min(upload.chunkSize, upload.size - (part - 1) * upload.chunkSize);
}

export function partCount(upload: SignedUpload): number {
  return Math.ceil(upload.size / upload.chunkSize);
}

export function parsePartNumber(upload: SignedUpload, value: unknown): number {
  const part = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof part !== "number" || !Number.isSafeInteger(part) || part < 1 || part > partCount(upload)) {
    throw badRequest(`Invalid part number "${String(value)}": expected 1 to ${partCount(upload)}`);
  }
  return part;
}

/**
 * What this process knows of a multipart upload while requests on it are running. Parts of one object
 * share one file, so a completion must not hash (and then move into the store) a file that a part request
 * is still writing to: completion seals the session, waits for the writes already issued, and any part
 * request still running stops before its next write. A retried part supersedes an older attempt at the
 * same part the same way. (Like blob leases, this guards requests within one server process, the embedded
 * default.)
 */
interface MultipartSession {
  chunkSize: number;
  /** The newest attempt at each part; an older attempt still receiving stops at its next write. */
  attempts: Map<number, string>;
  /** Positional writes issued and not yet settled. */
  writes: Set<Promise<unknown>>;
  /** Part requests running. */
  requests: number;
  /** A completion is running: no new write may start. */
  sealed: boolean;
  /** Parts received whole by this process, with their attempt: what the running hash may read. */
  whole: Map<number, string>;
  prefix: PrefixHash;
  lastUsed: number;
}

/**
 * The sha256 of the object's leading parts, computed while later parts are still arriving, so completion
 * hashes only what is left. `parts[k - 1]` is the attempt of part k whose bytes were hashed; completion uses
 * the prefix only when those are the attempts it is asked to join, and a new attempt at a hashed part
 * starts the prefix over (its bytes change).
 */
interface PrefixHash {
  hash: RangeHasher;
  parts: string[];
  /** Bumped whenever the prefix starts over, so a read in flight knows its bytes no longer count. */
  generation: number;
  running?: Promise<void>;
}

/** A session nobody has used for this long (an abandoned upload) is forgotten; its files stay for gc. */
const SESSION_IDLE_MS = 60 * 60 * 1000;

const sessionsByStore = new WeakMap<HubContext["blobs"], Map<string, MultipartSession>>();

function sessionOf(hub: HubScope, folder: string, upload: SignedUpload): MultipartSession {
  let sessions = sessionsByStore.get(hub.blobs);
  if (!sessions) {
    sessions = new Map();
    sessionsByStore.set(hub.blobs, sessions);
  }
  const now = Date.now();
  for (const [key, idle] of sessions) {
    if (idle.requests === 0 && !idle.sealed && now - idle.lastUsed > SESSION_IDLE_MS) {
      idle.prefix.hash.dispose();
      sessions.delete(key);
    }
  }
  let session = sessions.get(folder);
  if (!session) {
    session = {
      chunkSize: upload.chunkSize,
      attempts: new Map(),
      writes: new Set(),
      requests: 0,
      sealed: false,
      whole: new Map(),
      prefix: { hash: new RangeHasher(), parts: [], generation: 0 },
      lastUsed: now,
    };
    sessions.set(folder, session);
  }
  session.lastUsed = now;
  return session;
}

function releaseSession(hub: HubScope, folder: string, session: MultipartSession): void {
  if (session.requests === 0 && !session.sealed && session.whole.size === 0) {
    sessionsByStore.get(hub.blobs)?.delete(folder);
  }
}

function restartPrefix(session: MultipartSession): void {
  const { prefix } = session;
  prefix.hash.dispose();
  prefix.hash = new RangeHasher();
  prefix.parts = [];
  prefix.generation++;
}

/** The sha256 of a file's first `size` bytes, read on this thread (when the hashing worker is unavailable). */
async function hashOnThisThread(handle: FileHandle, size: number): Promise<string> {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(Math.min(HASH_READ_BYTES, Math.max(1, size)));
  for (let at = 0; at < size; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.byteLength, size - at), at);
    if (bytesRead === 0) throw new Error(`The upload's file ends at ${at} bytes, before ${size}`);
    hash.update(buffer.subarray(0, bytesRead));
    at += bytesRead;
  }
  return hash.digest("hex");
}

/** Extends the prefix hash over the parts that follow it and are whole, one part at a time. */
function advancePrefix(hub: HubScope, folder: string, session: MultipartSession, size: number): void {
  const { prefix } = session;
  if (prefix.running || session.sealed) return;
  const running: Promise<void> = (async () => {
    try {
      // Completion, once sealed, finishes the hash itself from wherever this stops.
      while (!session.sealed) {
        const part = prefix.parts.length + 1;
        const attempt = session.whole.get(part);
        if (attempt === undefined) return;
        const generation = prefix.generation;
        const start = (part - 1) * session.chunkSize;
        await prefix.hash.update(
          join(folder, DATA_FILE),
          { start, end: Math.min(size, start + session.chunkSize) },
          fsBlobs(hub).direct.active,
        );
        // A new attempt at a hashed part started the prefix over meanwhile: what was read no longer counts.
        if (prefix.generation !== generation) continue;
        if (session.whole.get(part) === attempt) prefix.parts.push(attempt);
        else restartPrefix(session);
      }
    } catch {
      // Only an optimisation: completion hashes whatever the prefix does not cover.
      restartPrefix(session);
    }
  })().finally(() => {
    // Cleared once settled (never before it is set: the loop may end without awaiting anything).
    if (prefix.running === running) prefix.running = undefined;
  });
  prefix.running = running;
}

/**
 * Waits until the early hash of the multipart upload of `oid` in progress (if any) has caught up with the
 * parts received whole, and returns how many leading parts it covers. For tests and diagnostics: uploads
 * never wait for it.
 */
export async function earlyHashedParts(hub: HubScope, oid: string): Promise<number> {
  for (const [folder, session] of sessionsByStore.get(hub.blobs) ?? []) {
    if (!basename(folder).startsWith(`multipart-${oid}-`)) continue;
    while (session.prefix.running) await session.prefix.running;
    return session.prefix.parts.length;
  }
  return 0;
}

function completionRunning(upload: SignedUpload): HangarError {
  return new HangarError(
    "HANGAR_ERR_CONFLICT",
    `The upload of ${upload.oid} is being completed; parts can no longer be sent to it`,
  );
}

function namesIn(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch (error) {
    // No folder yet: no part of this upload has arrived.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * Marker changes are synchronous (empty files in a folder of a few dozen names): each one happens whole
 * between two events, so concurrent attempts at one part cannot interleave their check and their change.
 */
function markersOf(folder: string, part: number): string[] {
  const prefix = `part-${part}.`;
  return namesIn(folder).filter((name) => name.startsWith(prefix));
}

function removeMarkers(folder: string, part: number): void {
  for (const name of markersOf(folder, part)) rmSync(join(folder, name), { force: true });
}

function forgetPart(folder: string, session: MultipartSession, part: number): void {
  removeMarkers(folder, part);
  const wasWhole = session.whole.delete(part);
  // A part already hashed (or being hashed: the next one, once whole) is about to change under the prefix.
  const hashed = session.prefix.parts.length;
  if (part <= hashed || (wasWhole && part === hashed + 1)) restartPrefix(session);
}

function recordPart(folder: string, session: MultipartSession, part: number, etag: string): void {
  removeMarkers(folder, part);
  writeFileSync(join(folder, `part-${part}.${etag}`), "");
  session.whole.set(part, etag);
}

/**
 * One part of a multipart upload, written at its offset in the upload's one file; returns the part's
 * ETag, which the completion call sends back. The ETag names this attempt (random, recorded once the part
 * is whole) rather than hashing the part: the object's sha256 is checked over the whole file at completion
 * anyway, and a per-part hash would be a second hash pass over every byte.
 */
export async function uploadLfsPart(
  hub: HubContext,
  target: LfsUploadTarget & { body: Body; contentLength?: number },
): Promise<string> {
  const upload = await verifyUploadQuery(hub, target.repo, target.oid, target.query, target.now);
  if (upload.chunkSize === 0) throw badRequest("This object is uploaded with a single PUT, not in parts");
  if (hasStoreSession(upload)) return uploadStorePart(hub, upload, target);
  const part = parsePartNumber(upload, target.query.get("part"));
  const expected = partLength(upload, part);
  assertDeclaredLength(target.contentLength, expected, `Part ${part}`);
  const folder = partsFolder(hub, upload);
  const session = sessionOf(hub, folder, upload);
  if (session.sealed) throw completionRunning(upload);
  const attempt = randomBytes(16).toString("hex");
  session.attempts.set(part, attempt);
  session.requests++;
  let writer: FileWriter | undefined;
  try {
    // Its bytes are about to change: from the moment this attempt begins (before anything is awaited, so
    // that a completion arriving on another connection meanwhile sees it) until it is whole, the part
    // counts as not uploaded.
    forgetPart(folder, session, part);
    await mkdir(folder, { recursive: true });
    const current = () => {
      if (session.sealed) throw completionRunning(upload);
      if (session.attempts.get(part) !== attempt) {
        throw new HangarError(
          "HANGAR_ERR_CONFLICT",
          `Part ${part} of ${upload.oid} is being uploaded again by a newer request`,
        );
      }
    };
    current();
    // A write an older attempt issued before this one began could still land after this attempt's own
    // writes (the thread pool does not keep their order): let every write already issued settle first.
    await Promise.allSettled([...session.writes]);
    const start = (part - 1) * upload.chunkSize;
    writer = await FileWriter.open(join(folder, DATA_FILE), constants.O_RDWR | constants.O_CREAT, {
      position: start,
      length: expected,
      endsFile: start + expected === upload.size,
      direct: fsBlobs(hub).direct,
      // The request's chunks are read by nothing else.
      releaseChunks: true,
      beforeWrite: current,
      onWrite: (write) => {
        session.writes.add(write);
        const settled = () => session.writes.delete(write);
        write.then(settled, settled);
      },
    });
    const into = writer;
    try {
      await feedChunks(target.body, (chunk) => {
        if (into.received + chunk.byteLength > expected) {
          throw badRequest(`Part ${part} is larger than its ${expected} bytes`);
        }
        return into.write(chunk);
      });
      await writer.end();
    } catch (error) {
      throw brokenOff(error, `Part ${part}`);
    }
    const received = writer.received;
    if (received !== expected) {
      throw badRequest(`Part ${part} must be ${expected} bytes, but ${received} were received`);
    }
    // A part is on disk before its ETag is given: the flush runs while other parts are still arriving,
    // instead of all at once in completion's fsync (bench:upload, 1 GB on a quiet machine: 15-30 % more
    // ingest throughput).
    await writer.handle.datasync();
    current();
    recordPart(folder, session, part, attempt);
    advancePrefix(hub, folder, session, upload.size);
    return `"${attempt}"`;
  } finally {
    await writer?.close().catch(() => {});
    session.requests--;
    if (session.attempts.get(part) === attempt) session.attempts.delete(part);
    releaseSession(hub, folder, session);
  }
}

export interface CompletedPart {
  partNumber: unknown;
  etag: unknown;
}

/**
 * The sha256 of the assembled file, fsynced meanwhile. Continues the prefix hash when it covers exactly the
 * attempts being joined; hashes on the main thread when the worker is not available.
 */
async function hashAssembled(
  direct: boolean,
  session: MultipartSession,
  data: string,
  upload: SignedUpload,
  attempts: Map<number, string>,
): Promise<string> {
  const { prefix } = session;
  const usable = prefix.parts.every((attempt, index) => attempts.get(index + 1) === attempt);
  if (!usable) restartPrefix(session);
  const handle = await open(data, "r");
  try {
    // The flush to disk runs in the thread pool while the rest is hashed from the page cache.
    const synced = handle.sync();
    try {
      const size = (await handle.stat()).size;
      if (size !== upload.size) {
        throw badRequest(`The parts hold ${size} bytes, but ${upload.size} were announced`);
      }
      try {
        await prefix.hash.update(data, { start: prefix.parts.length * upload.chunkSize, end: size }, direct);
        return await prefix.hash.digest();
      } catch {
        prefix.hash.dispose();
        return await hashOnThisThread(handle, size);
      }
    } finally {
      await synced;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Checks that every part arrived whole under the ETag the client names, hashes the assembled file once
 * (sha256 and size must be the object's) and moves it into the blob store.
 */
export async function completeLfsMultipart(
  hub: HubContext,
  target: LfsUploadTarget & { parts: CompletedPart[] },
): Promise<void> {
  const upload = await verifyUploadQuery(hub, target.repo, target.oid, target.query, target.now);
  if (upload.chunkSize === 0) throw badRequest("This object is uploaded with a single PUT, not in parts");
  if (hasStoreSession(upload)) return completeStoreMultipart(hub, upload, target.parts);
  const fs = fsBlobs(hub);
  const folder = partsFolder(hub, upload);
  const repo = await uploadRepo(hub, upload);
  if (await alreadyHeld(hub, repo, upload)) {
    // A completion retried after its answer was lost: the parts are gone, the object is there.
    await leaseUntilCommit(hub, upload);
    await rm(folder, { recursive: true, force: true });
    return;
  }
  const count = partCount(upload);
  const byNumber = new Map<number, string>();
  for (const given of target.parts) {
    const part = parsePartNumber(upload, given.partNumber);
    const etag = typeof given.etag === "string" ? given.etag.replace(/^W\//, "").replace(/"/g, "") : "";
    if (!/^[0-9a-f]{32}$/.test(etag)) throw badRequest(`Part ${part} has an unknown ETag`);
    byNumber.set(part, etag);
  }
  for (let part = 1; part <= count; part++) {
    if (!byNumber.has(part))
      throw badRequest(`Part ${part} of ${count} is missing from the completion request`);
  }
  const session = sessionOf(hub, folder, upload);
  if (session.sealed) {
    throw new HangarError("HANGAR_ERR_CONFLICT", `The upload of ${upload.oid} is already being completed`);
  }
  let finished = false;
  try {
    // Checked synchronously, before sealing: a part attempt removes its part's marker the moment it
    // begins, so a completion that finds every marker races no part request, and one that does not is
    // refused without disturbing the attempts still running. Once sealed, no attempt starts or records.
    const recorded = new Set(namesIn(folder));
    for (let part = 1; part <= count; part++) {
      if (!recorded.has(`part-${part}.${byNumber.get(part)}`)) {
        throw badRequest(`Part ${part} was not uploaded (or not with that ETag): upload it again`);
      }
    }
    session.sealed = true;
    await leaseUntilCommit(hub, upload);
    // Writes issued before the seal (by attempts since superseded) land before the file is read.
    await Promise.allSettled([...session.writes]);
    await session.prefix.running;
    const data = join(folder, DATA_FILE);
    finished = true;
    try {
      const sha256 = await hashAssembled(fs.direct.active, session, data, upload, byNumber);
      if (sha256 !== upload.oid) {
        throw badRequest(`Content sha256 is ${sha256}, but ${upload.oid} was announced`);
      }
      // When the store already holds the object, the assembled copy is dropped here.
      await fs.commitTemp(data, sha256);
      await recordUpload(hub, repo, upload);
    } finally {
      // Whether the object matched or not, its parts are of no further use: a retry starts with new parts.
      await rm(folder, { recursive: true, force: true });
    }
  } finally {
    session.sealed = false;
    if (finished) {
      session.prefix.hash.dispose();
      sessionsByStore.get(hub.blobs)?.delete(folder);
    } else releaseSession(hub, folder, session);
  }
}
