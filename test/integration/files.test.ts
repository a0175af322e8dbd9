import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { lstat, readFile, realpath, rm, truncate } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { downloadFile, downloadFileToCacheDir, fileExists, snapshotDownload } from "@huggingface/hub";
import { createCommit } from "../../src/hub/create-commit.ts";
import { storeLocalFile } from "../../src/hub/import-folder.ts";
import { rawDb } from "../helpers/raw-store.ts";
import {
  fsBlobs,
  importFiles,
  makeTempDir,
  startTestHangar,
  type TestHangar,
} from "../helpers/test-hangar.ts";
import { writeRepoFolder } from "../helpers/tiny-models.ts";

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const gitSha1 = (bytes: Uint8Array): string =>
  createHash("sha1").update(`blob ${bytes.byteLength}\0`).update(bytes).digest("hex");

const CONFIG = JSON.stringify({ model_type: "bert", hidden_size: 8 });
const SPACED_NAME = "docs/a file with spaces ü.txt";
const SPACED_TEXT = "unicode and spaces survive\n";
const BIG = randomBytes(20 * 1024 * 1024);

describe("file downloads (resolve and raw) with the real @huggingface/hub client", () => {
  let hub: TestHangar;
  let aliceToken: string;
  let bobToken: string;
  let mainSha: string;
  const temp: Array<() => Promise<void>> = [];

  before(async () => {
    hub = await startTestHangar();
    aliceToken = await hub.addUser("alice", "read");
    bobToken = await hub.addUser("bob", "read");
    const result = await importFiles(hub.hangar, "acme/files", {
      "config.json": CONFIG,
      "big.bin": BIG,
      [SPACED_NAME]: SPACED_TEXT,
      "empty.txt": "",
    });
    mainSha = result.commit.oid;
    await importFiles(hub.hangar, "alice/private-files", { "config.json": "{}" }, { private: true });
    await importFiles(hub.hangar, "acme/gated", { "weights.txt": "gated bytes" }, { gated: "auto" });
    await importFiles(hub.hangar, "acme/table", { "data.csv": "a,b\n1,2\n" }, { type: "dataset" });
  });
  after(async () => {
    await hub.close();
    for (const remove of temp) await remove();
  });

  it("downloads regular and 20 MB LFS files byte for byte", async () => {
    const config = await downloadFile({ hubUrl: hub.url, repo: "acme/files", path: "config.json" });
    assert.equal(await config!.text(), CONFIG);
    const big = await downloadFile({ hubUrl: hub.url, repo: "acme/files", path: "big.bin" });
    assert.equal(big!.size, BIG.byteLength);
    assert.equal(sha256(new Uint8Array(await big!.arrayBuffer())), sha256(BIG));
    const spaced = await downloadFile({ hubUrl: hub.url, repo: "acme/files", path: SPACED_NAME });
    assert.equal(await spaced!.text(), SPACED_TEXT);
    const empty = await downloadFile({ hubUrl: hub.url, repo: "acme/files", path: "empty.txt" });
    assert.equal(empty!.size, 0);
    assert.equal(await downloadFile({ hubUrl: hub.url, repo: "acme/files", path: "nope.txt" }), null);
    const dataset = await downloadFile({
      hubUrl: hub.url,
      repo: { type: "dataset", name: "acme/table" },
      path: "data.csv",
    });
    assert.equal(await dataset!.text(), "a,b\n1,2\n");
  });

  it("answers fileExists through HEAD on /raw/", async () => {
    assert.equal(await fileExists({ hubUrl: hub.url, repo: "acme/files", path: "big.bin" }), true);
    assert.equal(await fileExists({ hubUrl: hub.url, repo: "acme/files", path: SPACED_NAME }), true);
    assert.equal(await fileExists({ hubUrl: hub.url, repo: "acme/files", path: "missing.bin" }), false);
  });

  it("fills the Hugging Face cache layout with downloadFileToCacheDir", async () => {
    const cache = await makeTempDir("hangar-cache-");
    temp.push(cache.remove);
    const configPath = await downloadFileToCacheDir({
      hubUrl: hub.url,
      repo: "acme/files",
      path: "config.json",
      cacheDir: cache.path,
    });
    const storage = join(cache.path, "models--acme--files");
    assert.equal(configPath, join(storage, "snapshots", mainSha, "config.json"));
    assert.ok((await lstat(configPath)).isSymbolicLink());
    assert.equal(
      await realpath(configPath),
      join(await realpath(storage), "blobs", gitSha1(Buffer.from(CONFIG))),
    );
    assert.equal(await readFile(configPath, "utf8"), CONFIG);

    const bigPath = await downloadFileToCacheDir({
      hubUrl: hub.url,
      repo: "acme/files",
      path: "big.bin",
      cacheDir: cache.path,
    });
    assert.equal(bigPath, join(storage, "snapshots", mainSha, "big.bin"));
    assert.equal(await realpath(bigPath), join(await realpath(storage), "blobs", sha256(BIG)));
    assert.equal(sha256(await readFile(bigPath)), sha256(BIG));
  });

  it("downloads a whole repo with snapshotDownload, empty files included", async () => {
    const cache = await makeTempDir("hangar-snapshot-");
    temp.push(cache.remove);
    const folder = await snapshotDownload({ hubUrl: hub.url, repo: "acme/files", cacheDir: cache.path });
    assert.equal(folder, join(cache.path, "models--acme--files", "snapshots", mainSha));
    assert.equal(await readFile(join(folder, "config.json"), "utf8"), CONFIG);
    assert.equal(await readFile(join(folder, SPACED_NAME), "utf8"), SPACED_TEXT);
    assert.equal((await readFile(join(folder, "empty.txt"))).byteLength, 0);
    assert.equal(sha256(await readFile(join(folder, "big.bin"))), sha256(BIG));
    assert.equal(await readFile(join(cache.path, "models--acme--files", "refs", "main"), "utf8"), mainSha);
    const dataset = await snapshotDownload({
      hubUrl: hub.url,
      repo: { type: "dataset", name: "acme/table" },
      cacheDir: cache.path,
    });
    assert.equal(await readFile(join(dataset, "data.csv"), "utf8"), "a,b\n1,2\n");
  });

  it("sends the headers Python and JS rely on, for regular and LFS files", async () => {
    const regular = await hub.fetch(`${hub.url}/acme/files/resolve/main/config.json`, { method: "HEAD" });
    assert.equal(regular.status, 200);
    assert.equal(regular.headers.get("etag"), `"${gitSha1(Buffer.from(CONFIG))}"`);
    assert.equal(regular.headers.get("x-repo-commit"), mainSha);
    assert.equal(regular.headers.get("content-length"), String(CONFIG.length));
    assert.equal(regular.headers.get("accept-ranges"), "bytes");
    assert.equal(regular.headers.get("content-encoding"), null);

    const lfs = await hub.fetch(`${hub.url}/acme/files/resolve/main/big.bin`, {
      method: "HEAD",
      headers: { "accept-encoding": "gzip" },
    });
    assert.equal(lfs.status, 200);
    assert.equal(lfs.headers.get("etag"), `"${sha256(BIG)}"`);
    assert.equal(lfs.headers.get("x-linked-etag"), `"${sha256(BIG)}"`);
    assert.equal(lfs.headers.get("x-linked-size"), String(BIG.byteLength));
    assert.equal(lfs.headers.get("content-length"), String(BIG.byteLength));
    assert.equal(lfs.headers.get("content-encoding"), null);
    assert.equal(lfs.headers.get("x-repo-commit"), mainSha);

    const pointer = await hub.fetch(`${hub.url}/acme/files/raw/main/big.bin`);
    const pointerText = await pointer.text();
    assert.equal(
      pointerText,
      `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(BIG)}\nsize ${BIG.byteLength}\n`,
    );
    assert.equal(pointer.headers.get("etag"), `"${gitSha1(Buffer.from(pointerText))}"`);
    const rawRegular = await hub.fetch(`${hub.url}/acme/files/raw/main/config.json`);
    assert.equal(await rawRegular.text(), CONFIG);
  });

  it("serves single byte ranges and refuses unsatisfiable ones with 416", async () => {
    const url = `${hub.url}/acme/files/resolve/main/big.bin`;
    const size = BIG.byteLength;
    const probe = await fetch(url, { headers: { range: "bytes=0-0" } });
    assert.equal(probe.status, 206);
    assert.equal(probe.headers.get("content-range"), `bytes 0-0/${size}`);
    assert.deepEqual(Buffer.from(await probe.arrayBuffer()), BIG.subarray(0, 1));

    const middle = await fetch(url, { headers: { range: "bytes=1000000-1000099" } });
    assert.equal(middle.status, 206);
    assert.equal(middle.headers.get("content-length"), "100");
    assert.deepEqual(Buffer.from(await middle.arrayBuffer()), BIG.subarray(1_000_000, 1_000_100));

    const tail = await fetch(url, { headers: { range: `bytes=${size - 10}-` } });
    assert.equal(tail.status, 206);
    assert.equal(tail.headers.get("content-range"), `bytes ${size - 10}-${size - 1}/${size}`);
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), BIG.subarray(size - 10));

    const suffix = await hub.fetch(`${hub.url}/acme/files/resolve/main/config.json`, {
      headers: { range: "bytes=-7" },
    });
    assert.equal(suffix.status, 206);
    assert.equal(await suffix.text(), CONFIG.slice(-7));

    const past = await fetch(url, { headers: { range: `bytes=${size}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get("content-range"), `bytes */${size}`);
    assert.equal(past.headers.get("x-error-code"), "RangeNotSatisfiable");
    await past.body?.cancel();

    // Several ranges, or a reversed one, are ignored (HTTP allows it): the whole file comes back with 200.
    for (const range of ["bytes=0-1,5-6", "bytes=9-3", "items=0-1"]) {
      const whole = await hub.fetch(`${hub.url}/acme/files/resolve/main/config.json`, { headers: { range } });
      assert.equal(whole.status, 200, range);
      assert.equal(await whole.text(), CONFIG);
    }

    const pointerPart = await hub.fetch(`${hub.url}/acme/files/raw/main/big.bin`, {
      headers: { range: "bytes=0-6" },
    });
    assert.equal(pointerPart.status, 206);
    assert.equal(await pointerPart.text(), "version");
  });

  it("reports missing files and revisions with the Hub's codes", async () => {
    const missing = await hub.fetch(`${hub.url}/acme/files/resolve/main/generation_config.json`, {
      method: "HEAD",
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-error-code"), "EntryNotFound");
    assert.equal(missing.headers.get("x-repo-commit"), mainSha);
    const folder = await hub.fetch(`${hub.url}/acme/files/resolve/main/docs`);
    assert.equal(folder.status, 404);
    assert.equal(folder.headers.get("x-error-code"), "EntryNotFound");
    assert.match(((await folder.json()) as { error: string }).error, /docs/);

    const badRevision = await hub.fetch(`${hub.url}/acme/files/resolve/nope/config.json`);
    assert.equal(badRevision.status, 404);
    assert.equal(badRevision.headers.get("x-error-code"), "RevisionNotFound");
    await badRevision.body?.cancel();
    const badRepo = await hub.fetch(`${hub.url}/acme/nothing/resolve/main/config.json`);
    assert.equal(badRepo.status, 401);
    assert.equal(badRepo.headers.get("x-error-code"), "RepoNotFound");
    await badRepo.body?.cancel();
  });

  it("downloads by tag, commit id, HEAD and encoded refs/pr/N", async () => {
    const repo = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "acme", name: "files" }))!;
    await hub.hangar.catalog.commits.setRef(repo.pk, "tag", "v1.0", mainSha, new Date().toISOString());
    const dir = await makeTempDir();
    temp.push(dir.remove);
    await writeRepoFolder(dir.path, { "config.json": '{"model_type":"bert","proposed":true}' });
    const stored = await storeLocalFile(hub.hangar, join(dir.path, "config.json"), 37);
    const pr = await createCommit(hub.hangar, {
      repo,
      revision: "main",
      operations: [{ kind: "put", path: "config.json", file: stored }],
      title: "Propose a config",
      author: "bob",
      createPr: true,
    });
    for (const revision of ["v1.0", mainSha, "HEAD", "main"]) {
      const blob = await downloadFile({ hubUrl: hub.url, repo: "acme/files", path: "config.json", revision });
      assert.equal(await blob!.text(), CONFIG, revision);
    }
    const proposed = await downloadFile({
      hubUrl: hub.url,
      repo: "acme/files",
      path: "config.json",
      revision: `refs/pr/${pr.pullRequestNumber}`,
    });
    assert.equal(await proposed!.text(), '{"model_type":"bert","proposed":true}');
    const response = await hub.fetch(`${hub.url}/acme/files/resolve/refs%2Fpr%2F1/config.json`, {
      method: "HEAD",
    });
    assert.equal(response.headers.get("x-repo-commit"), pr.commit.oid);
  });

  it("hides private repos and gates gated ones", async () => {
    const url = `${hub.url}/alice/private-files/resolve/main/config.json`;
    const anonymous = await fetch(url);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get("x-error-code"), "RepoNotFound");
    await anonymous.body?.cancel();
    const other = await fetch(url, { headers: { authorization: `Bearer ${bobToken}` } });
    assert.equal(other.status, 404);
    assert.equal(other.headers.get("x-error-code"), "RepoNotFound");
    await other.body?.cancel();
    const owner = await downloadFile({
      hubUrl: hub.url,
      repo: "alice/private-files",
      path: "config.json",
      accessToken: aliceToken,
    });
    assert.equal(await owner!.text(), "{}");
    assert.equal(
      await fileExists({
        hubUrl: hub.url,
        repo: "alice/private-files",
        path: "config.json",
        accessToken: bobToken,
      }),
      false,
    );

    const gated = await hub.fetch(`${hub.url}/acme/gated/resolve/main/weights.txt`);
    assert.equal(gated.status, 401);
    assert.equal(gated.headers.get("x-error-code"), "GatedRepo");
    await gated.body?.cancel();
    const granted = await downloadFile({
      hubUrl: hub.url,
      repo: "acme/gated",
      path: "weights.txt",
      accessToken: bobToken,
    });
    assert.equal(await granted!.text(), "gated bytes");
  });

  it("refuses downloads from a disabled repo with the Hub's message", async () => {
    await importFiles(hub.hangar, "acme/disabled", { "config.json": "{}" });
    rawDb(hub.hangar.catalog)
      .prepare("UPDATE repos SET disabled = 1 WHERE namespace = 'acme' AND name = 'disabled'")
      .run();
    const response = await hub.fetch(`${hub.url}/acme/disabled/resolve/main/config.json`);
    assert.equal(response.status, 403);
    assert.equal(response.headers.get("x-error-message"), "Access to this resource is disabled.");
    await response.body?.cancel();
  });

  it("counts a client session's requests of config.json as one download, probes included", async () => {
    const read = async () =>
      (await hub.hangar.catalog.repos.get({ type: "model", namespace: "acme", name: "files" }))!.downloads;
    const before = await read();
    // A client this repo has not seen yet (downloads count once per client session: src/hub/social).
    const client = { "user-agent": "files-test/1.0 (one session)" };
    await (await hub.fetch(`${hub.url}/acme/files/resolve/main/config.json`, { headers: client })).text();
    await (
      await hub.fetch(`${hub.url}/acme/files/resolve/main/config.json`, { method: "HEAD", headers: client })
    ).text();
    await (
      await hub.fetch(`${hub.url}/acme/files/resolve/main/config.json`, {
        headers: { ...client, range: "bytes=0-0" },
      })
    ).text();
    await (await hub.fetch(`${hub.url}/acme/files/resolve/main/empty.txt`, { headers: client })).text();
    assert.equal(await read(), before + 1);
    // Another client's probe alone (a HEAD, as huggingface_hub sends first) counts for that client.
    const other = { "user-agent": "files-test/1.0 (another session)" };
    await (await fetch(`${hub.url}/acme/files/resolve/main/empty.txt`, { headers: other })).text();
    assert.equal(await read(), before + 1, "files other than config.json do not count");
    await (
      await fetch(`${hub.url}/acme/files/resolve/main/config.json`, { method: "HEAD", headers: other })
    ).text();
    assert.equal(await read(), before + 2);
  });

  it("reports a missing or damaged blob as a server error, never as an empty file", async () => {
    const damaged = randomBytes(5000);
    const missing = randomBytes(5000);
    await importFiles(hub.hangar, "acme/damaged", { "damaged.bin": damaged, "missing.bin": missing });
    await truncate(fsBlobs(hub.hangar).pathOf(sha256(damaged)), 10);
    await rm(fsBlobs(hub.hangar).pathOf(sha256(missing)));

    const gone = await hub.fetch(`${hub.url}/acme/damaged/resolve/main/missing.bin`);
    assert.equal(gone.status, 500);
    assert.equal(gone.headers.get("x-error-code"), "BlobMissing");
    assert.match(((await gone.json()) as { error: string }).error, /missing\.bin/);
    const short = await hub.fetch(`${hub.url}/acme/damaged/resolve/main/damaged.bin`, { method: "HEAD" });
    assert.equal(short.status, 500);
    assert.equal(short.headers.get("x-error-code"), "BlobCorrupt");
  });
});
