import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ChunkRelease } from "../../src/store/chunk-release.ts";

/** Bytes of ArrayBuffer memory this process holds (Node's own count, outside the V8 heap). */
const arrayBufferBytes = () => process.memoryUsage().arrayBuffers;

describe("chunk release", () => {
  it("frees the memory of released chunks while they are still referenced", async () => {
    const before = arrayBufferBytes();
    // Kept referenced to the end: without the release no garbage collection could free them. 16 MB is
    // too little for memory pressure alone to start a collection where they went: the release must.
    const chunks = Array.from({ length: 256 }, () => Buffer.allocUnsafeSlow(64 * 1024).fill(7));
    assert.ok(arrayBufferBytes() - before >= 15 * 1024 * 1024, "16 MB of chunks are allocated");
    const release = new ChunkRelease();
    for (const chunk of chunks) release.add(chunk);
    release.flush();
    assert.ok(
      chunks.every((chunk) => chunk.byteLength === 0),
      "a released chunk is empty",
    );
    let held = arrayBufferBytes() - before;
    // Freed within seconds (about 0.1 s here); left to the collector's idle-time work it took 8 s.
    for (let waited = 0; held > 2 * 1024 * 1024 && waited < 3_000; waited += 20) {
      await sleep(20);
      held = arrayBufferBytes() - before;
    }
    assert.ok(held <= 2 * 1024 * 1024, `still ${Math.round(held / 1024 / 1024)} MB held after release`);
    assert.equal(chunks.length, 256);
  });

  it("leaves alone chunks that share their memory with other data", () => {
    const whole = Buffer.alloc(3 * 1024, 1);
    const slices = [whole.subarray(0, 1024), whole.subarray(1024, 2048)];
    const pooled = Buffer.from("a small chunk from Node's buffer pool");
    const empty = Buffer.alloc(0);
    const release = new ChunkRelease();
    for (const chunk of [...slices, pooled, empty]) release.add(chunk);
    release.flush();
    assert.deepEqual(
      slices.map((slice) => slice.byteLength),
      [1024, 1024],
    );
    assert.equal(pooled.toString(), "a small chunk from Node's buffer pool");
    assert.equal(whole.byteLength, 3 * 1024);
  });
});
