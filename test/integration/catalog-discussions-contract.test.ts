// The catalog contract, part: discussions and pull requests (numbered together with refs/pr/N) and their
// events. Through the table methods only, on every catalog engine (SQLite and PostgreSQL); the other parts
// are the other catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, insertRepo, oid } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, discussions: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more?: Parameters<typeof insertRepo>[3]) =>
      insertRepo(catalog, namespace, name, more);

    it("discussions: numbers shared with refs/pr/N, taken once, filtered, paged, with their events", async () => {
      const r = await repo("Talk", "repo");
      await catalog.commits.setRef(r.pk, "pr", "3", oid(1), AT);
      assert.equal(await catalog.discussions.nextNumber(r.pk), 4);
      const row = (
        num: number,
        more: { author?: string; pr?: boolean; status?: "open" | "closed" } = {},
      ) => ({
        repoPk: r.pk,
        num,
        title: `T${num}`,
        author: more.author ?? "alice",
        isPullRequest: more.pr ?? false,
        status: more.status ?? ("open" as const),
        targetBranch: more.pr ? "main" : null,
        createdAt: AT,
      });
      const first = await catalog.discussions.insert(row(4));
      assert.deepEqual(first, { ...row(4), pk: first?.pk, mergeCommitOid: null });
      assert.equal(await catalog.discussions.insert(row(4, { author: "bob" })), undefined);
      await catalog.discussions.insert(row(5, { author: "Bob", pr: true }));
      await catalog.discussions.insert(row(6, { status: "closed" }));
      assert.equal(await catalog.discussions.nextNumber(r.pk), 7);
      const nums = async (filter: Parameters<typeof catalog.discussions.list>[1], offset = 0, limit = 10) => {
        const page = await catalog.discussions.list(r.pk, filter, { offset, limit });
        return [page.count, page.rows.map((entry) => entry.num)];
      };
      assert.deepEqual(await nums({}), [3, [6, 5, 4]]);
      assert.deepEqual(await nums({}, 1, 1), [3, [5]]);
      assert.deepEqual(await nums({ isPullRequest: true }), [1, [5]]);
      assert.deepEqual(await nums({ statuses: ["closed", "merged"] }), [1, [6]]);
      assert.deepEqual(await nums({ author: "bob" }), [1, [5]]);

      await catalog.discussions.setStatus(first!.pk, "merged", oid(9));
      await catalog.discussions.setTitle(first!.pk, "Renamed");
      assert.deepEqual(await catalog.discussions.get(r.pk, 4), {
        ...first,
        title: "Renamed",
        status: "merged",
        mergeCommitOid: oid(9),
      });
      const data = { text: "é ' \\ \u0000 done", nested: { list: [1, 2] } };
      const event = await catalog.discussions.addEvent({
        discussionPk: first!.pk,
        eventId: "ab".repeat(12),
        type: "comment",
        author: "carol",
        createdAt: AT,
        data,
      });
      await catalog.discussions.addEvent({
        ...event,
        eventId: "cd".repeat(12),
        type: "title-change",
        data: {},
      });
      assert.deepEqual(await catalog.discussions.getEvent(first!.pk, "ab".repeat(12)), event);
      await catalog.discussions.setEventData(event.pk, { hidden: true });
      assert.deepEqual(
        (await catalog.discussions.listEvents(first!.pk)).map((entry) => [entry.type, entry.data]),
        [
          ["comment", { hidden: true }],
          ["title-change", {}],
        ],
      );
      assert.deepEqual(
        [...(await catalog.discussions.countComments([first!.pk, first!.pk + 1]))],
        [[first!.pk, 1]],
      );
    });
  });
}
