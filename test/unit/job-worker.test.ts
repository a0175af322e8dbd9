import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HangarError } from "../../src/core/errors.ts";
import { JobWorker } from "../../src/core/job-worker.ts";
import type { jobs } from "../fixtures/test-jobs.ts";

function testWorker(options: { timeoutMs?: number; maxQueue?: number } = {}) {
  return new JobWorker<typeof jobs>({
    moduleUrl: new URL("../fixtures/test-jobs.ts", import.meta.url).href,
    name: "test jobs",
    ...options,
  });
}

describe("JobWorker: parsing off the event loop", () => {
  it("runs a job on another thread while the event loop keeps turning", async () => {
    const worker = testWorker();
    assert.equal(await worker.run("echo", { text: "warm" }), "warm");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      assert.equal(await worker.run("spin", { ms: 500 }), 500);
    } finally {
      clearInterval(timer);
    }
    // Twenty-odd ticks fit in 500 ms when the loop is free; a busy loop would see none.
    assert.ok(ticks >= 10, `${ticks} ticks`);
  });

  it("hands back a Hangar error as itself: code, status and message", async () => {
    const error = await testWorker()
      .run("refuse", { field: "name" })
      .then(
        () => assert.fail("expected a refusal"),
        (caught: unknown) => caught,
      );
    assert.ok(HangarError.isInstance(error));
    assert.equal(error.code, "HANGAR_ERR_BAD_REQUEST");
    assert.equal(error.status, 400);
    assert.equal(error.message, '"name" must be a string');
  });

  it("stops a job over its time with its worker, and the next job gets a new one", async () => {
    const worker = testWorker({ timeoutMs: 300 });
    await assert.rejects(worker.run("spin", { ms: 60_000 }), (error: unknown) => {
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.code, "HANGAR_ERR_TIMEOUT");
      assert.equal(error.message, "test jobs: the spin job took longer than 300 ms and was stopped");
      return true;
    });
    assert.equal(await worker.run("echo", { text: "after" }), "after");
  });

  it("terminate stops the worker now: the running and waiting jobs are refused, the next job gets a new one", async () => {
    const worker = testWorker();
    const running = worker.run("spin", { ms: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = worker.run("echo", { text: "waiting" });
    const refused = Promise.all([
      assert.rejects(running, /test jobs: stopped/),
      assert.rejects(waiting, /test jobs: stopped/),
    ]);
    await worker.terminate();
    await refused;
    assert.equal(await worker.run("echo", { text: "after" }), "after");
    await worker.terminate();
  });

  it("refuses jobs past its queue with 429 instead of holding them", async () => {
    const worker = testWorker({ maxQueue: 2 });
    const running = worker.run("spin", { ms: 300 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = [worker.run("echo", { text: "a" }), worker.run("echo", { text: "b" })];
    await assert.rejects(worker.run("echo", { text: "c" }), (error: unknown) => {
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.status, 429);
      assert.equal(error.headers["Retry-After"], "1");
      return true;
    });
    assert.deepEqual(await Promise.all([running, ...waiting]), [300, "a", "b"]);
  });
});
