import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { modelInfo, uploadFiles } from "@huggingface/hub";
import { pullRepo } from "../../src/hub/mirror/pull-repo.ts";
import { syncFromUpstream } from "../../src/hub/mirror/sync-from-upstream.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { bytesOf, type MirrorUpstream, startMirrorUpstream } from "../helpers/mirror-upstream.ts";
import { makeTempDir, type TestHangar } from "../helpers/test-hangar.ts";

describe("mirroring from an upstream Hangar: hangar pull and hangar sync", () => {
  let mirror: MirrorUpstream;
  let upstream: TestHangar;
  let token: string;
  let upstreamSha: string;
  const downstream = (pullThrough = false) => mirror.downstream(pullThrough);

  before(async () => {
    mirror = await startMirrorUpstream();
    ({ upstream, token, upstreamSha } = mirror);
  });
  after(async () => {
    await mirror.close();
  });

  it("hangar pull (the CLI) pulls into its home and prints the result", async () => {
    const home = await makeTempDir();
    try {
      const run = (args: string[]) => runCli(args, { HF_ENDPOINT: upstream.url });
      const pulled = await run([
        "pull",
        `alice/tiny@${upstreamSha}`,
        "--exclude",
        "*.safetensors",
        "--home",
        home.path,
        "--json",
      ]);
      assert.equal(pulled.code, 0, pulled.stderr);
      const result = JSON.parse(pulled.stdout) as {
        commit: string;
        files: number;
        partial: boolean;
        refs: string[];
      };
      assert.equal(result.commit, upstreamSha);
      assert.equal(result.files, 5);
      assert.equal(result.partial, true);
      assert.deepEqual(result.refs, ["main"], "a pinned pull into a new repo also becomes its main");

      const synced = await run(["sync", "--home", home.path, "--json"]);
      assert.equal(synced.code, 0, synced.stderr);
      assert.deepEqual(
        (JSON.parse(synced.stdout) as { repos: Array<{ repo: string; status: string }> }).repos.map(
          ({ repo, status }) => ({ repo, status }),
        ),
        [{ repo: "alice/tiny", status: "current" }],
        "a mirror pinned to a commit id is current",
      );

      const refused = await run(["pull", "alice/secret", "--home", home.path]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^hangar pull: .*alice\/secret does not exist or is private: .*HF_TOKEN/);
    } finally {
      await home.remove();
    }
  });

  it("hangar sync refreshes an entry and re-pulls a mirror whose upstream moved", async () => {
    const down = await downstream();
    await pullRepo(down.hangar, { repo: "alice/later" });
    await down.hangar.catalog.repos.insert({
      type: "model",
      namespace: "alice",
      name: "other",
      private: false,
      origin: "upstream",
      createdAt: "2020-01-01T00:00:00.000Z",
    });
    await uploadFiles({
      repo: "alice/later",
      accessToken: token,
      hubUrl: upstream.url,
      files: [{ path: "b.txt", content: new Blob(["b\n"]) }],
    });
    await down.hangar.catalog.facts.set(
      (await down.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "other" }))!.pk,
      {
        description: "An entry of the bundled snapshot",
        license: "mit",
        languages: [],
        parameters: null,
        baseModels: [],
        baseRelation: null,
        library: null,
        pipelineTag: null,
        evalResults: [],
        snapshotDate: "2020-01-01",
        snapshotSource: "bundled snapshot",
        sources: [],
      },
    );
    const moved = (await modelInfo({ name: "alice/later", hubUrl: upstream.url, additionalFields: ["sha"] }))
      .sha;
    const entries = await syncFromUpstream(down.hangar);
    assert.deepEqual(
      entries.map(({ repo, kind, status }) => ({ repo, kind, status })),
      [
        { repo: "alice/later", kind: "mirror", status: "pulled" },
        { repo: "alice/other", kind: "entry", status: "refreshed" },
      ],
    );
    const info = await modelInfo({ name: "alice/later", hubUrl: down.url, additionalFields: ["sha"] });
    assert.equal(info.sha, moved);
    assert.equal((await bytesOf(down.url, "alice/later", "b.txt")).toString(), "b\n");
    const entry = await down.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "other" });
    assert.equal(entry?.origin, "upstream");
    assert.notEqual(entry?.lastModified, "2020-01-01T00:00:00.000Z");
    const facts = await down.hangar.catalog.facts.get(entry!.pk);
    assert.equal(facts?.snapshotSource, upstream.url, "the figures are now the upstream's");
    assert.equal(facts?.license, "mit");
  });
});
