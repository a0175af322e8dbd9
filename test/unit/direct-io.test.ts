import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { BlobStore } from "../../src/store/blob-store.ts";
import { DIRECT_ALIGN, DIRECT_BLOCK_BYTES, DirectIo } from "../../src/store/direct-io.ts";
import { FileWriter, type FileWriterOptions } from "../../src/store/file-writer.ts";
import { RangeHasher } from "../../src/store/range-hasher.ts";
import { takesDirectIo } from "../helpers/direct-io.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

/**
 * Direct I/O (O_DIRECT writes from aligned memory, padded tails truncated away) and its fallbacks, checked
 * byte for byte on real files: whatever path a write takes, the file must hold exactly what was sent.
 */

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Feeds `bytes` in network-sized chunks of uneven length, as an HTTP request body arrives. */
async function writeInChunks(writer: FileWriter, bytes: Uint8Array): Promise<void> {
  let at = 0;
  for (let index = 0; at < bytes.byteLength; index++) {
    const length = 65536 + ((index * 7919) % 4093);
    const behind = writer.write(bytes.subarray(at, at + length));
    at += length;
    if (behind) await behind;
  }
  await writer.end();
}

describe("direct I/O", () => {
  let temp: { path: string; remove: () => Promise<void> };
  let expectDirect: boolean;
  before(async () => {
    temp = await makeTempDir("hangar-direct-io-");
    expectDirect = await takesDirectIo(temp.path);
  });
  after(() => temp.remove());

  async function writeFileWith(
    name: string,
    bytes: Uint8Array,
    options: Omit<FileWriterOptions, "direct">,
    direct = new DirectIo(temp.path, true),
  ): Promise<{ path: string; direct: boolean }> {
    const path = join(temp.path, name);
    const writer = await FileWriter.open(path, constants.O_RDWR | constants.O_CREAT, { ...options, direct });
    try {
      await writeInChunks(writer, bytes);
      await writer.handle.datasync();
    } finally {
      await writer.close();
    }
    return { path, direct: writer.direct };
  }

  it("finds aligned memory and writes a whole file with O_DIRECT where the filesystem takes it", async () => {
    const direct = new DirectIo(temp.path, true);
    assert.equal(await direct.available(), expectDirect);
    // Several blocks and a short, unaligned tail: the tail is padded for the write, then truncated away.
    const bytes = randomBytes(3 * DIRECT_BLOCK_BYTES + 12_345);
    const written = await writeFileWith("whole.bin", bytes, { position: 0, endsFile: true }, direct);
    assert.equal(written.direct, expectDirect);
    assert.equal((await stat(written.path)).size, bytes.byteLength);
    assert.equal(sha256(await readFile(written.path)), sha256(bytes));
  });

  it("hands out more blocks than one allocation holds", async () => {
    const direct = new DirectIo(temp.path, true);
    assert.equal(await direct.available(), expectDirect);
    if (!expectDirect) return;
    const blocks = Array.from({ length: 12 }, () => direct.take());
    assert.ok(blocks.every((block) => block?.byteLength === DIRECT_BLOCK_BYTES));
    assert.equal(new Set(blocks.map((block) => block!.buffer)).size, 2, "two allocations of 8 blocks");
    assert.equal(direct.active, true);
  });

  it("writes a range in the middle of a file without touching the bytes around it", async () => {
    const path = join(temp.path, "middle.bin");
    const around = randomBytes(4 * DIRECT_BLOCK_BYTES);
    await writeFile(path, around);
    const start = DIRECT_BLOCK_BYTES;
    const range = randomBytes(2 * DIRECT_BLOCK_BYTES - 2 * DIRECT_ALIGN);
    const written = await writeFileWith("middle.bin", range, {
      position: start,
      length: range.byteLength,
      endsFile: false,
    });
    assert.equal(written.direct, expectDirect);
    const expected = Buffer.from(around);
    range.copy(expected, start);
    const stored = await readFile(path);
    assert.equal(stored.byteLength, around.byteLength, "the file keeps its length");
    assert.ok(stored.equals(expected), "only the range changed");
  });

  it("goes through the page cache for ranges that O_DIRECT cannot take", async () => {
    const bytes = randomBytes(DIRECT_BLOCK_BYTES + 100);
    // An unaligned start, and a range in the middle of a file that does not end on a block.
    const unalignedStart = await writeFileWith("unaligned-start.bin", bytes, {
      position: 100,
      endsFile: true,
    });
    const shortMiddle = await writeFileWith("short-middle.bin", bytes, {
      position: 0,
      length: bytes.byteLength,
      endsFile: false,
    });
    for (const written of [unalignedStart, shortMiddle]) assert.equal(written.direct, false);
    assert.ok((await readFile(unalignedStart.path)).subarray(100).equals(bytes));
    assert.ok((await readFile(shortMiddle.path)).equals(bytes));
  });

  it("uses the page cache when direct I/O is turned off", async () => {
    const off = new DirectIo(temp.path, false);
    assert.equal(await off.available(), false);
    const bytes = randomBytes(2 * DIRECT_BLOCK_BYTES + 1);
    const written = await writeFileWith("off.bin", bytes, { position: 0, endsFile: true }, off);
    assert.equal(written.direct, false);
    assert.ok((await readFile(written.path)).equals(bytes));
  });

  it("frees the chunks it copied into direct writes when they are its own, and only then", async () => {
    const bytes = randomBytes(2 * DIRECT_BLOCK_BYTES + 777);
    // Each chunk in an ArrayBuffer of its own, as a request body delivers them (the short last one too).
    const chunksOf = () => {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.byteLength; at += 65536) {
        const part = bytes.subarray(at, at + 65536);
        const own = Buffer.allocUnsafeSlow(part.byteLength);
        part.copy(own);
        chunks.push(own);
      }
      return chunks;
    };
    for (const releaseChunks of [true, false]) {
      const path = join(temp.path, `released-${releaseChunks}.bin`);
      const writer = await FileWriter.open(path, constants.O_RDWR | constants.O_CREAT, {
        position: 0,
        endsFile: true,
        direct: new DirectIo(temp.path, true),
        releaseChunks,
      });
      const chunks = chunksOf();
      try {
        for (const chunk of chunks) {
          const behind = writer.write(chunk);
          if (behind) await behind;
        }
        await writer.end();
      } finally {
        await writer.close();
      }
      assert.equal(sha256(await readFile(path)), sha256(bytes));
      assert.deepEqual(
        [...new Set(chunks.map((chunk) => chunk.byteLength === 0))],
        [releaseChunks && expectDirect],
        "freed exactly when they are the writer's own and went direct",
      );
    }
  });

  it("stops at the next write once the caller's check fails, leaving the bytes before it", async () => {
    const path = join(temp.path, "stopped.bin");
    let allowed = 2;
    const writer = await FileWriter.open(path, constants.O_RDWR | constants.O_CREAT, {
      position: 0,
      endsFile: true,
      direct: new DirectIo(temp.path, true),
      beforeWrite: () => {
        if (allowed-- <= 0) throw new Error("superseded");
      },
    });
    const bytes = randomBytes(4 * DIRECT_BLOCK_BYTES);
    await assert.rejects(writeInChunks(writer, bytes), /superseded/);
    await writer.close();
    const stored = await readFile(path);
    assert.ok(
      stored.byteLength <= 2 * DIRECT_BLOCK_BYTES,
      `${stored.byteLength} bytes written after the stop`,
    );
    assert.ok(stored.equals(bytes.subarray(0, stored.byteLength)));
  });

  it("stores large blobs direct and small ones through the page cache, byte-identical", async () => {
    const store = await BlobStore.open(join(temp.path, "blobs"));
    for (const size of [1000, 4 * 1024 * 1024 + 777]) {
      const bytes = randomBytes(size);
      const stored = await store.put(Readable.from([bytes.subarray(0, 5000), bytes.subarray(5000)]), {
        expectedSize: size,
        expectedSha256: sha256(bytes),
      });
      assert.equal(stored.size, size);
      assert.ok((await store.read(stored.sha256)).equals(bytes));
      assert.equal(await store.verify(stored.sha256), true);
    }
    assert.equal(store.direct.active, expectDirect, "the large blob went direct");
  });

  it("hashes ranges read back with O_DIRECT, up to an unaligned end of file", async () => {
    const bytes = randomBytes(5 * 1024 * 1024 + 3333);
    const path = join(temp.path, "hashed.bin");
    await writeFile(path, bytes);
    const hasher = new RangeHasher();
    const split = 4 * 1024 * 1024;
    assert.equal(await hasher.update(path, { start: 0, end: split }, true), expectDirect);
    assert.equal(await hasher.update(path, { start: split, end: bytes.byteLength }, true), expectDirect);
    assert.equal(await hasher.digest(), sha256(bytes));
    // An unaligned start cannot be read direct: the same bytes are read normally.
    const unaligned = new RangeHasher();
    assert.equal(await unaligned.update(path, { start: 0, end: 100 }, true), false);
    assert.equal(await unaligned.update(path, { start: 100, end: bytes.byteLength }, true), false);
    assert.equal(await unaligned.digest(), sha256(bytes));

    const short = new RangeHasher();
    await assert.rejects(
      short.update(path, { start: 0, end: bytes.byteLength + DIRECT_ALIGN }, true),
      new RegExp(`The file ends at ${bytes.byteLength} bytes`),
    );
  });
});
