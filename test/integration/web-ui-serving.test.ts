import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { type RunningServer, startServer } from "../../src/server/create-server.ts";
import { WEB_UI_NOT_BUILT } from "../../src/server/routes/web-ui.ts";
import { importFiles, makeTempDir } from "../helpers/test-hangar.ts";

const INDEX =
  '<!doctype html><html lang="en"><head><script type="module" src="/assets/app-1a2b3c.js"></script></head><body><div id="app"></div></body></html>\n';
const SCRIPT = 'console.log("the app");\n';
/** A bundle big enough to be worth compressing; the build writes its .br and .gz copies next to it. */
const BUNDLE = `${Array.from({ length: 400 }, (_, line) => `export const value${line} = "${"abc".repeat(line % 7)}";`).join("\n")}\n`;
/** One with no copies (a build made without the compression step): compressed when served. */
const STYLES = `${Array.from({ length: 200 }, (_, line) => `.rule-${line} { color: #${(line * 4099).toString(16).padStart(6, "0").slice(0, 6)}; }`).join("\n")}\n`;
const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/**
 * How `hangar serve` serves the web UI's built files: here a stand-in build in a temp folder (the browser
 * tests in web-ui*.test.ts use the real one), so what is checked is the server: which requests get the
 * app, with which caching, and that git, the Hub's clients and the API answer as they did before.
 */
describe("the web UI's files and page URLs", () => {
  let home: Awaited<ReturnType<typeof makeTempDir>>;
  let hangar: Hangar;
  let built: RunningServer;
  let unbuilt: RunningServer;
  before(async () => {
    home = await makeTempDir();
    const webRoot = join(home.path, "web");
    await mkdir(join(webRoot, "assets"), { recursive: true });
    await writeFile(join(webRoot, "index.html"), INDEX);
    await writeFile(join(webRoot, "assets", "app-1a2b3c.js"), SCRIPT);
    await writeFile(join(webRoot, "assets", "bundle-4d5e6f.js"), BUNDLE);
    await writeFile(join(webRoot, "assets", "bundle-4d5e6f.js.br"), brotliCompressSync(BUNDLE));
    await writeFile(join(webRoot, "assets", "bundle-4d5e6f.js.gz"), gzipSync(BUNDLE));
    await writeFile(join(webRoot, "assets", "styles-7a8b9c.css"), STYLES);
    hangar = await createHangar(defaultConfig(join(home.path, "hangar"), { logLevel: "silent" }));
    await importFiles(hangar, "acme/demo", {
      "README.md": "---\nlicense: mit\n---\n# Demo\n",
      "config.json": "{}",
    });
    await importFiles(hangar, "acme/data", { "README.md": "# Data\n" }, { type: "dataset" });
    await importFiles(hangar, "acme/secret", { "config.json": "{}" }, { private: true });
    built = await startServer(hangar, { host: "127.0.0.1", port: 0 }, { webRoot, logLevel: "silent" });
    unbuilt = await startServer(
      hangar,
      { host: "127.0.0.1", port: 0 },
      { webRoot: join(home.path, "nothing"), logLevel: "silent" },
    );
  });
  after(async () => {
    await built.close();
    await unbuilt.close();
    await hangar.close();
    await home.remove();
  });

  it("answers a browser at / with the app, revalidated on every load", async () => {
    const response = await fetch(`${built.url}/`, { headers: { accept: BROWSER } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(response.headers.get("cache-control"), "no-cache");
    assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.equal(await response.text(), INDEX);
    const etag = response.headers.get("etag");
    assert.ok(etag);
    const again = await fetch(`${built.url}/`, { headers: { accept: BROWSER, "if-none-match": etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
  });

  it("serves the built scripts for a year (their names carry their hash) and nothing outside assets", async () => {
    const response = await fetch(`${built.url}/assets/app-1a2b3c.js`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(await response.text(), SCRIPT);
    for (const path of ["/assets/missing.js", "/assets/..%2Findex.html", "/assets/%2E%2E/index.html"]) {
      const refused = await fetch(`${built.url}${path}`);
      assert.equal(refused.status, 404, path);
      assert.equal(refused.headers.get("x-error-code"), "NotFound", path);
    }
  });

  it("sends the build's brotli or gzip copy as Accept-Encoding asks, with one ETag per encoding", async () => {
    const path = "/assets/bundle-4d5e6f.js";
    const br = await raw(built.url, path, { "accept-encoding": "gzip, deflate, br, zstd" });
    assert.equal(br.status, 200);
    assert.equal(br.headers["content-encoding"], "br");
    assert.equal(br.headers.vary, "Accept-Encoding");
    assert.equal(br.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(br.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(Number(br.headers["content-length"]), br.body.byteLength);
    assert.ok(br.body.equals(await readFile(join(home.path, "web", "assets", "bundle-4d5e6f.js.br"))));
    assert.equal(brotliDecompressSync(br.body).toString(), BUNDLE);
    assert.ok(
      br.body.byteLength < BUNDLE.length / 4,
      `${br.body.byteLength} bytes sent for ${BUNDLE.length}`,
    );

    const gzip = await raw(built.url, path, { "accept-encoding": "br;q=0, gzip" });
    assert.equal(gzip.headers["content-encoding"], "gzip");
    assert.equal(gunzipSync(gzip.body).toString(), BUNDLE);
    const plain = await raw(built.url, path, {});
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.equal(plain.body.toString(), BUNDLE);
    const identity = await raw(built.url, path, { "accept-encoding": "identity" });
    assert.equal(identity.headers["content-encoding"], undefined);

    const etags = [br, gzip, plain].map((answer) => String(answer.headers.etag));
    assert.equal(new Set(etags).size, 3, `distinct ETags: ${etags.join(" ")}`);
    const revalidated = await raw(built.url, path, {
      "accept-encoding": "gzip, br",
      "if-none-match": `W/"other", ${br.headers.etag}`,
    });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.body.byteLength, 0);
    // The gzip copy's ETag does not validate the brotli body.
    const other = await raw(built.url, path, {
      "accept-encoding": "br",
      "if-none-match": String(gzip.headers.etag),
    });
    assert.equal(other.status, 200);
    const head = await raw(built.url, path, { "accept-encoding": "br" }, "HEAD");
    assert.equal(head.headers["content-length"], br.headers["content-length"]);
    assert.equal(head.body.byteLength, 0);
  });

  it("compresses a file the build left without copies once, and leaves small files alone", async () => {
    const first = await raw(built.url, "/assets/styles-7a8b9c.css", { "accept-encoding": "gzip, br" });
    assert.equal(first.headers["content-encoding"], "br");
    assert.equal(first.headers["content-type"], "text/css; charset=utf-8");
    assert.equal(brotliDecompressSync(first.body).toString(), STYLES);
    const again = await raw(built.url, "/assets/styles-7a8b9c.css", { "accept-encoding": "gzip, br" });
    assert.ok(again.body.equals(first.body));
    const gzip = await raw(built.url, "/assets/styles-7a8b9c.css", { "accept-encoding": "gzip" });
    assert.equal(gunzipSync(gzip.body).toString(), STYLES);
    const small = await raw(built.url, "/assets/app-1a2b3c.js", { "accept-encoding": "gzip, br" });
    assert.equal(small.headers["content-encoding"], undefined, "under 1 KiB goes as it is");
    assert.equal(small.body.toString(), SCRIPT);
  });

  it("answers the Hub's page URLs with the app for a browser", async () => {
    for (const path of [
      "/acme/demo",
      "/acme/demo/tree/main",
      "/acme/demo/tree/main/sub/folder",
      "/acme/demo/blob/main/README.md",
      "/acme/demo/commits/main",
      "/acme/demo/commit/0123abcd",
      "/datasets/acme/data",
      "/datasets/acme/data/tree/main",
    ]) {
      const response = await fetch(`${built.url}${path}`, { headers: { accept: BROWSER } });
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), INDEX, path);
    }
  });

  it("answers 404 with the app (which says not found) for the page of a repo that is missing or not readable", async () => {
    for (const path of [
      "/unknown/repo",
      "/spaces/acme/app/tree/main",
      "/datasets/acme/demo",
      "/acme/data",
      "/acme/secret",
      "/acme/secret/blob/main/config.json",
    ]) {
      const response = await fetch(`${built.url}${path}`, { headers: { accept: BROWSER } });
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.get("cache-control"), "no-store", path);
      assert.equal(await response.text(), INDEX, path);
      const again = await fetch(`${built.url}${path}`, {
        headers: { accept: BROWSER, "if-none-match": response.headers.get("etag") ?? "" },
      });
      assert.equal(again.status, 404, `${path}: not a 304`);
    }
  });

  it("leaves every other client as it was: JSON at /, 404 on page URLs, git, resolve and the API", async () => {
    const info = await fetch(`${built.url}/`, { headers: { accept: "application/json" } });
    assert.deepEqual(await info.json(), { name: "Hangar", version: "0.1.0", repos: 3, catalogEntries: 0 });
    const page = await fetch(`${built.url}/acme/demo`);
    assert.equal(page.status, 404);
    assert.equal(page.headers.get("x-error-code"), "NotFound");
    const refs = await fetch(`${built.url}/acme/demo/info/refs?service=git-upload-pack`, {
      headers: { accept: "*/*" },
    });
    assert.equal(refs.status, 200);
    assert.equal(refs.headers.get("content-type"), "application/x-git-upload-pack-advertisement");
    // A browser opening a file's download link gets the file, not the app.
    const file = await fetch(`${built.url}/acme/demo/resolve/main/config.json`, {
      headers: { accept: BROWSER },
    });
    assert.equal(file.status, 200);
    assert.equal(await file.text(), "{}");
    const api = await fetch(`${built.url}/api/models/acme/demo`, { headers: { accept: BROWSER } });
    assert.equal(api.status, 200);
    assert.equal(((await api.json()) as { id: string }).id, "acme/demo");
    const listing = await fetch(`${built.url}/v1/discover?q=demo`, { headers: { accept: BROWSER } });
    assert.equal(listing.status, 200);
    assert.equal(((await listing.json()) as { results: Array<{ id: string }> }).results[0]?.id, "acme/demo");
  });

  it("says in one line how to build the UI when it is not built", async () => {
    const response = await fetch(`${unbuilt.url}/acme/demo`, { headers: { accept: BROWSER } });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await response.text(), `${WEB_UI_NOT_BUILT}\n`);
    const info = await fetch(`${unbuilt.url}/`);
    assert.equal(info.status, 200, "the JSON answer does not need the UI");
  });

  it("documents the page routes in /openapi.json as browser-only", async () => {
    const document = (await (await fetch(`${built.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary: string }>>;
    };
    assert.match(document.paths["/{namespace}/{name}/tree/{rest}"]?.get?.summary ?? "", /browsers only/);
    assert.match(document.paths["/"]?.get?.summary ?? "", /web UI/);
  });
});

/** A request without fetch's automatic decompression: the bytes and headers as sent. */
function raw(
  base: string,
  path: string,
  headers: Record<string, string>,
  method = "GET",
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}
