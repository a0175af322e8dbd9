import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { gracefulShutdown } from "../../src/server/operations/shutdown.ts";
import { startOperationsApp } from "../helpers/operations-app.ts";

/** A GET on a connection of its own; resolves with the status and body, rejects when the connection breaks. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("graceful shutdown", () => {
  it("stops accepting at once, lets requests and uploads in flight finish, then closes the Hangar", async () => {
    const ops = await startOperationsApp();
    const url = await ops.listen();
    try {
      const slow = get(`${url}/slow?ms=700`);
      // An upload whose bytes keep coming for a while after the shutdown began.
      const chunks = 6;
      const upload = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const outgoing = request(
          `${url}/api/lfs-upload/abc`,
          { method: "PUT", agent: false, headers: { "content-type": "application/octet-stream" } },
          (response) => {
            let body = "";
            response.on("data", (chunk: Buffer) => {
              body += chunk.toString();
            });
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        outgoing.on("error", reject);
        let sent = 0;
        const next = () => {
          if (sent === chunks) {
            outgoing.end();
            return;
          }
          sent++;
          outgoing.write(Buffer.alloc(64 * 1024, sent));
          setTimeout(next, 100);
        };
        next();
      });
      await sleep(150);
      const shutdown = gracefulShutdown(ops.app.server, ops.hangar, { timeoutMs: 5_000 });
      await assert.rejects(get(`${url}/health`), /ECONNREFUSED/);
      assert.deepEqual(await slow, { status: 200, body: JSON.stringify({ slow: true }) });
      assert.deepEqual(await upload, { status: 200, body: JSON.stringify({ received: chunks * 64 * 1024 }) });
      assert.deepEqual(await shutdown, { finished: true, cutOff: 0 });
      await assert.rejects(ops.hangar.catalog.check(), /the catalog is closed/);
      // Calling it again (a second SIGTERM) is the same shutdown.
      assert.deepEqual(await gracefulShutdown(ops.app.server, ops.hangar), { finished: true, cutOff: 0 });
    } finally {
      await ops.close();
    }
  });

  it("cuts off what is still running at the timeout and closes the Hangar anyway", async () => {
    const ops = await startOperationsApp({ config: { shutdownTimeoutMs: 300 } });
    const url = await ops.listen();
    try {
      const endless = get(`${url}/slow?ms=60000`);
      endless.catch(() => undefined);
      await sleep(100);
      const drained: string[] = [];
      const started = Date.now();
      const result = await gracefulShutdown(ops.app.server, ops.hangar, {
        onDrain: () => drained.push("drain"),
        closeAlso: [async () => void drained.push("counters")],
      });
      assert.deepEqual(result, { finished: false, cutOff: 1 });
      assert.ok(Date.now() - started < 2_000);
      assert.deepEqual(drained, ["drain", "counters"]);
      await assert.rejects(endless, /socket hang up|ECONNRESET/);
      await assert.rejects(ops.hangar.catalog.check(), /the catalog is closed/);
    } finally {
      await ops.close();
    }
  });
});
