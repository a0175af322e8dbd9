import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, modelInfo } from "@huggingface/hub";
import { pullRepo } from "../../src/hub/mirror/pull-repo.ts";
import { type MirrorUpstream, pullError, startMirrorUpstream } from "../helpers/mirror-upstream.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("mirroring from an upstream Hangar: private and gated upstream repos", () => {
  let mirror: MirrorUpstream;
  let upstream: TestHangar;
  let token: string;
  const downstream = (pullThrough = false) => mirror.downstream(pullThrough);

  before(async () => {
    mirror = await startMirrorUpstream();
    ({ upstream, token } = mirror);
  });
  after(async () => {
    await mirror.close();
  });

  it("needs a token for a private upstream repo and says so", async () => {
    const down = await downstream();
    const refused = await pullError(pullRepo(down.hangar, { repo: "alice/secret" }));
    assert.equal(refused.code, "HANGAR_ERR_UNAUTHORIZED");
    assert.match(refused.message, /alice\/secret does not exist or is private: .*set HF_TOKEN/);
    assert.equal(
      await down.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "secret" }),
      undefined,
    );

    const result = await pullRepo(down.hangar, { repo: "alice/secret", token });
    const upstreamInfo = await modelInfo({
      name: "alice/secret",
      hubUrl: upstream.url,
      accessToken: token,
      additionalFields: ["sha"],
    });
    assert.equal(result.commit, upstreamInfo.sha);
    // Private upstream stays private here: anonymous readers see nothing, the admin sees the repo.
    const anonymous = await fetch(`${down.url}/api/models/alice/secret`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get("x-error-code"), "RepoNotFound");
    const info = await modelInfo({
      name: "alice/secret",
      hubUrl: down.url,
      accessToken: down.adminToken,
      additionalFields: ["sha"],
    });
    assert.equal(info.sha, upstreamInfo.sha);
  });

  it("says a gated upstream repo needs a token with access", async () => {
    await createRepo({
      repo: "alice/gated",
      accessToken: token,
      hubUrl: upstream.url,
      files: [{ path: "weights.txt", content: new Blob(["w\n"]) }],
    });
    const gated = await fetch(`${upstream.url}/api/models/alice/gated/settings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ gated: "auto" }),
    });
    assert.equal(gated.status, 200);
    const down = await downstream();
    const refused = await pullError(pullRepo(down.hangar, { repo: "alice/gated" }));
    assert.equal(refused.code, "HANGAR_ERR_GATED_REPO");
    assert.match(
      refused.message,
      /^127\.0\.0\.1:\d+ says alice\/gated is gated: set HF_TOKEN to a token that has access$/,
    );
    const result = await pullRepo(down.hangar, { repo: "alice/gated", token });
    assert.equal(result.files, 2);
    assert.equal(
      (await down.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "gated" }))?.gated,
      "auto",
    );
  });
});
