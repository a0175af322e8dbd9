import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRepo, downloadFile, uploadFiles } from "@huggingface/hub";
import { DEFAULT_SERVER_TIMEOUTS } from "../../src/core/server-config.ts";
import { listen } from "../../src/server/create-server.ts";
import { watchRequestBody } from "../../src/server/watch-request-body.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** Small enough for a test; the defaults are a minute (see README). */
const TIMEOUTS = { headersMs: 500, bodyWindowMs: 300, minBodyBytesPerSecond: 1024 };
/** Longest a cut-off client may stay connected here: two windows or the header limit, plus slack for the CI. */
const BOUND_MS = 2500;

interface RawExchange {
  /** Milliseconds from connecting until the server closed the connection, or undefined if it never did. */
  closedAfterMs?: number;
  /** Everything the server sent. */
  received: string;
}

/**
 * Opens a raw connection and lets `send` write to it (slowly, or not at all); resolves when the server closes
 * it, or after `waitMs` with the connection still open.
 */
function rawExchange(
  url: string,
  send: (write: (data: string | Uint8Array) => void) => () => void,
  waitMs = BOUND_MS * 2,
): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const started = Date.now();
    let received = "";
    let stopSending: () => void = () => {};
    socket.on("connect", () => {
      stopSending = send((data) => {
        if (!socket.destroyed) socket.write(data);
      });
    });
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    const giveUp = setTimeout(() => {
      stopSending();
      socket.destroy();
      resolve({ received });
    }, waitMs);
    socket.on("close", () => {
      clearTimeout(giveUp);
      stopSending();
      resolve({ closedAfterMs: Date.now() - started, received });
    });
  });
}

/** Calls `write` every `everyMs` until stopped. */
function every(everyMs: number, write: () => void): () => void {
  const timer = setInterval(write, everyMs);
  return () => clearInterval(timer);
}

/** The temp files of uploads in `folder`, once none is left or after a second. */
async function partFilesSoon(folder: string): Promise<string[]> {
  const deadline = Date.now() + 1000;
  for (;;) {
    const parts = (await readdir(folder)).filter((name) => name.endsWith(".part"));
    if (parts.length === 0 || Date.now() > deadline) return parts;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe("slow clients are disconnected; uploads that keep coming are not", () => {
  let hub: TestHangar;
  let token: string;
  before(async () => {
    hub = await startTestHangar({ timeouts: TIMEOUTS });
    token = await hub.addUser("alice", "write");
    await createRepo({ repo: "alice/weights", accessToken: token, hubUrl: hub.url });
  });
  after(() => hub.close());

  /** A signed single-PUT upload path for `size` bytes of a new object, as the LFS batch API hands it out. */
  async function uploadPath(bytes: Uint8Array): Promise<string> {
    const response = await fetch(`${hub.url}/alice/weights.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        accept: "application/vnd.git-lfs+json",
        "content-type": "application/vnd.git-lfs+json",
      },
      body: JSON.stringify({
        operation: "upload",
        transfers: ["basic"],
        objects: [{ oid: sha256(bytes), size: bytes.byteLength }],
      }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { objects: Array<{ actions: { upload: { href: string } } }> };
    const href = new URL(body.objects[0]!.actions.upload.href);
    return `${href.pathname}${href.search}`;
  }

  /** The head of a PUT; `Connection: close` makes the server close the connection once it has answered. */
  function putHead(path: string, size: number): string {
    return `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`;
  }

  it("has defaults of a minute for headers and 1 KiB/s over each minute for bodies", () => {
    assert.deepEqual(DEFAULT_SERVER_TIMEOUTS, {
      headersMs: 60_000,
      bodyWindowMs: 60_000,
      minBodyBytesPerSecond: 1024,
    });
  });

  it("disconnects a client that sends its headers a byte at a time, with 408", async () => {
    const exchange = await rawExchange(hub.url, (write) => {
      write("GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      return every(50, () => write("X"));
    });
    assert.ok(exchange.closedAfterMs !== undefined, "the connection is still open");
    assert.ok(exchange.closedAfterMs < BOUND_MS, `closed after ${exchange.closedAfterMs} ms`);
    assert.match(exchange.received, /^HTTP\/1\.1 408 /);
  });

  it("disconnects a client that connects and sends nothing", async () => {
    const exchange = await rawExchange(hub.url, () => () => {});
    assert.ok(exchange.closedAfterMs !== undefined, "the connection is still open");
    assert.ok(exchange.closedAfterMs < BOUND_MS, `closed after ${exchange.closedAfterMs} ms`);
  });

  it("disconnects an upload that stops sending its body mid-way, with 408 RequestTimeout", async () => {
    const bytes = randomBytes(1024 * 1024);
    const path = await uploadPath(bytes);
    const exchange = await rawExchange(hub.url, (write) => {
      write(putHead(path, bytes.byteLength));
      write(bytes.subarray(0, 100_000));
      return () => {};
    });
    assert.ok(exchange.closedAfterMs !== undefined, "the connection is still open");
    assert.ok(exchange.closedAfterMs < BOUND_MS, `closed after ${exchange.closedAfterMs} ms`);
    assert.match(exchange.received, /^HTTP\/1\.1 408 /);
    assert.match(exchange.received, /\r\nX-Error-Code: RequestTimeout\r\n/i);
    assert.match(exchange.received, /slower than 1024 bytes per second/);
    assert.equal(await hub.hangar.blobs.has(sha256(bytes)), false);
    // The upload is abandoned, not left waiting for the rest: its temp file goes.
    assert.deepEqual(await partFilesSoon(join(hub.home, "blobs", "tmp")), []);
  });

  it("disconnects an upload that trickles its body below the minimum rate", async () => {
    const bytes = randomBytes(64 * 1024);
    const path = await uploadPath(bytes);
    let offset = 0;
    const exchange = await rawExchange(hub.url, (write) => {
      write(putHead(path, bytes.byteLength));
      // 10 bytes every 50 ms: 200 bytes per second, under the 1024 asked for.
      return every(50, () => {
        write(bytes.subarray(offset, offset + 10));
        offset += 10;
      });
    });
    assert.ok(exchange.closedAfterMs !== undefined, "the connection is still open");
    assert.ok(exchange.closedAfterMs < BOUND_MS, `closed after ${exchange.closedAfterMs} ms`);
    assert.match(exchange.received, /^HTTP\/1\.1 408 /);
  });

  it("keeps an upload that is slow but steady for many windows, and stores it", async () => {
    const bytes = randomBytes(48 * 1024);
    const path = await uploadPath(bytes);
    let offset = 0;
    const started = Date.now();
    // 2 KiB every 50 ms: 40 KiB/s for 1.2 s, four windows of 300 ms.
    const exchange = await rawExchange(hub.url, (write) => {
      write(putHead(path, bytes.byteLength));
      return every(50, () => {
        write(bytes.subarray(offset, offset + 2048));
        offset += 2048;
      });
    });
    assert.ok(Date.now() - started > 4 * TIMEOUTS.bodyWindowMs);
    assert.match(exchange.received, /^HTTP\/1\.1 200 /);
    assert.equal(await hub.hangar.blobs.sizeOf(sha256(bytes)), bytes.byteLength);
  });

  it("still takes a normal upload through @huggingface/hub", async () => {
    const bytes = randomBytes(12 * 1024 * 1024);
    await uploadFiles({
      repo: "alice/weights",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "model.bin", content: new Blob([bytes]) }],
    });
    const downloaded = await downloadFile({ repo: "alice/weights", path: "model.bin", hubUrl: hub.url });
    assert.equal(sha256(new Uint8Array(await downloaded!.arrayBuffer())), sha256(bytes));
  });
});

describe("time the server is not reading is not held against the client", () => {
  it("keeps a fast upload whose handler reads nothing for several windows", async () => {
    // A handler busy elsewhere (a slow disk, a lock) lets its buffers fill and the socket pause.
    const server = createHttpServer(async (request, response) => {
      watchRequestBody({ request, response, timeouts: TIMEOUTS });
      await new Promise((resolve) => setTimeout(resolve, 4 * TIMEOUTS.bodyWindowMs));
      let size = 0;
      for await (const chunk of request) size += (chunk as Buffer).byteLength;
      response.end(String(size));
    });
    const url = await listen(server, "127.0.0.1", 0);
    try {
      const body = randomBytes(8 * 1024 * 1024);
      const response = await fetch(url, { method: "PUT", body });
      assert.equal(response.status, 200);
      assert.equal(await response.text(), String(body.byteLength));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
