import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { importFolder } from "../../src/hub/import-folder.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { writeRepoFolder } from "../helpers/tiny-models.ts";

const SECRET = "TOP-SECRET-OUTSIDE-THE-BLOB-STORE";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a path exactly as written: fetch and URL would normalise `..` and `%2e%2e` away before sending. */
function rawRequest(baseUrl: string, path: string, method = "GET", body?: string): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        hostname,
        port,
        path,
        method,
        headers: body
          ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
          : {},
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

describe("path traversal never reads outside the blob store", () => {
  let hub: TestHangar;
  let folder: { path: string; remove: () => Promise<void> };
  const outsideSecret = () => join(hub.home, "..", `secret-${process.pid}.txt`);

  before(async () => {
    hub = await startTestHangar();
    folder = await makeTempDir();
    await writeRepoFolder(folder.path, { "config.json": "{}", "docs/readme.txt": "hello" });
    await importFolder(hub.hangar, localAdministrator(), {
      folder: folder.path,
      repo: { type: "model", namespace: "acme", name: "files" },
    });
    // Files a traversal would aim for: one beside the instance, one inside its home.
    await writeFile(join(hub.home, "secret.txt"), SECRET);
    await writeFile(outsideSecret(), SECRET);
  });
  after(async () => {
    await rm(outsideSecret(), { force: true });
    await hub.close();
    await folder.remove();
  });

  const attempts = [
    "/acme/files/resolve/main/../../../etc/passwd",
    "/acme/files/resolve/main/../../secret.txt",
    "/acme/files/resolve/main/docs/../config.json",
    "/acme/files/resolve/main/%2e%2e/%2e%2e/secret.txt",
    "/acme/files/resolve/main/%2E%2E%2F%2E%2E%2Fsecret.txt",
    "/acme/files/resolve/main/docs%2F..%2F..%2Fsecret.txt",
    "/acme/files/resolve/main/..%5C..%5Csecret.txt",
    "/acme/files/resolve/main/..\\..\\secret.txt",
    "/acme/files/resolve/main/%2Fetc%2Fpasswd",
    "/acme/files/resolve/main//etc/passwd",
    "/acme/files/resolve/main/config.json%00.txt",
    "/acme/files/resolve/main/%zz",
    "/acme/files/raw/main/../../secret.txt",
    "/acme/files/resolve/..%2F..%2Fsecret.txt/config.json",
    "/acme/..%2F..%2Fsecret.txt/resolve/main/config.json",
    "/datasets/..%2F..%2Facme/files/resolve/main/config.json",
    "/api/models/acme/files/tree/main/..%2F..",
    "/api/models/acme/files/tree/main/%2e%2e/%2e%2e",
    "/api/models/acme/files/tree/main/docs/../..",
    "/api/models/acme/files/revision/..%2F..%2Fsecret.txt",
  ];

  for (const path of attempts) {
    it(`refuses ${path} with a 4xx and the Hub's error shape`, async () => {
      const response = await rawRequest(hub.url, path);
      assert.ok(response.status >= 400 && response.status < 500, `status ${response.status}`);
      assert.ok(response.headers["x-error-code"], "X-Error-Code is set");
      assert.ok(!response.body.includes(SECRET));
      assert.ok(!response.body.includes("root:"));
      assert.equal(typeof (JSON.parse(response.body) as { error: unknown }).error, "string");
    });
  }

  it("answers 400 InvalidPath for decoded traversal in file paths", async () => {
    for (const path of [
      "/acme/files/resolve/main/%2e%2e/%2e%2e/secret.txt",
      "/acme/files/resolve/main/docs%2F..%2F..%2Fsecret.txt",
      "/acme/files/resolve/main/..%5Csecret.txt",
      "/acme/files/resolve/main/%2Fetc%2Fpasswd",
      "/acme/files/resolve/main/config.json%00.txt",
    ]) {
      const response = await rawRequest(hub.url, path);
      assert.equal(response.status, 400, path);
      assert.equal(response.headers["x-error-code"], "InvalidPath", path);
    }
  });

  it("refuses traversal in paths-info bodies", async () => {
    for (const bad of ["../secret.txt", "/etc/passwd", "docs\\..\\..\\secret.txt", "a\u0000b"]) {
      const response = await rawRequest(
        hub.url,
        "/api/models/acme/files/paths-info/main",
        "POST",
        JSON.stringify({ paths: [bad] }),
      );
      assert.equal(response.status, 400, bad);
      assert.equal(response.headers["x-error-code"], "InvalidPath");
    }
  });

  it("still serves the legitimate files", async () => {
    const response = await rawRequest(hub.url, "/acme/files/resolve/main/docs%2Freadme.txt");
    assert.equal(response.status, 200);
    assert.equal(response.body, "hello");
    const plain = await rawRequest(hub.url, "/acme/files/resolve/main/docs/readme.txt");
    assert.equal(plain.body, "hello");
  });
});
