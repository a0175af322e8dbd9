import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { upstreamText } from "../../src/inference/backends/upstream-fetch.ts";

/** `upstreamText`: the whole answer of a real server on 127.0.0.1, or a rejection when it does not come. */
describe("upstreamText", () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((request, response) => {
      if (request.url === "/echo") {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          response.writeHead(201, { "Content-Type": "application/json", "Retry-After": "3" });
          // In two writes, so the body arrives in more than one chunk; "é" is split across them.
          const body = Buffer.from(`{"got":${Buffer.concat(chunks).toString("utf8")},"x":"é"}`);
          response.write(body.subarray(0, body.length - 3));
          setTimeout(() => response.end(body.subarray(body.length - 3)), 20);
        });
        return;
      }
      if (request.url === "/broken") {
        response.writeHead(200, { "Content-Length": "100" });
        response.write('{"partial":');
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      }
      // /stall: headers, then nothing.
      response.writeHead(200, { "Content-Length": "100" });
      response.write("{");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("resolves with the status, the headers and the whole body as text", async () => {
    const answer = await upstreamText(`${url}/echo`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ü: 1 }),
    });
    assert.equal(answer.status, 201);
    assert.equal(answer.headers["retry-after"], "3");
    assert.deepEqual(JSON.parse(answer.text), { got: { ü: 1 }, x: "é" });
  });

  it("rejects when the connection breaks before the body ends", async () => {
    await assert.rejects(upstreamText(`${url}/broken`));
  });

  it("rejects with the signal's reason when it fires while the body is read", async () => {
    const controller = new AbortController();
    const pending = upstreamText(`${url}/stall`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("deadline passed")), 50);
    await assert.rejects(pending, /deadline passed/);
  });
});
