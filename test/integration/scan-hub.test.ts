// Scanning in the hub: files uploaded with the real @huggingface/hub client are scanned in the background,
// and their verdicts show in model info, tree and paths-info listings, search and `hangar scan REPO_ID`.
import assert from "node:assert/strict";
import type { Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { defaultConfig, type HangarConfig } from "../../src/core/config.ts";
import { searchModels } from "../../src/discovery/index.ts";
import { SCANNER_RULES_VERSION } from "../../src/governance/scan/index.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { createToken, createUser } from "../../src/hub/accounts/manage-accounts.ts";
import { createServer, listen } from "../../src/server/create-server.ts";
import { hangarCli } from "../helpers/hangar-cli.ts";
import { onnxModel, safetensors } from "../helpers/scan-builders-tensors.ts";
import { OS_SYSTEM } from "../helpers/scan-corpus-pickle.ts";
import {
  getJson,
  type SecurityRepoStatus,
  slowestAnswerDuring,
  type TreeEntry,
  waitForScans,
} from "../helpers/scan-hub.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const ADMIN_TOKEN = "hf_test_admin_token_0123456789abcdef";
const SAFE = safetensors({ weight: { dtype: "F32", shape: [2, 2], bytes: 16 } });

interface Running {
  hangar: Hangar;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** A Hangar serving `home` with its scanner started, as `hangar serve` runs it. */
async function serve(home: string, overrides: Partial<HangarConfig> = {}): Promise<Running> {
  const hangar = await createHangar(defaultConfig(home, { adminToken: ADMIN_TOKEN, ...overrides }));
  const server = createServer(hangar);
  const url = await listen(server, "127.0.0.1", 0);
  hangar.scans.start();
  return {
    hangar,
    server,
    url,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await hangar.close();
    },
  };
}

describe("scanning in the hub", () => {
  let temp: { path: string; remove: () => Promise<void> };
  let hub: Running;
  let token: string;

  before(async () => {
    temp = await makeTempDir("hangar-scan-hub-");
    hub = await serve(temp.path);
    await createUser(hub.hangar, { name: "alice" });
    token = (await createToken(hub.hangar, { user: "alice", role: "write" })).token;
    await hub.hangar.catalog.repos.insert({
      type: "model",
      namespace: "alice",
      name: "listed-only",
      private: false,
      createdAt: new Date().toISOString(),
    });
    for (const name of ["evil", "good", "good-copy"]) {
      await createRepo({ repo: `alice/${name}`, accessToken: token, hubUrl: hub.url });
    }
    await uploadFiles({
      repo: "alice/evil",
      accessToken: token,
      hubUrl: hub.url,
      files: [
        { path: "pytorch_model.bin", content: new Blob([OS_SYSTEM]) },
        { path: "model.safetensors", content: new Blob([SAFE]) },
      ],
    });
    await uploadFiles({
      repo: "alice/good",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "model.safetensors", content: new Blob([SAFE]) }],
    });
  });
  after(async () => {
    await hub?.stop();
    await temp?.remove();
  });

  it("shows an uploaded unsafe pickle as unsafe in model info, naming the file and the import", async () => {
    const status = await waitForScans(hub.url, "alice/evil", token);
    assert.deepEqual(
      status.filesWithIssues.map((file) => [file.path, file.level]),
      [["pytorch_model.bin", "unsafe"]],
    );
    assert.ok(
      status.filesWithIssues[0]!.findings.some((finding) => finding.includes("pickle.import.denied")),
    );
    // Without asking, model info does not carry it (as on the Hub).
    const plain = await getJson<Record<string, unknown>>(`${hub.url}/api/models/alice/evil`, token);
    assert.equal(plain.securityRepoStatus, undefined);
    // Python's model_info(securityStatus=True) asks with a flag.
    const flagged = await getJson<{ securityRepoStatus: SecurityRepoStatus; sha: string }>(
      `${hub.url}/api/models/alice/evil?securityStatus=True`,
      token,
    );
    assert.equal(flagged.securityRepoStatus.scansDone, true);
    assert.equal(typeof flagged.sha, "string");
  });

  it("gives each file its verdict in tree and paths-info listings with expand", async () => {
    await waitForScans(hub.url, "alice/evil", token);
    const tree = await getJson<TreeEntry[]>(`${hub.url}/api/models/alice/evil/tree/main?expand=true`, token);
    const byPath = new Map(tree.map((entry) => [entry.path, entry.securityFileStatus]));
    const unsafe = byPath.get("pytorch_model.bin")!;
    assert.equal(unsafe.status, "unsafe");
    assert.equal(unsafe.avScan, null);
    assert.equal(unsafe.pickleImportScan?.highestSafetyLevel, "dangerous");
    assert.deepEqual(unsafe.pickleImportScan?.imports, [
      { module: "os", name: "system", safety: "dangerous" },
    ]);
    assert.deepEqual(byPath.get("model.safetensors"), {
      status: "safe",
      avScan: null,
      pickleImportScan: null,
    });
    const plain = await getJson<TreeEntry[]>(`${hub.url}/api/models/alice/evil/tree/main`, token);
    assert.ok(plain.every((entry) => entry.securityFileStatus === undefined));

    const response = await fetch(`${hub.url}/api/models/alice/evil/paths-info/main`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ paths: ["pytorch_model.bin"], expand: true }),
    });
    const [entry] = (await response.json()) as TreeEntry[];
    assert.equal(entry?.securityFileStatus?.status, "unsafe");
  });

  it("reports safe, unsafe and unscanned repos in search's scan facet and filter", async () => {
    await waitForScans(hub.url, "alice/evil", token);
    await waitForScans(hub.url, "alice/good", token);
    await hub.hangar.scans.idle();
    const unsafe = await searchModels(hub.hangar, { scanStatuses: ["unsafe"], authors: ["alice"] });
    assert.deepEqual(
      unsafe.results.map((hit) => [hit.id, hit.scanStatus]),
      [["alice/evil", "unsafe"]],
    );
    const all = await searchModels(hub.hangar, { authors: ["alice"] });
    const facet = new Map(all.facets!.scan_status.map((entry) => [entry.value, entry.count]));
    assert.equal(facet.get("unsafe"), 1);
    // good-copy holds the .gitattributes its creation committed: safe too.
    assert.equal(facet.get("safe"), 2);
    // A catalog entry without files has nothing scanned.
    assert.equal(facet.get("unscanned"), 1);
    const unscanned = await searchModels(hub.hangar, { scanStatuses: ["unscanned"], authors: ["alice"] });
    assert.deepEqual(
      unscanned.results.map((hit) => hit.id),
      ["alice/listed-only"],
    );
  });

  it("scans a blob shared by two repos once", async () => {
    await waitForScans(hub.url, "alice/good", token);
    const sha = (
      await hub.hangar.catalog.scanResults.filesOf(
        (await hub.hangar.catalog.scanResults.headOf(
          (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "good" }))!.pk,
        ))!.commitPk,
        SCANNER_RULES_VERSION,
      )
    ).find((file) => file.path === "model.safetensors")!;
    const first = sha.result!.scannedAt;
    await uploadFiles({
      repo: "alice/good-copy",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "weights/model.safetensors", content: new Blob([SAFE]) }],
    });
    await waitForScans(hub.url, "alice/good-copy", token);
    const again = await hub.hangar.catalog.scanResults.get(sha.sha256, SCANNER_RULES_VERSION);
    assert.equal(again?.scannedAt, first);
    await hub.hangar.scans.idle();
    const hits = await searchModels(hub.hangar, { scanStatuses: ["safe"], authors: ["alice"] });
    assert.deepEqual(hits.results.map((hit) => hit.id).sort(), ["alice/good", "alice/good-copy"]);
  });

  it("leaves a committed blob whose bytes are not stored yet without a verdict, to be tried again", async () => {
    const catalog = hub.hangar.catalog;
    const repo = await catalog.repos.insert({
      type: "model",
      namespace: "alice",
      name: "bytes-later",
      private: false,
      createdAt: new Date().toISOString(),
    });
    const absent = "ab".repeat(32);
    const commitPk = await catalog.commits.insertCommit(repo.pk, {
      oid: "cd".repeat(20),
      parents: [],
      author: "alice",
      date: new Date().toISOString(),
      title: "mirrored",
      message: "mirrored",
      metadata: {},
    });
    await catalog.commits.insertTree(commitPk, [
      {
        path: "model.bin",
        gitOid: "ef".repeat(20),
        size: 10,
        sha256: absent,
        lfs: true,
        lastCommit: "cd".repeat(20),
      },
    ]);
    await catalog.commits.registerBlob(absent, 10, new Date().toISOString());
    await hub.hangar.scans.idle();
    const report = await hub.hangar.scans.pass();
    assert.equal(report.missing, 1);
    assert.equal(await catalog.scanResults.get(absent, SCANNER_RULES_VERSION), undefined);
  });

  it("scans an 18 MB pickle of 6 million opcodes in the background while the server keeps answering", async () => {
    // 6 million opcodes (BININT1 n, POP), walked on the scanner's worker thread.
    const count = 6_000_000;
    const big = new Uint8Array(2 + count * 3 + 3);
    big.set([0x80, 4]);
    for (let at = 2, i = 0; i < count; i++, at += 3) big.set([0x4b, i & 0xff, 0x30], at);
    big.set([0x4b, 1, 0x2e], big.length - 3);
    await createRepo({ repo: "alice/big", accessToken: token, hubUrl: hub.url });
    await uploadFiles({
      repo: "alice/big",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "big.pkl", content: new Blob([big]) }],
    });
    let status: SecurityRepoStatus | undefined;
    const slowest = await slowestAnswerDuring(hub.url, token, async () => {
      status = await waitForScans(hub.url, "alice/big", token);
    });
    assert.deepEqual(status?.filesWithIssues, []);
    assert.ok(slowest < 1500, `another request waited ${Math.round(slowest)} ms`);
  });

  it("keeps the verdicts across a restart on the same home, and hangar scan REPO_ID prints them", async () => {
    await waitForScans(hub.url, "alice/evil", token);
    const scannedAt = async () => {
      const repo = await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "evil" });
      const head = await hub.hangar.catalog.scanResults.headOf(repo!.pk);
      const files = await hub.hangar.catalog.scanResults.filesOf(head!.commitPk, SCANNER_RULES_VERSION);
      return files.map((file) => [file.path, file.result?.scannedAt]);
    };
    const before = await scannedAt();
    await hub.stop();
    hub = await serve(temp.path);
    await hub.hangar.scans.idle();
    assert.deepEqual(await scannedAt(), before, "nothing was scanned again");
    const status = await getJson<{ securityRepoStatus: SecurityRepoStatus }>(
      `${hub.url}/api/models/alice/evil?expand[]=securityRepoStatus`,
      token,
    );
    assert.equal(status.securityRepoStatus.scansDone, true);
    assert.deepEqual(
      status.securityRepoStatus.filesWithIssues.map((file) => file.path),
      ["pytorch_model.bin"],
    );
    const unsafe = await searchModels(hub.hangar, { scanStatuses: ["unsafe"], authors: ["alice"] });
    assert.deepEqual(
      unsafe.results.map((hit) => hit.id),
      ["alice/evil"],
    );

    const run = await hangarCli(["scan", "alice/evil@main", "--json", "--home", temp.path]);
    assert.equal(run.code, 2, run.stderr);
    const results = JSON.parse(run.stdout) as Array<{ path: string; verdict: string; format: string }>;
    const verdicts = new Map(results.map((result) => [result.path, result.verdict]));
    assert.equal(verdicts.get("pytorch_model.bin"), "unsafe");
    assert.equal(verdicts.get("model.safetensors"), "safe");

    const rescan = await hangarCli(["scan", "--rescan", "--json", "--home", temp.path]);
    assert.equal(rescan.code, 0, rescan.stderr);
    // Everything has its verdict but the blob of bytes-later, whose bytes never came.
    assert.deepEqual(JSON.parse(rescan.stdout), { scanned: 0, missing: 1, dropped: 0 });
    const text = await hangarCli(["scan", "--rescan", "--home", temp.path]);
    assert.match(
      text.stdout,
      /^0 files scanned under rules \S+; 0 older verdicts dropped; 1 file not in the blob store yet\n$/,
    );
  });

  it("with HANGAR_SCAN_BLOCK=unsafe refuses a commit with an unsafe file (422, file named) and the head stays", async () => {
    await hub.stop();
    hub = await serve(temp.path, { scanBlock: ["unsafe"] });
    const before = await getJson<{ sha: string }>(`${hub.url}/api/models/alice/good`, token);
    await assert.rejects(
      uploadFiles({
        repo: "alice/good",
        accessToken: token,
        hubUrl: hub.url,
        files: [
          { path: "README.md", content: new Blob(["# fine\n"]) },
          { path: "sub/evil.pkl", content: new Blob([OS_SYSTEM, OS_SYSTEM]) },
        ],
      }),
      (error: Error & { statusCode?: number }) => {
        assert.equal(error.statusCode, 422);
        assert.match(error.message, /sub\/evil\.pkl is unsafe/);
        assert.match(error.message, /pickle\.import\.denied \(os\.system\)/);
        return true;
      },
    );
    const afterRefusal = await getJson<{ sha: string; siblings: Array<{ rfilename: string }> }>(
      `${hub.url}/api/models/alice/good`,
      token,
    );
    assert.equal(afterRefusal.sha, before.sha);
    assert.ok(!afterRefusal.siblings.some((file) => file.rfilename === "README.md"));
    // An ONNX model whose external data leaves the repo is unsafe whatever lies next to it.
    await assert.rejects(
      uploadFiles({
        repo: "alice/good",
        accessToken: token,
        hubUrl: hub.url,
        files: [
          {
            path: "onnx/model.onnx",
            content: new Blob([
              onnxModel({ initializers: [{ name: "w", external: { location: "/etc/shadow" } }] }),
            ]),
          },
        ],
      }),
      (error: Error & { statusCode?: number }) => {
        assert.equal(error.statusCode, 422);
        assert.match(error.message, /onnx\/model\.onnx is unsafe.*onnx\.external-data\.location/);
        return true;
      },
    );
    // A safe commit still lands.
    await uploadFiles({
      repo: "alice/good",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "README.md", content: new Blob(["# fine\n"]) }],
    });
    const landed = await getJson<{ sha: string }>(`${hub.url}/api/models/alice/good`, token);
    assert.notEqual(landed.sha, before.sha);
  });
});
