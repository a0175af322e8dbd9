import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startOperationsApp } from "../helpers/operations-app.ts";
import { createTestDatabase } from "../helpers/postgres.ts";

interface ErrorBody {
  error: string;
  code: string;
  checks: Record<string, string>;
}

describe("GET /health and GET /ready", () => {
  it("answer without authentication while the instance can serve", async () => {
    const ops = await startOperationsApp();
    try {
      const health = await ops.app.inject({ method: "GET", url: "/health" });
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json(), { status: "ok" });
      const ready = await ops.app.inject({ method: "GET", url: "/ready" });
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), {
        status: "ready",
        checks: { catalog: "ok", blobs: "ok", counters: "ok" },
      });
      // Probes are not rate limited, nor do they count against anyone.
      assert.equal(ready.headers["ratelimit-limit"], undefined);
    } finally {
      await ops.close();
    }
  });

  it("/ready turns 503 with the reason once the SQLite catalog is closed; /health still answers", async () => {
    const ops = await startOperationsApp();
    try {
      await ops.hangar.catalog.close();
      const ready = await ops.app.inject({ method: "GET", url: "/ready" });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.headers["x-error-code"], "ServiceUnavailable");
      const body = ready.json() as ErrorBody;
      assert.equal(body.code, "HANGAR_ERR_UNAVAILABLE");
      assert.equal(body.error, "Not ready: The catalog does not answer: the catalog is closed");
      assert.deepEqual(body.checks, {
        catalog: "The catalog does not answer: the catalog is closed",
        blobs: "ok",
        counters: "ok",
      });
      assert.equal((await ops.app.inject({ method: "GET", url: "/health" })).statusCode, 200);
    } finally {
      await ops.close();
    }
  });

  it("/ready turns 503 when the PostgreSQL catalog's database is dropped, and 200 while it is there", async () => {
    const database = await createTestDatabase();
    const ops = await startOperationsApp({ config: { database: database.url } });
    try {
      assert.equal((await ops.app.inject({ method: "GET", url: "/ready" })).statusCode, 200);
      await database.drop();
      const ready = await ops.app.inject({ method: "GET", url: "/ready" });
      assert.equal(ready.statusCode, 503);
      const body = ready.json() as ErrorBody;
      assert.equal(body.code, "HANGAR_ERR_UNAVAILABLE");
      assert.match(body.error, /^Not ready: The catalog does not answer: /);
      assert.match(body.checks.catalog!, new RegExp(database.name));
    } finally {
      await ops.close();
      await database.drop();
    }
  });

  it("/ready gives 503 within its timeout when the catalog hangs (every connection of the pool held)", async () => {
    const database = await createTestDatabase();
    const ops = await startOperationsApp({
      config: { database: database.url },
      operations: { readyTimeoutMs: 300 },
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The pool holds 10 connections: 10 open transactions leave a query nothing to run on.
    const held = Array.from({ length: 10 }, () => ops.hangar.catalog.transaction(() => gate));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      const ready = await ops.app.inject({ method: "GET", url: "/ready" });
      const took = Date.now() - started;
      assert.equal(ready.statusCode, 503);
      assert.equal(
        (ready.json() as ErrorBody).error,
        "Not ready: The catalog check did not answer within 300 ms",
      );
      assert.ok(took < 2000, `answered after ${took} ms`);
    } finally {
      release();
      await Promise.allSettled(held);
      await ops.close();
      await database.drop();
    }
  });

  it("/ready turns 503 once the server drains for a shutdown", async () => {
    const ops = await startOperationsApp();
    try {
      ops.operations.drain();
      const ready = await ops.app.inject({ method: "GET", url: "/ready" });
      assert.equal(ready.statusCode, 503);
      assert.equal((ready.json() as ErrorBody).error, "Not ready: the server is shutting down");
    } finally {
      await ops.close();
    }
  });
});
