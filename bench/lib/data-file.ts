import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { MB, secondsSince } from "./stats.ts";

/** Read size for benchmark clients and baselines: large chunks, so the client is never the bottleneck. */
export const CLIENT_CHUNK = MB;

/**
 * Writes `size` bytes of random-looking data quickly: one random 1 MB block, repeated, with the block
 * index stamped at its start so no two blocks are equal (keeps any block-level dedup honest).
 */
export async function makeDataFile(path: string, size: number): Promise<void> {
  const block = randomBytes(MB);
  const handle = await open(path, "w");
  try {
    for (let offset = 0, index = 0; offset < size; offset += MB, index++) {
      block.writeUInt32BE(index, 0);
      const length = Math.min(MB, size - offset);
      await handle.write(block, 0, length, offset);
    }
  } finally {
    await handle.close();
  }
}

/** Streams a file through Node's sha256, returning the digest and the seconds it took. */
export async function hashFile(path: string): Promise<{ sha256: string; seconds: number; bytes: number }> {
  const start = process.hrtime.bigint();
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CLIENT_CHUNK })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).byteLength;
  }
  return { sha256: hash.digest("hex"), seconds: secondsSince(start), bytes };
}

/** Reads a file once so it sits in the page cache before a timed run (both sides then read from RAM). */
export async function warmPageCache(path: string): Promise<void> {
  for await (const _chunk of createReadStream(path, { highWaterMark: CLIENT_CHUNK })) {
    // Reading is the point.
  }
}

/**
 * Copies a file (read from the page cache in 1 MB chunks) to `target` through the page cache and fsyncs it:
 * what a durable write of the same bytes costs a server that writes the usual way.
 */
export async function copyDurably(
  source: string,
  target: string,
): Promise<{ seconds: number; bytes: number }> {
  const start = process.hrtime.bigint();
  const handle = await open(target, "w");
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(source, { highWaterMark: CLIENT_CHUNK })) {
      await handle.write(chunk as Buffer);
      bytes += (chunk as Buffer).byteLength;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { seconds: secondsSince(start), bytes };
}

/**
 * Copies a file with `dd oflag=direct conv=fsync` in 1 MB blocks: the disk's ceiling for a durable write that
 * bypasses the page cache, as Hangar's large uploads do. Undefined where dd or O_DIRECT is not available.
 */
export function copyDirectWithDd(source: string, target: string): Promise<number | undefined> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    execFile(
      "dd",
      [`if=${source}`, `of=${target}`, "bs=1M", "oflag=direct", "conv=fsync", "status=none"],
      (error) => {
        if (error) resolve(undefined);
        else resolve(secondsSince(start));
      },
    );
  });
}
