import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { badRequest, HangarError } from "../core/errors.ts";
import { type ChunkSource, feedChunks } from "../core/feed-chunks.ts";
import type { BlobPutOptions, MultipartSession, StoredBlob, UploadedPart } from "./blob-store-types.ts";
import { SHA256_PATTERN } from "./blob-store-types.ts";

/**
 * Multipart upload sessions of the filesystem blob store. A session is one folder `mpu-<uploadId>` in the
 * store's temp folder: `session.json` (the object's sha256, size and part size) and one file per part
 * received whole, `part-<n>-<etag>` (the etag is the md5 of the part's bytes, as S3's). A part arrives in a
 * temp file and is renamed into place once complete and fsynced, so every process sharing the disk sees
 * whole parts only and may receive the next part or complete the session. Completion streams the parts in
 * order through the store's `put`, which checks the object's sha256 and size before it becomes visible.
 */

const UPLOAD_ID = /^[0-9a-f]{32}$/;
const SESSION_FILE = "session.json";

interface SessionInfo {
  sha256: string;
  size: number;
  partSize: number;
}

type Put = (source: ChunkSource, options: BlobPutOptions) => Promise<StoredBlob>;

export function partCountOf(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

export function checkMultipartShape(sha256: string, size: number, partSize: number): void {
  if (!SHA256_PATTERN.test(sha256)) throw badRequest(`Invalid sha256 "${sha256}"`);
  if (!Number.isSafeInteger(size) || size < 0) throw badRequest(`Invalid size ${size}`);
  if (!Number.isSafeInteger(partSize) || partSize < 1) throw badRequest(`Invalid part size ${partSize}`);
}

function stripQuotes(etag: string): string {
  return etag.replace(/^"|"$/g, "");
}

export class FsMultipart {
  constructor(
    private readonly tempDir: string,
    private readonly put: Put,
  ) {}

  private folderOf(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw badRequest(`Invalid multipart upload id "${uploadId}"`);
    return join(this.tempDir, `mpu-${uploadId}`);
  }

  private async session(uploadId: string): Promise<SessionInfo> {
    const folder = this.folderOf(uploadId);
    try {
      return JSON.parse(await readFile(join(folder, SESSION_FILE), "utf8")) as SessionInfo;
    } catch (error) {
      throw new HangarError(
        "HANGAR_ERR_NOT_FOUND",
        `Multipart upload ${uploadId} does not exist (completed, aborted or never begun)`,
        { cause: error },
      );
    }
  }

  async begin(sha256: string, size: number, partSize: number): Promise<MultipartSession> {
    checkMultipartShape(sha256, size, partSize);
    const uploadId = randomBytes(16).toString("hex");
    const folder = this.folderOf(uploadId);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const info: SessionInfo = { sha256, size, partSize };
    // Written under a temp name and renamed: a session is either absent or whole.
    const temp = join(folder, `${SESSION_FILE}.tmp`);
    await writeFile(temp, JSON.stringify(info));
    await rename(temp, join(folder, SESSION_FILE));
    return { uploadId, partUrls: undefined };
  }

  async putPart(
    uploadId: string,
    partNumber: number,
    source: ChunkSource | Uint8Array,
  ): Promise<UploadedPart> {
    const info = await this.session(uploadId);
    const count = partCountOf(info.size, info.partSize);
    if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > count) {
      throw badRequest(`Invalid part number ${partNumber}: expected 1 to ${count}`);
    }
    const expected = Math.min(info.partSize, info.size - (partNumber - 1) * info.partSize);
    const folder = this.folderOf(uploadId);
    const temp = join(folder, `part-${partNumber}.${randomBytes(8).toString("hex")}.tmp`);
    const handle = await open(temp, "w", 0o600);
    const md5 = createHash("md5");
    let received = 0;
    try {
      await feedChunks(source instanceof Uint8Array ? [source] : source, async (chunk) => {
        received += chunk.byteLength;
        if (received > expected) {
          throw badRequest(`Part ${partNumber} must be ${expected} bytes, but more arrived`);
        }
        md5.update(chunk);
        for (let done = 0; done < chunk.byteLength; ) {
          done += (await handle.write(chunk, done, chunk.byteLength - done)).bytesWritten;
        }
      });
      if (received !== expected) {
        throw badRequest(`Part ${partNumber} must be ${expected} bytes, but ${received} arrived`);
      }
      await handle.sync();
      await handle.close();
      const etag = md5.digest("hex");
      await rename(temp, join(folder, `part-${partNumber}-${etag}`));
      return { partNumber, etag };
    } catch (error) {
      await handle.close().catch(() => {});
      await unlink(temp).catch(() => {});
      throw error;
    }
  }

  async complete(uploadId: string, sha256: string, size: number, parts: UploadedPart[]): Promise<StoredBlob> {
    const info = await this.session(uploadId);
    const folder = this.folderOf(uploadId);
    if (info.sha256 !== sha256 || info.size !== size) {
      await this.abort(uploadId);
      throw badRequest(
        `Multipart upload ${uploadId} was begun for ${info.sha256} (${info.size} bytes), not ${sha256} (${size} bytes)`,
      );
    }
    const count = partCountOf(info.size, info.partSize);
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    const present = new Set(await readdir(folder));
    const files: string[] = [];
    for (let number = 1; number <= count; number++) {
      const part = sorted[number - 1];
      if (part?.partNumber !== number) {
        throw badRequest(`Part ${number} of ${count} is missing from the completion of upload ${uploadId}`);
      }
      const name = `part-${number}-${stripQuotes(part.etag)}`;
      if (!present.has(name)) {
        throw badRequest(`Part ${number} of upload ${uploadId} with etag ${part.etag} was not received`);
      }
      files.push(join(folder, name));
    }
    if (sorted.length > count)
      throw badRequest(`Upload ${uploadId} has ${count} parts, not ${sorted.length}`);
    try {
      return await this.put(concatenate(files), {
        expectedSha256: sha256,
        expectedSize: size,
        gitOid: false,
      });
    } finally {
      // Stored or refused, the session is over: its parts are either in the blob or of no use.
      await rm(folder, { recursive: true, force: true });
    }
  }

  async abort(uploadId: string): Promise<void> {
    await rm(this.folderOf(uploadId), { recursive: true, force: true });
  }
}

async function* concatenate(files: string[]): AsyncGenerator<Uint8Array> {
  for (const file of files) {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) yield chunk as Buffer;
  }
}
