import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, before, describe, it } from "node:test";
import { modelInfo } from "@huggingface/hub";
import { mirrorInfoOf } from "../../src/hub/mirror/mirror-info.ts";
import { pullRepo } from "../../src/hub/mirror/pull-repo.ts";
import {
  big,
  bytesOf,
  FILES,
  filesOf,
  type MirrorUpstream,
  pullError,
  startMirrorUpstream,
} from "../helpers/mirror-upstream.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("mirroring from an upstream Hangar: pull-through", () => {
  let mirror: MirrorUpstream;
  let upstream: TestHangar;
  let upstreamSha: string;
  const downstream = (pullThrough = false) => mirror.downstream(pullThrough);

  before(async () => {
    mirror = await startMirrorUpstream();
    ({ upstream, upstreamSha } = mirror);
  });
  after(async () => {
    await mirror.close();
  });

  it("pull-through serves a repo on first request, and keeps serving it once the upstream is gone", async () => {
    const down = await downstream(true);
    let upstreamInfoRequests = 0;
    const countInfoRequests = (request: IncomingMessage) => {
      if (request.url?.startsWith("/api/models/alice/tiny/revision/")) upstreamInfoRequests++;
    };
    upstream.server.on("request", countInfoRequests);
    const [first, second] = await Promise.all([
      modelInfo({ name: "alice/tiny", hubUrl: down.url, additionalFields: ["sha"] }),
      modelInfo({ name: "alice/tiny", hubUrl: down.url, additionalFields: ["sha"] }),
    ]);
    upstream.server.off("request", countInfoRequests);
    assert.equal(upstreamInfoRequests, 1, "concurrent requests share one pull");
    assert.equal(first.sha, upstreamSha);
    assert.equal(second.sha, upstreamSha);
    assert.ok((await bytesOf(down.url, "alice/tiny", "model.safetensors")).equals(big));
    // A file request for a repo not asked for before pulls that file; a listing then pulls the rest.
    assert.equal((await bytesOf(down.url, "alice/other", "a.txt")).toString(), "other\n");
    const other = (await down.hangar.catalog.repos.get({
      type: "model",
      namespace: "alice",
      name: "other",
    }))!;
    const head = (await down.hangar.catalog.commits.getCommit(other.pk, other.sha!))!;
    assert.deepEqual(
      (await down.hangar.catalog.commits.listFiles(head.pk)).map((file) => file.path),
      ["a.txt"],
    );
    assert.equal(mirrorInfoOf(head)?.partial, true);
    const upstreamOther = await filesOf(upstream.url, "alice/other");
    assert.ok(upstreamOther.length > 1);
    assert.deepEqual(await filesOf(down.url, "alice/other"), upstreamOther);
    const missing = await fetch(`${down.url}/api/models/alice/nothing-here`);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("x-error-code"), "RepoNotFound");

    upstream.server.closeAllConnections();
    await new Promise<void>((resolve) => upstream.server.close(() => resolve()));

    const offline = await modelInfo({ name: "alice/tiny", hubUrl: down.url, additionalFields: ["sha"] });
    assert.equal(offline.sha, upstreamSha);
    assert.ok((await bytesOf(down.url, "alice/tiny", "model.safetensors")).equals(big));
    assert.equal(
      (await bytesOf(down.url, "alice/tiny", "config.json")).toString(),
      Buffer.from(FILES["config.json"]!).toString(),
    );

    const neverPulled = await fetch(`${down.url}/api/models/alice/later`);
    assert.equal(neverPulled.status, 401);
    assert.equal(neverPulled.headers.get("x-error-code"), "RepoNotFound");
    const neverPulledFile = await fetch(`${down.url}/alice/later/resolve/main/a.txt`, {
      headers: { authorization: `Bearer ${down.adminToken}` },
    });
    assert.equal(neverPulledFile.status, 404);
    assert.equal(neverPulledFile.headers.get("x-error-code"), "RepoNotFound");

    // An upstream-only catalog entry is still described offline; its files are as missing as the repo.
    await down.hangar.catalog.repos.insert({
      type: "model",
      namespace: "acme",
      name: "catalogued",
      private: false,
      origin: "upstream",
      createdAt: new Date().toISOString(),
    });
    const entry = await fetch(`${down.url}/api/models/acme/catalogued`);
    assert.equal(entry.status, 200);
    assert.equal(((await entry.json()) as { id: string }).id, "acme/catalogued");
    const entryFile = await fetch(`${down.url}/acme/catalogued/resolve/main/config.json`);
    assert.equal(entryFile.status, 401);
    assert.equal(entryFile.headers.get("x-error-code"), "RepoNotFound");

    // Pulling directly says the upstream is unreachable, not that the repo does not exist.
    const unreachable = await pullError(pullRepo(down.hangar, { repo: "alice/later" }));
    assert.equal(unreachable.code, "HANGAR_ERR_UPSTREAM");
    assert.equal(unreachable.status, 502);
    assert.match(unreachable.message, /Cannot reach the upstream hub/);
  });
});
