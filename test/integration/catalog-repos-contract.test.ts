// The catalog contract, part: repos: found whatever the case, listed with filters, sorted by every key and
// paged, counted, renamed, and deleted with everything they hold. Through the table methods only, on every
// catalog engine (SQLite and PostgreSQL); the other parts are the other catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RepoSortKey } from "../../src/core/catalog-types.ts";
import type { Repo } from "../../src/core/types.ts";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, byteOrder, commit, facts, file, insertRepo, oid, sha } from "../helpers/catalog-rows.ts";

const SORT_KEYS: RepoSortKey[] = ["downloads", "likes", "lastModified", "createdAt", "trendingScore", "id"];

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, repos: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more?: Parameters<typeof insertRepo>[3]) =>
      insertRepo(catalog, namespace, name, more);

    it("repos: found whatever the case; (type, namespace, name) is unique whatever the case", async () => {
      const inserted = await repo("Alice", "Bert-Base");
      assert.equal(inserted.id, "Alice/Bert-Base");
      assert.deepEqual(
        await catalog.repos.get({ type: "model", namespace: "alice", name: "BERT-base" }),
        inserted,
      );
      assert.deepEqual(await catalog.repos.getByPk(inserted.pk), inserted);
      await assert.rejects(repo("ALICE", "bert-base"));
      const dataset = await repo("alice", "bert-base", { type: "dataset" });
      assert.notEqual(dataset.pk, inserted.pk);
      assert.equal(
        await catalog.repos.get({ type: "space", namespace: "Alice", name: "Bert-Base" }),
        undefined,
      );
    });

    it("repos: listing filters by search terms, author, tags, pipeline tag and visibility", async () => {
      const a = await repo("Lister", "alpha-Model");
      const b = await repo("Lister", "beta_model");
      const hidden = await repo("Lister", "secret", { private: true });
      await repo("Other", "alpha-thing");
      const head = { sha: oid(9), lastModified: AT, libraryName: "transformers", usedStorage: 0 };
      await catalog.repos.updateHead(a.pk, { ...head, pipelineTag: "fill-mask", tags: ["en", "bert"] });
      await catalog.repos.updateHead(b.pk, { ...head, pipelineTag: "text-classification", tags: ["en"] });
      const ids = async (query: Partial<Parameters<typeof catalog.repos.list>[0]>) =>
        (
          await catalog.repos.list({
            ...{ type: "model", visibleNamespaces: [], sort: "id", descending: false, limit: 100 },
            ...query,
          })
        ).map((r) => r.id);
      assert.deepEqual(await ids({ search: ["ALPHA"] }), ["Lister/alpha-Model", "Other/alpha-thing"]);
      assert.deepEqual(await ids({ search: ["lister/", "MODEL"] }), [
        "Lister/alpha-Model",
        "Lister/beta_model",
      ]);
      assert.deepEqual(await ids({ search: ["a_m"] }), ["Lister/beta_model"]);
      assert.deepEqual(await ids({ search: ["%"] }), []);
      assert.deepEqual(await ids({ author: "lister" }), ["Lister/alpha-Model", "Lister/beta_model"]);
      assert.deepEqual(await ids({ author: "lister", tags: ["en"] }), [
        "Lister/alpha-Model",
        "Lister/beta_model",
      ]);
      assert.deepEqual(await ids({ tags: ["en", "bert"] }), ["Lister/alpha-Model"]);
      assert.deepEqual(await ids({ pipelineTag: "text-classification" }), ["Lister/beta_model"]);
      const all = ["Lister/alpha-Model", "Lister/beta_model", "Lister/secret"];
      assert.deepEqual(await ids({ author: "Lister", visibleNamespaces: ["LISTER"] }), all);
      assert.deepEqual(await ids({ author: "Lister", visibleNamespaces: "all" }), all);
      assert.deepEqual(await ids({ author: "Lister", visibleNamespaces: ["Other"] }), all.slice(0, 2));
      assert.ok(hidden.private);
    });

    it("repos: every sort key in both directions, and keyset pages give every row once", async () => {
      // One namespace written in two cases: the author filter takes both, and ids sort by their bytes.
      const names = ["Zed", "alpha", "Beta", "gamma-2", "gamma_1", "Delta.x", "b", "sorter/abc", "sorter/Zz"];
      const made: Repo[] = [];
      for (const [index, id] of names.entries()) {
        const [namespace, name] = id.includes("/") ? id.split("/") : ["Sorter", id];
        const created = `2026-01-0${1 + (index % 3)}T00:00:00.000Z`;
        const row = await catalog.repos.insert({
          ...{ type: "space", namespace: namespace!, name: name!, private: false, createdAt: created },
        });
        await catalog.repos.setUpstreamFigures(row.pk, {
          ...{
            downloads: (index * 7) % 4,
            likes: index % 2,
            lastModified: `2026-03-0${1 + (index % 4)}T00:00Z`,
          },
        });
        made.push((await catalog.repos.getByPk(row.pk))!);
      }
      for (const sort of SORT_KEYS) {
        for (const descending of [false, true]) {
          const value = (r: Repo) => catalog.repos.sortValue(r, sort);
          const expected = [...made].sort((x, y) => {
            const [vx, vy] = [value(x), value(y)];
            const order =
              typeof vx === "number" ? vx - (vy as number) : byteOrder(vx, vy as string) || x.pk - y.pk;
            return (descending ? -1 : 1) * (order || x.pk - y.pk);
          });
          const query = { type: "space" as const, author: "sorter", visibleNamespaces: [], sort, descending };
          const full = await catalog.repos.list({ ...query, limit: 100 });
          assert.deepEqual(
            full.map((r) => r.id),
            expected.map((r) => r.id),
            `${sort} ${descending ? "desc" : "asc"}`,
          );
          const paged: string[] = [];
          let position: { value: string | number; pk: number } | undefined;
          for (let page = 0; page < 10; page++) {
            const rows = await catalog.repos.list({ ...query, limit: 3, after: position });
            if (rows.length === 0) break;
            paged.push(...rows.map((r) => r.id));
            const last = rows[rows.length - 1]!;
            position = { value: catalog.repos.sortValue(last, sort), pk: last.pk };
          }
          assert.deepEqual(
            paged,
            expected.map((r) => r.id),
            `pages of ${sort} ${descending ? "desc" : "asc"}`,
          );
        }
      }
    });

    it("repos: count by type and origin, rename, and delete cascades to everything of the repo", async () => {
      const before = {
        all: await catalog.repos.count(),
        datasets: await catalog.repos.count("dataset"),
        upstream: await catalog.repos.count("model", "upstream"),
      };
      const doomed = await catalog.repos.insert({
        ...{
          type: "dataset",
          namespace: "Mover",
          name: "data",
          private: false,
          origin: "upstream",
          createdAt: AT,
        },
      });
      assert.equal(await catalog.repos.count(), before.all + 1);
      assert.equal(await catalog.repos.count("dataset"), before.datasets + 1);
      assert.equal(await catalog.repos.count("model", "upstream"), before.upstream);
      assert.equal(await catalog.repos.count("dataset", "upstream"), 1);
      await catalog.repos.rename(doomed.pk, "Mover", "Renamed");
      assert.equal(await catalog.repos.get({ type: "dataset", namespace: "mover", name: "data" }), undefined);
      assert.equal(
        (await catalog.repos.get({ type: "dataset", namespace: "mover", name: "renamed" }))?.pk,
        doomed.pk,
      );
      const commitPk = await catalog.commits.insertCommit(doomed.pk, commit(1));
      await catalog.commits.insertTree(commitPk, [file("data.csv", 1)]);
      await catalog.commits.setRef(doomed.pk, "branch", "main", oid(1), AT);
      await catalog.commits.insertGitObjects(doomed.pk, [
        { oid: oid(2), type: "tree", body: Buffer.from("t") },
      ]);
      await catalog.facts.set(doomed.pk, facts());
      await catalog.lfsUploads.record({ repoPk: doomed.pk, sha256: sha(77), size: 5, at: AT });
      await catalog.repos.delete(doomed.pk);
      assert.equal(await catalog.repos.getByPk(doomed.pk), undefined);
      assert.equal(await catalog.commits.getCommit(doomed.pk, oid(1)), undefined);
      assert.deepEqual(await catalog.commits.listFiles(commitPk), []);
      assert.deepEqual(await catalog.commits.listRefs(doomed.pk), []);
      assert.equal(await catalog.commits.getGitObject(doomed.pk, oid(2)), undefined);
      assert.equal(await catalog.facts.get(doomed.pk), undefined);
      assert.equal(await catalog.lfsUploads.heldSize(doomed.pk, sha(77)), undefined);
      assert.equal(await catalog.repos.count(), before.all);
    });
  });
}
