import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Catalog } from "../../src/store/catalog.ts";
import { createTestDatabase } from "../helpers/postgres.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

/** The webhook, collection and social tables behave the same on both engines. */
const ENGINES = [
  {
    name: "SQLite",
    async open() {
      const temp = await makeTempDir("hangar-social-");
      const catalog = await Catalog.open(join(temp.path, "catalog.db"));
      const dispose = async () => {
        await catalog.close();
        await temp.remove();
      };
      return { catalog, dispose };
    },
  },
  {
    name: "PostgreSQL",
    async open() {
      const database = await createTestDatabase();
      const catalog = await Catalog.open(database.url);
      const dispose = async () => {
        await catalog.close();
        await database.drop();
      };
      return { catalog, dispose };
    },
  },
];

const AT = "2026-03-04T05:06:07.000Z";

for (const engine of ENGINES) {
  describe(`catalog social tables: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    let repoPk: number;
    before(async () => {
      ({ catalog, dispose } = await engine.open());
      for (const name of ["alice", "bob"]) {
        await catalog.accounts.insertNamespace({
          name,
          kind: "user",
          fullname: name.toUpperCase(),
          email: null,
          isAdmin: false,
          createdAt: AT,
        });
      }
      await catalog.accounts.insertNamespace({
        name: "acme",
        kind: "org",
        fullname: "Acme",
        email: null,
        isAdmin: false,
        createdAt: AT,
      });
      repoPk = (
        await catalog.repos.insert({
          type: "model",
          namespace: "alice",
          name: "m",
          private: false,
          createdAt: AT,
        })
      ).pk;
    });
    after(() => dispose());

    it("queues, claims, retries and logs webhook deliveries", async () => {
      await catalog.webhooks.insert({
        id: "a".repeat(24),
        owner: "alice",
        url: "http://127.0.0.1:9/",
        secret: "s",
        domains: ["repo"],
        watched: [{ type: "user", name: "alice" }],
        disabled: false,
        createdAt: AT,
        updatedAt: AT,
      });
      assert.deepEqual(
        (await catalog.webhooks.listEnabled()).map((webhook) => webhook.watched),
        [[{ type: "user", name: "alice" }]],
      );
      await catalog.webhooks.enqueue({
        webhookId: "a".repeat(24),
        event: "repo.content.update",
        payload: "{}",
        repoPk,
        repoNamespace: "alice",
        repoPrivate: false,
        at: AT,
        dueAt: 1000,
      });
      assert.equal(await catalog.webhooks.nextDueAt(), 1000);
      const claimed = await catalog.transaction((tx) => tx.webhooks.claimDue(2000, 60_000, 10));
      assert.equal(claimed.length, 1);
      assert.deepEqual(
        await catalog.transaction((tx) => tx.webhooks.claimDue(2000, 60_000, 10)),
        [],
        "a claimed delivery is not claimed twice",
      );
      await catalog.webhooks.recordAttempt(claimed[0]!.id, {
        status: "pending",
        responseStatus: 500,
        error: "500",
        nextAttemptAt: 3000,
        at: AT,
      });
      assert.equal(await catalog.webhooks.recordFailure("a".repeat(24)), 1);
      assert.equal(await catalog.webhooks.recordFailure("a".repeat(24)), 2);
      assert.equal((await catalog.transaction((tx) => tx.webhooks.claimDue(2999, 60_000, 10))).length, 0);
      const again = await catalog.transaction((tx) => tx.webhooks.claimDue(3000, 60_000, 10));
      await catalog.webhooks.recordAttempt(again[0]!.id, {
        status: "delivered",
        responseStatus: 200,
        error: null,
        at: AT,
      });
      await catalog.webhooks.recordSuccess("a".repeat(24));
      const log = await catalog.webhooks.listDeliveries("a".repeat(24), 10);
      assert.deepEqual(
        log.map((entry) => [entry.status, entry.attempts, entry.responseStatus, entry.finishedAt]),
        [["delivered", 2, 200, AT]],
      );
      assert.equal((await catalog.webhooks.get("a".repeat(24)))!.consecutiveFailures, 0);
      await catalog.webhooks.setDisabled("a".repeat(24), true, "failures", AT);
      assert.deepEqual(await catalog.webhooks.listEnabled(), []);
    });

    it("keeps likes, follows, dated figures and download sessions", async () => {
      assert.equal(await catalog.social.addLike(repoPk, "bob", AT), true);
      assert.equal(await catalog.social.addLike(repoPk, "bob", AT), false);
      await catalog.social.addLike(repoPk, "alice", AT);
      assert.deepEqual(await catalog.social.likers(repoPk, 10), [
        { username: "alice", fullname: "ALICE" },
        { username: "bob", fullname: "BOB" },
      ]);
      assert.deepEqual(await catalog.social.likers(repoPk, 10, "alice"), [
        { username: "bob", fullname: "BOB" },
      ]);
      assert.deepEqual(
        (await catalog.social.likedBy("BOB")).map((repo) => repo.id),
        ["alice/m"],
      );
      assert.equal(await catalog.social.removeLike(repoPk, "bob"), true);
      assert.equal(await catalog.social.countLikes(repoPk), 1);

      assert.equal(await catalog.social.openDownloadSession(repoPk, "s1", 1000, 500), true);
      assert.equal(await catalog.social.openDownloadSession(repoPk, "s1", 1400, 500), false);
      assert.equal(await catalog.social.openDownloadSession(repoPk, "s2", 1400, 500), true);
      assert.equal(await catalog.social.openDownloadSession(repoPk, "s1", 1500, 500), true, "a session ends");
      assert.equal(await catalog.social.deleteExpiredSessions(10_000), 2);

      await catalog.social.addDailyFigures(repoPk, "2026-03-03", { downloads: 2 });
      await catalog.social.addDailyFigures(repoPk, "2026-03-04", { downloads: 1, likes: 1 });
      await catalog.social.addDailyFigures(repoPk, "2026-03-04", { likes: -1 });
      assert.deepEqual(await catalog.social.dailyFigures(repoPk, "2026-03-04"), [
        { day: "2026-03-04", downloads: 1, likes: 0 },
      ]);
      assert.deepEqual(await catalog.social.reposToRescore("2026-03-01"), [repoPk]);
      await catalog.social.setPopularity(repoPk, { likes: 7, trendingScore: 12 });
      assert.deepEqual(
        [(await catalog.repos.getByPk(repoPk))!.likes, (await catalog.repos.getByPk(repoPk))!.trendingScore],
        [7, 12],
      );

      assert.equal(await catalog.social.follow("bob", "acme", AT), true);
      assert.equal(await catalog.social.follow("bob", "alice", AT), true);
      assert.deepEqual(await catalog.social.listFollows("bob", "following"), [
        { name: "acme", fullname: "Acme", kind: "org" },
        { name: "alice", fullname: "ALICE", kind: "user" },
      ]);
      assert.equal(await catalog.social.countFollows("ALICE", "followers"), 1);
      assert.equal(await catalog.social.isFollowing("bob", "alice"), true);
      assert.deepEqual(await catalog.social.countRepos("alice"), { model: 1, dataset: 0, space: 0 });
    });

    it("keeps the upstream's popularity figures apart from Hangar's own, and sums them on request", async () => {
      const { pk } = await catalog.repos.insert({
        type: "model",
        namespace: "alice",
        name: "upstream-figures",
        private: false,
        origin: "upstream",
        createdAt: AT,
      });
      assert.equal(await catalog.social.upstreamFigures(pk), undefined);
      await catalog.social.addLike(pk, "bob", AT);
      await catalog.social.addDailyFigures(pk, "2026-03-03", { downloads: 2 });
      await catalog.social.addDailyFigures(pk, "2026-03-04", { downloads: 3, likes: 1 });
      assert.deepEqual(await catalog.social.ownFigures(pk), { downloads: 5, likes: 1 });

      const taken = { downloads: 12_000_000_000, likes: 40, takenAt: AT, source: "https://hub.example" };
      await catalog.social.setUpstreamFigures(pk, taken);
      assert.deepEqual(await catalog.social.upstreamFigures(pk), taken);
      const later = {
        downloads: null,
        likes: 41,
        takenAt: "2026-03-05T00:00:00.000Z",
        source: "https://b.example",
      };
      await catalog.social.setUpstreamFigures(pk, later);
      assert.deepEqual(await catalog.social.upstreamFigures(pk), later, "one row per repo, replaced");

      await catalog.social.setPopularity(pk, { downloads: 5 + 12_000_000_000, likes: 1 + 41 });
      const repo = (await catalog.repos.getByPk(pk))!;
      assert.deepEqual([repo.downloads, repo.likes], [12_000_000_005, 42]);
      await catalog.repos.delete(pk);
      assert.equal(await catalog.social.upstreamFigures(pk), undefined, "deleted with its repo");
    });

    it("keeps collections and their items, renamed slugs included", async () => {
      const base = {
        owner: "alice",
        description: null,
        private: false,
        theme: "orange",
        createdAt: AT,
        lastUpdated: AT,
      };
      await catalog.collections.insert({
        ...base,
        slug: "alice/one-1",
        objectId: "1",
        title: "One",
        position: 0,
      });
      await catalog.collections.insert({
        ...base,
        slug: "alice/two-2",
        objectId: "2",
        title: "Two",
        position: 1,
        private: true,
      });
      await catalog.collections.insertItem({
        objectId: "i1",
        collectionSlug: "alice/one-1",
        type: "model",
        itemId: "alice/m",
        position: 0,
        note: "n",
        addedAt: AT,
      });
      await catalog.collections.update(
        "alice/one-1",
        { newSlug: "alice/uno-1", title: "Uno" },
        "2026-03-05T00:00:00.000Z",
      );
      assert.deepEqual(
        (await catalog.collections.items("alice/uno-1")).map((item) => item.itemId),
        ["alice/m"],
      );
      assert.equal((await catalog.collections.getByObjectId("1"))!.slug, "alice/uno-1");
      const visible = (query: Partial<Parameters<typeof catalog.collections.list>[0]>) =>
        catalog.collections.list({ visibleNamespaces: [], sort: "lastModified", limit: 10, ...query });
      assert.deepEqual(
        (await visible({})).map((collection) => collection.slug),
        ["alice/uno-1"],
      );
      assert.deepEqual(
        (await visible({ visibleNamespaces: ["alice"] })).map((collection) => collection.slug),
        ["alice/uno-1", "alice/two-2"],
      );
      assert.deepEqual(
        (await visible({ item: { type: "model", id: "ALICE/M" } })).map((collection) => collection.slug),
        ["alice/uno-1"],
      );
      assert.deepEqual(
        (await visible({ search: "un" })).map((collection) => collection.title),
        ["Uno"],
      );
      assert.equal(await catalog.collections.nextPosition("alice"), 2);
      assert.equal(await catalog.collections.delete("alice/uno-1"), true);
      assert.deepEqual(await catalog.collections.items("alice/uno-1"), []);
    });
  });
}
