import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, modelInfo, uploadFiles } from "@huggingface/hub";
import { searchModels } from "../../src/discovery/search-models.ts";
import { pullRepo } from "../../src/hub/mirror/pull-repo.ts";
import { syncFromUpstream } from "../../src/hub/mirror/sync-from-upstream.ts";
import type { PopularityParts } from "../../src/hub/mirror/upstream-popularity.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const CONFIG = JSON.stringify({ model_type: "bert", architectures: ["BertModel"] });

interface Info {
  id: string;
  downloads: number;
  likes: number;
  hangar?: { popularity: PopularityParts };
}

/** A request of config.json as one huggingface_hub client session names itself. */
async function download(url: string, repo: string, session: string): Promise<void> {
  const response = await fetch(`${url}/${repo}/resolve/main/config.json`, {
    headers: { "user-agent": `huggingface_hub/1.28.0; python/3.11.2; ${session}` },
  });
  assert.equal(response.status, 200);
  await response.arrayBuffer();
}

async function like(url: string, repo: string, token: string): Promise<void> {
  const response = await fetch(`${url}/api/models/${repo}/like`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "user-agent": "huggingface_hub/1.28.0; python/3.11.2" },
  });
  assert.equal(response.status, 200);
}

async function info(url: string, repo: string): Promise<Info> {
  const response = await fetch(`${url}/api/models/${repo}`);
  assert.equal(response.status, 200);
  return (await response.json()) as Info;
}

async function upstreamFigures(url: string, repo: string): Promise<{ downloads: number; likes: number }> {
  const found = await modelInfo({ name: repo, hubUrl: url });
  return { downloads: found.downloads, likes: found.likes };
}

describe("hangar sync takes the upstream's downloads and likes, dated and labelled, beside Hangar's own", () => {
  let upstream: TestHangar;
  let alice: string;
  const likers: string[] = [];
  before(async () => {
    upstream = await startTestHangar();
    alice = await upstream.addUser("alice", "write");
    for (const name of ["bob", "carol", "dan", "erin"]) likers.push(await upstream.addUser(name, "read"));
  });
  after(() => upstream.close());

  for (const engine of ["SQLite", "PostgreSQL"] as const) {
    describe(engine, () => {
      let down: TestHangar;
      let database: TestDatabase | undefined;
      // Each engine's own pair of upstream repos, so one run's upstream traffic does not reach the other's.
      const alphaName = `alpha-${engine.toLowerCase()}`;
      const betaName = `beta-${engine.toLowerCase()}`;
      const alphaId = `alice/${alphaName}`;
      const betaId = `alice/${betaName}`;
      before(async () => {
        for (const id of [alphaId, betaId]) {
          await createRepo({ repo: id, accessToken: alice, hubUrl: upstream.url });
          await uploadFiles({
            repo: id,
            accessToken: alice,
            hubUrl: upstream.url,
            files: [{ path: "config.json", content: new Blob([CONFIG]) }],
            useXet: false,
          });
        }
        // The upstream's own traffic: alpha is liked twice, beta downloaded by three client sessions.
        await like(upstream.url, alphaId, likers[0]!);
        await like(upstream.url, alphaId, likers[1]!);
        for (const session of ["one", "two", "three"]) await download(upstream.url, betaId, session);
        database = engine === "PostgreSQL" ? await createTestDatabase() : undefined;
        down = await startTestHangar({
          upstream: { endpoint: upstream.url },
          ...(database ? { database: database.url } : {}),
        });
        // A mirror of alpha, and beta as an upstream-only catalog entry (no files).
        await pullRepo(down.hangar, { repo: alphaId });
        await down.hangar.catalog.repos.insert({
          type: "model",
          namespace: "alice",
          name: betaName,
          private: false,
          origin: "upstream",
          createdAt: "2020-01-01T00:00:00.000Z",
        });
      });
      after(async () => {
        await down.close();
        await database?.drop();
      });

      it("adds the upstream's figures to Hangar's own in repo info, with their date and source", async () => {
        // Hangar's own traffic on the mirror: one like and one download session.
        const frank = await down.addUser("frank", "read");
        await like(down.url, alphaId, frank);
        await download(down.url, alphaId, "downstream-session");
        const started = new Date().toISOString();

        const reported = {
          alpha: await upstreamFigures(upstream.url, alphaId),
          beta: await upstreamFigures(upstream.url, betaId),
        };
        assert.equal(reported.alpha.likes, 2);
        assert.equal(reported.beta.downloads, 3);
        const entries = await syncFromUpstream(down.hangar);
        assert.deepEqual(
          entries.map(({ repo, kind, status, upstreamDownloads, upstreamLikes }) => ({
            repo,
            kind,
            status,
            upstreamDownloads,
            upstreamLikes,
          })),
          [
            {
              repo: alphaId,
              kind: "mirror",
              status: "current",
              upstreamDownloads: reported.alpha.downloads,
              upstreamLikes: 2,
            },
            {
              repo: betaId,
              kind: "entry",
              status: "refreshed",
              upstreamDownloads: 3,
              upstreamLikes: 0,
            },
          ],
        );

        const alpha = await info(down.url, alphaId);
        assert.equal(alpha.likes, 1 + 2, "Hangar's own like plus the upstream's two");
        assert.equal(alpha.downloads, 1 + reported.alpha.downloads);
        const parts = alpha.hangar!.popularity;
        assert.deepEqual(parts.own, { downloads: 1, likes: 1 });
        assert.equal(parts.upstream?.source, upstream.url);
        assert.deepEqual([parts.upstream?.downloads, parts.upstream?.likes], [reported.alpha.downloads, 2]);
        assert.ok(parts.upstream!.date >= started, `taken at ${parts.upstream?.date}`);

        const beta = await info(down.url, betaId);
        assert.deepEqual([beta.downloads, beta.likes], [3, 0]);
        assert.deepEqual(beta.hangar!.popularity.own, { downloads: 0, likes: 0 });
        assert.equal(beta.hangar!.popularity.upstream?.source, upstream.url);
      });

      it("re-sorts listings and search as the upstream's figures move, keeping Hangar's own counts", async () => {
        const byLikes = async () => {
          const response = await fetch(
            `${down.url}/api/models?author=alice&search=${engine.toLowerCase()}&sort=likes&expand=likes`,
          );
          return ((await response.json()) as Info[]).map((entry) => [entry.id, entry.likes]);
        };
        assert.deepEqual(await byLikes(), [
          [alphaId, 3],
          [betaId, 0],
        ]);
        const searchByDownloads = async () =>
          (await searchModels(down.hangar, { sort: "downloads", limit: 2 })).results.map((hit) => hit.id);

        // Upstream, beta gains four likes (all four users) and more downloads; alpha loses one like.
        for (const token of likers) await like(upstream.url, betaId, token);
        for (const session of ["four", "five", "six", "seven", "eight"]) {
          await download(upstream.url, betaId, session);
        }
        await fetch(`${upstream.url}/api/models/${alphaId}/like`, {
          method: "DELETE",
          headers: { authorization: `Bearer ${likers[0]}` },
        });
        const alphaReported = await upstreamFigures(upstream.url, alphaId);
        await syncFromUpstream(down.hangar);

        assert.deepEqual(await byLikes(), [
          [betaId, 4],
          [alphaId, 1 + 1],
        ]);
        const alpha = await info(down.url, alphaId);
        assert.deepEqual(
          alpha.hangar!.popularity.own,
          { downloads: 1, likes: 1 },
          "own counts survive a sync",
        );
        assert.equal(alpha.downloads, 1 + alphaReported.downloads);
        const beta = await info(down.url, betaId);
        assert.equal(beta.downloads, 8);
        assert.deepEqual(await searchByDownloads(), [betaId, alphaId]);
        // The search reads the same figures for its sort by likes.
        const byLikesSearch = await searchModels(down.hangar, { sort: "likes", limit: 2 });
        assert.deepEqual(
          byLikesSearch.results.map((hit) => hit.id),
          [betaId, alphaId],
        );
      });

      it("labels figures that came with a catalog snapshot by its date until a sync takes the upstream's", async () => {
        const name = `gamma-${engine.toLowerCase()}`;
        await createRepo({ repo: `alice/${name}`, accessToken: alice, hubUrl: upstream.url });
        const catalog = down.hangar.catalog;
        const { pk } = await catalog.repos.insert({
          type: "model",
          namespace: "alice",
          name,
          private: false,
          origin: "upstream",
          createdAt: "2026-11-27T00:00:00.000Z",
        });
        await catalog.facts.set(pk, {
          description: "An entry of a snapshot with popularity figures",
          license: "mit",
          languages: [],
          parameters: null,
          baseModels: [],
          baseRelation: null,
          library: null,
          pipelineTag: null,
          evalResults: [],
          snapshotDate: "2026-11-27",
          snapshotSource: "a snapshot's popularity source",
          sources: [],
        });
        await catalog.repos.setUpstreamFigures(pk, { downloads: 500, likes: 7 });
        const before = await info(down.url, `alice/${name}`);
        assert.deepEqual([before.downloads, before.likes], [500, 7]);
        assert.deepEqual(before.hangar!.popularity.upstream, {
          downloads: 500,
          likes: 7,
          date: "2026-11-27",
          source: "a snapshot's popularity source",
        });
        assert.deepEqual(before.hangar!.popularity.own, { downloads: 0, likes: 0 });

        const [entry] = await syncFromUpstream(down.hangar, {
          repos: [{ type: "model", namespace: "alice", name }],
        });
        assert.equal(entry?.status, "refreshed");
        const after = await info(down.url, `alice/${name}`);
        assert.deepEqual(
          [after.downloads, after.likes],
          [0, 0],
          "the upstream's figures replace the snapshot's",
        );
        assert.equal(after.hangar!.popularity.upstream?.source, upstream.url);
      });
    });
  }
});
