import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { downloadFile, listModels } from "@huggingface/hub";
import { refreshTrendingScores } from "../../src/hub/social/refresh-trending-scores.ts";
import { trendingScore } from "../../src/hub/social/trending-score.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** The headers huggingface_hub sends with a token (its user agent names the library and Python). */
function pythonHeaders(
  token?: string,
  agent = "huggingface_hub/1.28.0; python/3.11.2",
): Record<string, string> {
  return { "user-agent": agent, ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

interface Listed {
  id: string;
  likes: number;
  downloads: number;
  trendingScore: number;
}

describe("likes, downloads and trending scores counted from Hangar's own traffic", () => {
  let hub: TestHangar;
  let bob: string;
  let carol: string;
  before(async () => {
    hub = await startTestHangar();
    await hub.addUser("alice", "write");
    bob = await hub.addUser("bob", "write");
    carol = await hub.addUser("carol", "read");
    const config = JSON.stringify({ model_type: "bert", architectures: ["BertModel"] });
    for (const name of ["pop-first", "pop-second"]) {
      await importFiles(hub.hangar, `alice/${name}`, {
        "config.json": config,
        "model-00001-of-00002.safetensors": "shard one",
        "model-00002-of-00002.safetensors": "shard two",
        "README.md": `# ${name} popularity model`,
      });
    }
    await importFiles(hub.hangar, "alice/pop-private", { "config.json": config }, { private: true });
  });
  after(() => hub.close());

  const listed = async (query: string): Promise<Listed[]> => {
    const response = await fetch(
      `${hub.url}/api/models?author=alice&expand=likes&expand=downloads&expand=trendingScore&${query}`,
    );
    assert.equal(response.status, 200);
    return (await response.json()) as Listed[];
  };
  const figures = async (name: string) => {
    const repo = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name }))!;
    return { likes: repo.likes, downloads: repo.downloads, trendingScore: repo.trendingScore };
  };

  it("likes and unlikes through the Hub's routes, moving `likes`, the likers and the sort", async () => {
    const like = (token: string, method: "POST" | "DELETE", name = "pop-second") =>
      fetch(`${hub.url}/api/models/alice/${name}/like`, { method, headers: pythonHeaders(token) });
    assert.equal((await like(bob, "POST")).status, 200);
    assert.equal((await like(bob, "POST")).status, 200, "liking twice is one like");
    assert.equal((await like(carol, "POST")).status, 200, "a read token may like");
    assert.equal((await figures("pop-second")).likes, 2);

    const anonymous = await fetch(`${hub.url}/api/models/alice/pop-second/like`, { method: "POST" });
    assert.equal(anonymous.status, 401);
    const hidden = await like(bob, "POST", "pop-private");
    assert.equal(hidden.status, 404);
    assert.equal(hidden.headers.get("x-error-code"), "RepoNotFound");

    const byLikes = await listed("sort=likes&direction=-1");
    assert.deepEqual(
      byLikes.map((entry) => [entry.id, entry.likes]),
      [
        ["alice/pop-second", 2],
        ["alice/pop-first", 0],
      ],
    );
    const likers = await fetch(`${hub.url}/api/models/alice/pop-second/likers`, { headers: pythonHeaders() });
    assert.deepEqual(
      ((await likers.json()) as Array<{ user: string; fullname: string; avatarUrl: string }>).map(
        (liker) => liker.user,
      ),
      ["bob", "carol"],
    );
    const liked = await fetch(`${hub.url}/api/users/bob/likes`, { headers: pythonHeaders(bob) });
    assert.deepEqual(
      ((await liked.json()) as Array<{ repo: { name: string; type: string } }>).map((entry) => entry.repo),
      [{ name: "alice/pop-second", type: "model" }],
    );

    // huggingface_hub's unlike: DELETE on the same route.
    assert.equal((await like(carol, "DELETE")).status, 200);
    assert.equal((await figures("pop-second")).likes, 1);
    assert.ok((await figures("pop-second")).trendingScore > 0, "a like makes a repo trend");
  });

  it("counts one download per client session of config.json, not per file or probe, and re-sorts", async () => {
    const before = await figures("pop-first");
    // One huggingface_hub session: HEAD then GET of config.json, then each shard and the README.
    const agent = pythonHeaders(undefined, "huggingface_hub/1.28.0; python/3.11.2; session-a");
    for (const path of ["config.json", "config.json", "model-00001-of-00002.safetensors", "README.md"]) {
      const head = await fetch(`${hub.url}/alice/pop-first/resolve/main/${path}`, {
        method: "HEAD",
        headers: agent,
      });
      assert.equal(head.status, 200);
      await (
        await fetch(`${hub.url}/alice/pop-first/resolve/main/${path}`, { headers: agent })
      ).arrayBuffer();
    }
    assert.equal((await figures("pop-first")).downloads, before.downloads + 1);

    // Other clients: another user agent, a token, and the real @huggingface/hub client.
    const other = pythonHeaders(undefined, "transformers/4.46.0; python/3.11.2");
    await (
      await fetch(`${hub.url}/alice/pop-first/resolve/main/config.json`, { headers: other })
    ).arrayBuffer();
    await (
      await fetch(`${hub.url}/alice/pop-first/resolve/main/config.json`, { headers: pythonHeaders(bob) })
    ).arrayBuffer();
    const blob = await downloadFile({ repo: "alice/pop-first", path: "config.json", hubUrl: hub.url });
    assert.ok(blob);
    await blob.text();
    // Files other than the query file never count, whoever asks.
    await (
      await fetch(`${hub.url}/alice/pop-second/resolve/main/README.md`, { headers: pythonHeaders(carol) })
    ).arrayBuffer();
    const after = await figures("pop-first");
    assert.equal(after.downloads, before.downloads + 4);
    assert.equal((await figures("pop-second")).downloads, 0);

    // Four downloads today trend less than pop-second's one like (worth LIKE_WEIGHT = 5 downloads).
    assert.equal(after.trendingScore, trendingScore([{ day: today(), downloads: 4, likes: 0 }], Date.now()));
    const byDownloads = await listed("sort=downloads");
    assert.deepEqual(
      byDownloads.map((entry) => [entry.id, entry.downloads]),
      [
        ["alice/pop-first", 4],
        ["alice/pop-second", 0],
      ],
    );
    const trendingBefore = await listed("sort=trendingScore");
    assert.deepEqual(
      trendingBefore.map((entry) => entry.id),
      ["alice/pop-second", "alice/pop-first"],
    );
    // Two more client sessions tip the trend: pop-first now leads the Hub's trending sort and Hangar's search.
    for (const agentName of ["curl/8.0", "wget/1.21"]) {
      await (
        await fetch(`${hub.url}/alice/pop-first/resolve/main/config.json`, {
          headers: { "user-agent": agentName },
        })
      ).arrayBuffer();
    }
    const trendingAfter = await listed("sort=trendingScore");
    assert.deepEqual(
      trendingAfter.map((entry) => [entry.id, entry.trendingScore]),
      [
        ["alice/pop-first", 6],
        ["alice/pop-second", 5],
      ],
    );
    const byClient: string[] = [];
    for await (const model of listModels({
      search: { owner: "alice" },
      sort: "trendingScore",
      hubUrl: hub.url,
    })) {
      byClient.push(model.name);
    }
    assert.deepEqual(byClient, ["alice/pop-first", "alice/pop-second"]);
    const discover = await fetch(`${hub.url}/v1/discover?q=popularity&sort=trending`);
    const found = (await discover.json()) as { results: Array<{ id: string }> };
    assert.deepEqual(
      found.results.map((result) => result.id).filter((id) => id.startsWith("alice/pop-")),
      ["alice/pop-first", "alice/pop-second"],
    );
  });

  it("lets trending scores fade as the days pass", async () => {
    const now = Date.now();
    const score = (await figures("pop-first")).trendingScore;
    assert.ok(score > 0);
    await refreshTrendingScores(hub.hangar, now + 3 * 86_400_000);
    const faded = (await figures("pop-first")).trendingScore;
    assert.ok(faded < score && faded > 0, `${faded} after three days, from ${score}`);
    await refreshTrendingScores(hub.hangar, now + 8 * 86_400_000);
    assert.equal((await figures("pop-first")).trendingScore, 0);
    await refreshTrendingScores(hub.hangar, now);
    assert.equal((await figures("pop-first")).trendingScore, score);
  });
});

function today(): string {
  return new Date().toISOString().slice(0, 10);
}
