import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SEND_CHUNK_BYTES, sendFileRange } from "../../src/store/fs-send.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

/**
 * The download path's sender (a few reused buffers instead of one per read), over real HTTP on 127.0.0.1:
 * every byte of every range arrives in order although the buffers are refilled while the socket sends, and a
 * client that hangs up mid-file leaves the server serving.
 */

interface Get {
  status: number;
  body: Buffer;
}

function get(url: string, abortAfter?: number): Promise<Get> {
  return new Promise((resolve, reject) => {
    const outgoing = http.get(url, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let received = 0;
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.byteLength;
        if (abortAfter !== undefined && received >= abortAfter) {
          outgoing.destroy();
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) });
        }
      });
      response.once("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
      response.once("error", reject);
    });
    outgoing.once("error", (error) => (abortAfter === undefined ? reject(error) : undefined));
  });
}

describe("sendFileRange", () => {
  let folder: { path: string; remove(): Promise<void> };
  let server: http.Server;
  let base: string;
  const bytes = randomBytes(3 * SEND_CHUNK_BYTES + 12_345);
  const finished: Array<Promise<void>> = [];

  before(async () => {
    folder = await makeTempDir("hangar-fs-send-");
    const path = join(folder.path, "blob");
    await writeFile(path, bytes);
    // `/start/end` sends that range, `/short` announces more bytes than the file has.
    server = http.createServer((request, response) => {
      const [, first, second] = request.url!.split("/");
      if (first === "short") {
        response.writeHead(200, { "Content-Length": bytes.byteLength + 10 });
        finished.push(sendFileRange(path, { start: 0, end: bytes.byteLength + 9 }, response));
        return;
      }
      const range = { start: Number(first), end: Number(second) };
      response.writeHead(200, { "Content-Length": range.end - range.start + 1 });
      finished.push(sendFileRange(path, range, response));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await folder.remove();
  });

  it("sends every byte of the whole file and of ranges across buffer boundaries", async () => {
    const ranges: Array<[number, number]> = [
      [0, bytes.byteLength - 1],
      [0, 0],
      [SEND_CHUNK_BYTES - 1, SEND_CHUNK_BYTES],
      [17, 2 * SEND_CHUNK_BYTES + 3],
      [bytes.byteLength - 5, bytes.byteLength - 1],
    ];
    for (const [start, end] of ranges) {
      const answer = await get(`${base}/${start}/${end}`);
      assert.equal(answer.status, 200);
      assert.ok(answer.body.equals(bytes.subarray(start, end + 1)), `bytes ${start}-${end} differ`);
    }
  });

  it("stops quietly when the client hangs up, and keeps serving", async () => {
    const before = finished.length;
    const cut = await get(`${base}/0/${bytes.byteLength - 1}`, 100_000);
    assert.ok(cut.body.byteLength < bytes.byteLength);
    // The send of the cut download settles (its file handle closed) rather than waiting for ever.
    await finished[before];
    const whole = await get(`${base}/0/${bytes.byteLength - 1}`);
    assert.ok(whole.body.equals(bytes));
  });

  it("cuts the body short, never pads it, when the file is shorter than announced", async () => {
    const answer = await get(`${base}/short`).catch((error: Error) => error);
    if (answer instanceof Error) assert.match(answer.message, /aborted|socket hang up|ECONNRESET/);
    else assert.ok(answer.body.byteLength <= bytes.byteLength);
  });
});
