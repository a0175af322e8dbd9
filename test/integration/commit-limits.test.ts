// The limits on what a commit and a request may hold: files per commit, a file's size, a stream being
// stored, and a request body (413 in the Hub's error shape).
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/core/config.ts";
import { HangarError } from "../../src/core/errors.ts";
import type { Repo } from "../../src/core/types.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import type { StoredFile } from "../../src/hub/create-commit.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { readBody, sendError, sendJson } from "../../src/server/http.ts";
import { admin, commitFiles, storeFile } from "../helpers/maintenance-instance.ts";
import { fsBlobs, makeTempDir } from "../helpers/test-hangar.ts";

describe("limits", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let hangar: Hangar;
  let repo: Repo;
  before(async () => {
    temp = await makeTempDir();
    hangar = await createHangar(
      defaultConfig(temp.path, {
        limits: {
          maxFileSize: 1000,
          maxFilesPerCommit: 3,
          maxRequestBodySize: 64,
          lfsThreshold: 10 * 1024 ** 2,
          maxPageSize: 1000,
        },
      }),
    );
    repo = await createRepo(hangar, admin, { type: "model", namespace: "team", name: "limited" });
  });
  after(async () => {
    await hangar.close();
    await temp.remove();
  });

  it("refuses a commit with more files than allowed, with 413 and nothing written", async () => {
    const files: Record<string, StoredFile> = {};
    for (let index = 0; index < 4; index++) files[`f${index}.txt`] = await storeFile(hangar, `file ${index}`);
    const before = (await hangar.catalog.repos.getByPk(repo.pk))!.sha;
    await assert.rejects(commitFiles(hangar, repo, files), (error: unknown) => {
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.code, "HANGAR_ERR_PAYLOAD_TOO_LARGE");
      assert.equal(error.status, 413);
      assert.equal(error.message, "A commit may hold at most 3 operations; this one has 4");
      return true;
    });
    assert.equal((await hangar.catalog.repos.getByPk(repo.pk))!.sha, before);
  });

  it("refuses a file over the size limit, with 413 naming the file", async () => {
    const big = await storeFile(hangar, Buffer.alloc(1001), true);
    await assert.rejects(commitFiles(hangar, repo, { "big.bin": big }), (error: unknown) => {
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.status, 413);
      assert.equal(error.message, "big.bin is 1001 bytes, over the limit of 1000 bytes");
      return true;
    });
    const exact = await storeFile(hangar, Buffer.alloc(1000), true);
    await commitFiles(hangar, repo, { "exact.bin": exact });
  });

  it("stops storing a stream at the size limit and leaves no temp file", async () => {
    async function* chunks() {
      for (let index = 0; index < 5; index++) yield Buffer.alloc(300, index);
    }
    await assert.rejects(hangar.blobs.put(chunks(), { maxSize: 1000 }), (error: unknown) => {
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.code, "HANGAR_ERR_PAYLOAD_TOO_LARGE");
      return true;
    });
    assert.deepEqual(await readdir(fsBlobs(hangar).tempDir), []);
  });

  it("answers an oversized request body with 413 in the Hub's error shape", async () => {
    const server = createServer((request, response) => {
      readBody(request, hangar.config.limits.maxRequestBodySize).then(
        (body) => sendJson(response, 200, { size: body.byteLength }),
        (error: unknown) => sendError(response, error),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const small = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "x".repeat(64) });
      assert.deepEqual(await small.json(), { size: 64 });
      const large = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "x".repeat(65) });
      assert.equal(large.status, 413);
      assert.equal(large.headers.get("x-error-code"), "PayloadTooLarge");
      assert.deepEqual(await large.json(), {
        error: "The request body is 65 bytes, over the limit of 64 bytes",
        code: "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
