import assert from "node:assert/strict";
import { PassThrough, Readable } from "node:stream";
import { describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { feedChunks } from "../../src/core/feed-chunks.ts";

const chunk = (index: number) => Buffer.from(`chunk ${index};`);

describe("feedChunks", () => {
  it("hands a stream's chunks over in order, one at a time while the handler is busy", async () => {
    const body = Readable.from(
      Array.from({ length: 50 }, (_, index) => chunk(index)),
      { objectMode: false },
    );
    const seen: string[] = [];
    let busy = 0;
    let mostBusy = 0;
    await feedChunks(body, (bytes) => {
      seen.push(Buffer.from(bytes).toString());
      if (seen.length % 3 !== 0) return undefined;
      busy++;
      mostBusy = Math.max(mostBusy, busy);
      return nextTurn().then(() => {
        busy--;
      });
    });
    assert.equal(seen.join(""), Array.from({ length: 50 }, (_, index) => `chunk ${index};`).join(""));
    assert.equal(mostBusy, 1);
  });

  it("waits for the handler of the last chunk before it resolves", async () => {
    const body = new PassThrough();
    let finishedLast = false;
    const fed = feedChunks(body, () =>
      nextTurn().then(() => {
        finishedLast = true;
      }),
    );
    body.end(chunk(1));
    await fed;
    assert.equal(finishedLast, true);
  });

  it("stops at a failing handler and leaves the stream open, so the rest can be drained", async () => {
    const body = new PassThrough();
    let calls = 0;
    const fed = feedChunks(body, () => {
      calls++;
      if (calls === 2) throw new Error("too large");
      return undefined;
    });
    body.write(chunk(1));
    body.write(chunk(2));
    body.write(chunk(3));
    await assert.rejects(fed, /^Error: too large$/);
    assert.equal(calls, 2, "nothing is handed over after the failure");
    assert.equal(body.destroyed, false);
    body.resume();
    const drained = new Promise((resolve) => body.once("end", resolve));
    body.end(chunk(4));
    await drained;
  });

  it("rejects with a handler's asynchronous failure", async () => {
    const body = new PassThrough();
    const fed = feedChunks(body, () => Promise.reject(new Error("disk full")));
    body.end(chunk(1));
    await assert.rejects(fed, /^Error: disk full$/);
  });

  it("rejects with the stream's error, or a premature close when it is destroyed without one", async () => {
    const failing = new PassThrough();
    const failed = feedChunks(failing, () => undefined);
    failing.write(chunk(1));
    failing.destroy(new Error("connection reset"));
    await assert.rejects(failed, /^Error: connection reset$/);

    const cut = new PassThrough();
    const cutOff = feedChunks(cut, () => undefined);
    cut.write(chunk(1));
    cut.destroy();
    await assert.rejects(cutOff, { code: "ERR_STREAM_PREMATURE_CLOSE" });
  });

  it("takes plain and async iterables of chunks", async () => {
    const seen: string[] = [];
    await feedChunks([chunk(1), chunk(2)], (bytes) => {
      seen.push(Buffer.from(bytes).toString());
      return undefined;
    });
    async function* generated() {
      yield chunk(3);
      yield chunk(4);
    }
    await feedChunks(generated(), (bytes) => {
      seen.push(Buffer.from(bytes).toString());
      return nextTurn();
    });
    assert.deepEqual(seen, ["chunk 1;", "chunk 2;", "chunk 3;", "chunk 4;"]);
  });
});
