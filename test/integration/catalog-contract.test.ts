// One contract for the catalog: the same cases, through the table methods only, on SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type {
  CatalogFacts,
  RepoSortKey,
  UpstreamModelEntry,
  UsageEvent,
} from "../../src/core/catalog-types.ts";
import type { CommitMetadata, Repo, RepoType, TreeFile } from "../../src/core/types.ts";
import type { Catalog, CatalogTables } from "../../src/store/catalog.ts";
import { OutsideTransactionError } from "../../src/store/sql/sql-database.ts";
import { CATALOG_ENGINES as ENGINES } from "../helpers/catalog-engines.ts";

const AT = "2026-01-02T03:04:05.000Z";
const SORT_KEYS: RepoSortKey[] = ["downloads", "likes", "lastModified", "createdAt", "trendingScore", "id"];
const sha = (n: number) => n.toString(16).padStart(64, "0");
const oid = (n: number) => n.toString(16).padStart(40, "0");
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function file(path: string, n: number, size = n * 10): TreeFile {
  return { path, gitOid: oid(n), size, sha256: sha(n), lfs: n % 2 === 0, lastCommit: oid(1) };
}

function commit(n: number, parents: string[] = [], metadata: CommitMetadata = {}) {
  return { oid: oid(n), parents, author: "alice", date: AT, title: `c${n}`, message: `m${n}`, metadata };
}

function facts(overrides: Partial<CatalogFacts> = {}): CatalogFacts {
  return {
    description: "A model",
    license: "apache-2.0",
    languages: ["en", "fr"],
    parameters: 110_000_000,
    baseModels: ["Org/Base"],
    baseRelation: "finetune",
    library: "transformers",
    pipelineTag: "text-classification",
    evalResults: [
      { task: "text-classification", dataset: "glue", split: "sst2", metric: "accuracy", value: 0.9 },
    ],
    snapshotDate: "2026-01-01",
    snapshotSource: "hub",
    sources: ["hub"],
    ...overrides,
  };
}

function usage(model: string, outcome: string, n: number): UsageEvent {
  return {
    ...{ at: `2026-01-0${n}T00:00:00.000Z`, model, revision: "main", task: "fill-mask", api: "task" },
    ...{ caller: "alice", inputUnits: n, outputUnits: 2 * n, unit: "tokens", outputUnit: "labels" },
    ...{ inputBytes: 10 * n, outputBytes: 20 * n, latencyMs: 1.5 * n, status: outcome === "ok" ? 200 : 500 },
    ...{ outcome, errorCode: outcome === "ok" ? null : "HANGAR_ERR_X", batchSize: 1 },
  };
}

for (const engine of ENGINES) {
  describe(`catalog contract: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more: { type?: RepoType; private?: boolean } = {}) =>
      catalog.repos.insert({ type: "model", namespace, name, private: false, createdAt: AT, ...more });
    const user = (name: string, kind: "user" | "org" = "user") =>
      catalog.accounts.insertNamespace({
        name,
        kind,
        fullname: name,
        email: null,
        isAdmin: false,
        createdAt: AT,
      });

    it("accounts: namespaces are found whatever the case, and a name is taken whatever the case", async () => {
      await catalog.accounts.insertNamespace({
        ...{ name: "Alice", kind: "user", fullname: "Alice A.", email: "a@example.com" },
        ...{ isAdmin: true, createdAt: AT },
      });
      const alice = await catalog.accounts.getNamespace("alice");
      assert.deepEqual(alice, {
        ...{ name: "Alice", kind: "user", fullname: "Alice A.", email: "a@example.com" },
        ...{ isAdmin: true, createdAt: AT },
      });
      await assert.rejects(user("ALICE"));
      await user("Acme", "org");
      assert.deepEqual(
        (await catalog.accounts.listNamespaces("org")).map((n) => n.name),
        ["Acme"],
      );
      assert.equal(await catalog.accounts.getNamespace("nobody"), undefined);
    });

    it("accounts: org members are set, updated, listed and removed", async () => {
      await user("bob");
      await user("Carol");
      await catalog.accounts.setMember("acme", "Carol", "read");
      await catalog.accounts.setMember("Acme", "alice", "write");
      await catalog.accounts.setMember("ACME", "bob", "read");
      await catalog.accounts.setMember("acme", "ALICE", "admin");
      assert.deepEqual(await catalog.accounts.membersOf("Acme"), [
        { user: "alice", role: "admin" },
        { user: "bob", role: "read" },
        { user: "Carol", role: "read" },
      ]);
      const orgs = await catalog.accounts.orgsOf("Alice");
      assert.deepEqual(
        orgs.map((org) => [org.name, org.kind, org.role]),
        [["Acme", "org", "admin"]],
      );
      assert.equal(await catalog.accounts.removeMember("acme", "BOB"), true);
      assert.equal(await catalog.accounts.removeMember("acme", "bob"), false);
      assert.deepEqual(await catalog.accounts.orgsOf("bob"), []);
    });

    it("accounts: tokens are inserted, found by hash, listed, touched and deleted", async () => {
      const token = { user: "alice", displayName: "laptop", role: "write" as const, createdAt: AT };
      const first = await catalog.accounts.insertToken({ ...token, tokenHash: "hash-1" });
      const second = await catalog.accounts.insertToken({ ...token, displayName: "ci", tokenHash: "hash-2" });
      assert.equal(typeof first, "number");
      assert.ok(second > first);
      assert.deepEqual(await catalog.accounts.findTokenByHash("hash-1"), {
        ...{
          id: first,
          user: "alice",
          displayName: "laptop",
          role: "write",
          createdAt: AT,
          lastUsedAt: null,
        },
      });
      await assert.rejects(catalog.accounts.insertToken({ ...token, tokenHash: "hash-1" }));
      assert.deepEqual(
        (await catalog.accounts.listTokens("ALICE")).map((t) => t.id),
        [first, second],
      );
      await catalog.accounts.touchToken(first, "2026-02-01T00:00:00.000Z");
      assert.equal((await catalog.accounts.getToken(first))?.lastUsedAt, "2026-02-01T00:00:00.000Z");
      assert.equal(await catalog.accounts.deleteToken(first), true);
      assert.equal(await catalog.accounts.deleteToken(first), false);
      assert.equal(await catalog.accounts.findTokenByHash("hash-1"), undefined);
    });

    it("accounts: a credential is a token with its user and the user's orgs; revoked tokens and removed memberships show at once", async () => {
      await user("Zeta", "org");
      await catalog.accounts.setMember("zeta", "ALICE", "read");
      const token = { user: "alice", displayName: "cred", role: "admin" as const, createdAt: AT };
      const id = await catalog.accounts.insertToken({ ...token, tokenHash: "hash-cred" });
      assert.deepEqual(await catalog.accounts.findCredential("hash-cred"), {
        token: { id, user: "alice", displayName: "cred", role: "admin", createdAt: AT, lastUsedAt: null },
        user: {
          ...{ name: "Alice", kind: "user", fullname: "Alice A.", email: "a@example.com" },
          ...{ isAdmin: true, createdAt: AT },
        },
        orgs: [
          { name: "Acme", fullname: "Acme", role: "admin" },
          { name: "Zeta", fullname: "Zeta", role: "read" },
        ],
      });
      const bobs = await catalog.accounts.insertToken({ ...token, user: "bob", tokenHash: "hash-bob" });
      assert.deepEqual((await catalog.accounts.findCredential("hash-bob"))?.orgs, []);
      assert.equal((await catalog.accounts.findCredential("hash-bob"))?.token.id, bobs);
      assert.equal(await catalog.accounts.removeMember("Zeta", "alice"), true);
      assert.deepEqual(
        (await catalog.accounts.findCredential("hash-cred"))?.orgs.map((org) => org.name),
        ["Acme"],
      );
      assert.equal(await catalog.accounts.deleteToken(id), true);
      assert.equal(await catalog.accounts.findCredential("hash-cred"), undefined);
      assert.equal(await catalog.accounts.findCredential("hash-unknown"), undefined);
    });

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

    it("commits: commits and trees round trip; files list in byte order of their paths", async () => {
      const r = await repo("Tree", "files");
      const info = commit(1, [oid(0)], { warnings: ["w"] });
      const pk = await catalog.commits.insertCommit(r.pk, info);
      assert.deepEqual(await catalog.commits.getCommit(r.pk, oid(1)), { pk, repoPk: r.pk, ...info });
      assert.deepEqual(await catalog.commits.getCommitByPk(pk), { pk, repoPk: r.pk, ...info });
      const paths = ["README.md", "a/B.txt", "a/_x", "a/-y", "a/.z", "a/b/c.bin", "Zeta", "zeta", "é.txt"];
      paths.push("a.b", "a-b", "a_b", "a0", "a/ü", "a/Ü", "~tilde", "a/b");
      const files = paths.map((path, index) => file(path, index + 1));
      await catalog.commits.insertTree(pk, files);
      const sorted = [...files].sort((x, y) => byteOrder(x.path, y.path));
      assert.deepEqual(await catalog.commits.listFiles(pk), sorted);
      assert.deepEqual(
        await catalog.commits.listFilesUnder(pk, "a"),
        sorted.filter((f) => f.path.startsWith("a/")),
      );
      assert.deepEqual(
        (await catalog.commits.listFilesUnder(pk, "a/b")).map((f) => f.path),
        ["a/b/c.bin"],
      );
      assert.deepEqual(await catalog.commits.getFile(pk, "é.txt"), files[8]);
      assert.equal(await catalog.commits.getFile(pk, "readme.md"), undefined);
      assert.equal(await catalog.commits.hasFolder(pk, "a"), true);
      assert.equal(await catalog.commits.hasFolder(pk, "a/b"), true);
      assert.equal(await catalog.commits.hasFolder(pk, "A"), false);
      assert.equal(await catalog.commits.hasFolder(pk, "README.md"), false);
      const bytes = files.reduce((sum, f) => sum + f.size, 0);
      assert.deepEqual(await catalog.commits.countFiles(pk), { files: files.length, bytes });
      const empty = await catalog.commits.insertCommit(r.pk, commit(2));
      assert.deepEqual(await catalog.commits.countFiles(empty), { files: 0, bytes: 0 });
    });

    it("commits: refs are set, moved by compare-and-swap, created once, listed and deleted", async () => {
      const r = await repo("Refs", "repo");
      assert.equal(await catalog.discussions.nextNumber(r.pk), 1);
      await catalog.commits.setRef(r.pk, "branch", "main", oid(1), AT);
      await catalog.commits.setRef(r.pk, "branch", "main", oid(2), "2026-02-01T00:00:00.000Z");
      assert.deepEqual(await catalog.commits.getRef(r.pk, "branch", "main"), {
        ...{ kind: "branch", name: "main", commitOid: oid(2), updatedAt: "2026-02-01T00:00:00.000Z" },
      });
      assert.equal(await catalog.commits.getRef(r.pk, "branch", "Main"), undefined);
      assert.equal(await catalog.commits.moveRef(r.pk, "branch", "main", oid(2), oid(3), AT), true);
      assert.equal(await catalog.commits.moveRef(r.pk, "branch", "main", oid(2), oid(4), AT), false);
      assert.equal((await catalog.commits.getRef(r.pk, "branch", "main"))?.commitOid, oid(3));
      assert.equal(await catalog.commits.insertRef(r.pk, "tag", "v1", oid(1), AT), true);
      assert.equal(await catalog.commits.insertRef(r.pk, "tag", "v1", oid(2), AT), false);
      assert.equal(await catalog.commits.insertRef(r.pk, "branch", "main", oid(2), AT), false);
      for (const number of ["1", "2", "10"]) await catalog.commits.setRef(r.pk, "pr", number, oid(5), AT);
      assert.equal(await catalog.discussions.nextNumber(r.pk), 11);
      assert.deepEqual(
        (await catalog.commits.listRefs(r.pk)).map(
          (ref) => `${ref.kind}:${ref.name}:${ref.commitOid.slice(-1)}`,
        ),
        ["branch:main:3", "pr:1:5", "pr:10:5", "pr:2:5", "tag:v1:1"],
      );
      assert.equal(await catalog.commits.deleteRef(r.pk, "tag", "v1"), true);
      assert.equal(await catalog.commits.deleteRef(r.pk, "tag", "v1"), false);
      assert.equal(await catalog.commits.getRef(r.pk, "tag", "v1"), undefined);
    });

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

    it("commits: git objects are stored once and come back byte for byte; blobs are registered", async () => {
      const r = await repo("Objects", "repo");
      const body = Buffer.from([0, 1, 2, 255, 254, 0x5c, 0x27, 10, 0]);
      const object = { oid: oid(1), type: "commit" as const, body };
      await catalog.commits.insertGitObjects(r.pk, [object]);
      await catalog.commits.insertGitObjects(r.pk, [{ ...object, body: Buffer.from("other") }]);
      const stored = await catalog.commits.getGitObject(r.pk, oid(1));
      assert.equal(stored?.type, "commit");
      assert.ok(stored && Buffer.from(stored.body).equals(body));
      assert.equal(await catalog.commits.getGitObject(r.pk, oid(2)), undefined);
      const unused = sha(4242);
      await catalog.commits.registerBlob(unused, 100, AT);
      await catalog.commits.registerBlob(unused, 999, AT);
      await catalog.commits.registerBlobs(
        [
          { sha256: sha(2), size: 2 },
          { sha256: sha(2), size: 2 },
          { sha256: unused, size: 1 },
        ],
        AT,
      );
      assert.equal(await catalog.commits.hasBlob(unused), true);
      assert.equal(await catalog.commits.hasBlob(sha(2)), true);
      assert.equal(await catalog.commits.hasBlob(sha(3)), false);
      const registered = await catalog.maintenance.registeredBlobs();
      assert.deepEqual(
        registered.filter((b) => b.sha256 === unused),
        [{ sha256: unused, size: 100, createdAt: AT }],
      );
      const pk = await catalog.commits.insertCommit(r.pk, commit(3));
      assert.equal(await catalog.commits.isBlobReferenced(unused), false);
      await catalog.commits.insertTree(pk, [{ ...file("w.bin", 5), sha256: unused }]);
      assert.equal(await catalog.commits.isBlobReferenced(unused), true);
    });

    it("facts: round trip with lists; the upstream writer inserts, updates and keeps local repos", async () => {
      const r = await repo("Facts", "model");
      await catalog.facts.set(r.pk, facts());
      assert.deepEqual(await catalog.facts.get(r.pk), facts());
      const changed = facts({
        languages: [],
        baseModels: ["a/b", "c/d"],
        description: null,
        parameters: null,
      });
      await catalog.facts.set(r.pk, changed);
      assert.deepEqual(await catalog.facts.get(r.pk), changed);
      const entry: UpstreamModelEntry = {
        ...facts({ pipelineTag: "fill-mask" }),
        ...{ id: "Up/stream", downloads: 5, likes: 1, gated: false, createdAt: AT, lastModified: AT },
      };
      const outcomes = await catalog.transaction(async (tx) => {
        const writer = tx.facts.prepareUpstreamWriter();
        return [
          await writer.write(entry),
          await writer.write({ ...entry, id: "up/STREAM", downloads: 50, gated: "auto", license: "mit" }),
          await writer.write({ ...entry, id: "facts/MODEL" }),
        ];
      });
      assert.deepEqual(outcomes, ["inserted", "updated", "kept-local"]);
      const upstream = (await catalog.repos.get({ type: "model", namespace: "up", name: "stream" }))!;
      assert.deepEqual(
        [upstream.id, upstream.origin, upstream.downloads, upstream.gated],
        ["Up/stream", "upstream", 50, "auto"],
      );
      assert.ok(upstream.tags.includes("license:mit") && upstream.tags.includes("fill-mask"));
      assert.equal((await catalog.facts.get(upstream.pk))?.license, "mit");
      assert.deepEqual(await catalog.facts.get(r.pk), changed);
    });

    it("facts: the upstream writer's writeMany inserts in bulk, updates, keeps local repos, as write does", async () => {
      await repo("Bulk", "model");
      const entry = (id: string, downloads: number): UpstreamModelEntry => ({
        ...facts({ pipelineTag: "fill-mask", languages: ["en", "fr"], baseModels: ["a/b"] }),
        ...{ id, downloads, likes: 0, gated: false, createdAt: AT, lastModified: AT },
      });
      // More entries than one multi-row statement takes, so the bulk path crosses its chunks.
      const many = Array.from({ length: 1203 }, (_, index) => entry(`many/m-${index}`, index));
      await catalog.transaction((tx) => tx.facts.prepareUpstreamWriter().write(entry("Old/one", 1)));
      const outcomes = await catalog.transaction((tx) =>
        tx.facts
          .prepareUpstreamWriter()
          .writeMany([...many, entry("old/ONE", 7), entry("bulk/MODEL", 9), entry("MANY/m-0", 70)]),
      );
      assert.deepEqual(outcomes.slice(-3), ["updated", "kept-local", "updated"]);
      assert.ok(outcomes.slice(0, -3).every((outcome) => outcome === "inserted"));
      const last = (await catalog.repos.get({ type: "model", namespace: "many", name: "m-1202" }))!;
      assert.deepEqual([last.origin, last.downloads, last.pipelineTag], ["upstream", 1202, "fill-mask"]);
      assert.ok(last.tags.includes("base_model:a/b") && last.tags.includes("fr"));
      assert.deepEqual((await catalog.facts.get(last.pk))?.languages, ["en", "fr"]);
      const first = (await catalog.repos.get({ type: "model", namespace: "many", name: "m-0" }))!;
      assert.equal(first.downloads, 70);
      const old = (await catalog.repos.get({ type: "model", namespace: "old", name: "one" }))!;
      assert.deepEqual([old.id, old.downloads], ["Old/one", 7]);
      const local = (await catalog.repos.get({ type: "model", namespace: "bulk", name: "model" }))!;
      assert.equal(local.origin === "upstream" && local.sha === null, false);
    });

    it("usage: events are listed newest first and totalled, with errors counted", async () => {
      await catalog.usage.recordMany([
        usage("Org/Model", "ok", 1),
        usage("Org/Model", "error", 2),
        usage("Other/x", "ok", 3),
      ]);
      assert.deepEqual(await catalog.usage.list({ model: "org/MODEL" }), [
        usage("Org/Model", "error", 2),
        usage("Org/Model", "ok", 1),
      ]);
      assert.equal((await catalog.usage.list({ since: "2026-01-03" })).length, 1);
      assert.deepEqual(await catalog.usage.totals({ model: "ORG/model" }), [
        {
          ...{ model: "Org/Model", task: "fill-mask", requests: 2, errors: 1 },
          ...{ inputUnits: 3, outputUnits: 6, latencyMs: 4.5 },
        },
      ]);
      assert.equal((await catalog.usage.totals()).length, 2);
    });

    it("evaluations: a run recorded in a transaction is read back and filtered", async () => {
      const model = await repo("Eval", "model");
      const dataset = await repo("Eval", "data", { type: "dataset" });
      const run = {
        ...{ modelRepoPk: model.pk, modelCommit: oid(1), datasetRepoPk: dataset.pk, datasetCommit: oid(2) },
        ...{ datasetFile: "test.csv", task: "text-classification", textColumn: "text", labelColumn: "label" },
        ...{ examples: 10, skippedRows: 1, exampleLimit: null, metrics: { accuracy: 0.9, f1_macro: 0.85 } },
        ...{ details: { labels: ["neg", "pos"] }, durationMs: 12.5, createdAt: AT, measuredBy: "hangar" },
        hangarVersion: "1.0.0",
      };
      const first = await catalog.transaction((tx) => tx.evaluations.record(run));
      const second = await catalog.transaction((tx) =>
        tx.evaluations.record({
          ...run,
          task: "other",
          createdAt: "2026-05-01T00:00:00.000Z",
          exampleLimit: 5,
        }),
      );
      assert.deepEqual(first, { ...run, id: first.id, model: "Eval/model", dataset: "Eval/data" });
      assert.deepEqual(await catalog.evaluations.get(second.id), second);
      const ids = async (query: Parameters<typeof catalog.evaluations.list>[0]) =>
        (await catalog.evaluations.list(query)).map((e) => e.id);
      assert.deepEqual(await ids({ modelRepoPk: model.pk }), [second.id, first.id]);
      assert.deepEqual(await ids({ datasetRepoPk: dataset.pk, task: "text-classification" }), [first.id]);
      assert.deepEqual(await ids({ modelRepoPk: dataset.pk }), []);
    });

    it("leases, LFS uploads and multipart sessions", async () => {
      const now = 1_700_000_000_000;
      await catalog.leases.insert("lease-1", [sha(1), sha(2), sha(1)], now + 1000);
      await catalog.leases.insert("lease-2", [sha(3)], now - 1);
      assert.equal(await catalog.leases.isLeased(sha(1), now), true);
      assert.equal(await catalog.leases.isLeased(sha(1), now + 1000), false);
      assert.equal(await catalog.leases.isLeased(sha(3), now), false);
      assert.equal(await catalog.leases.purgeExpired(now), 1);
      await catalog.leases.release("lease-1");
      assert.equal(await catalog.leases.isLeased(sha(2), now), false);
      assert.equal(await catalog.leases.purgeExpired(now + 10_000), 0);

      const r = await repo("Lfs", "repo");
      assert.equal(
        await catalog.lfsUploads.record({ repoPk: r.pk, sha256: sha(10), size: 42, at: AT }),
        true,
      );
      assert.equal(
        await catalog.lfsUploads.record({ repoPk: r.pk, sha256: sha(10), size: 42, at: AT }),
        true,
      );
      assert.equal(
        await catalog.lfsUploads.record({ repoPk: 987_654, sha256: sha(10), size: 42, at: AT }),
        false,
      );
      assert.equal(await catalog.lfsUploads.heldSize(r.pk, sha(10)), 42);
      assert.equal(await catalog.lfsUploads.heldSize(r.pk, sha(11)), undefined);
      const pk = await catalog.commits.insertCommit(r.pk, commit(1));
      await catalog.commits.insertTree(pk, [{ ...file("big.bin", 2, 4096), sha256: sha(11) }]);
      assert.equal(await catalog.lfsUploads.heldSize(r.pk, sha(11)), 4096);
      assert.equal(await catalog.lfsUploads.forgetBlob(sha(10)), 1);
      assert.equal(await catalog.lfsUploads.heldSize(r.pk, sha(10)), undefined);

      await catalog.multipartSessions.open("upload-a", now + 10);
      await catalog.multipartSessions.open("upload-b", now - 10);
      await catalog.multipartSessions.open("upload-c", now - 20);
      assert.deepEqual(await catalog.multipartSessions.expiredBefore(now), ["upload-c", "upload-b"]);
      assert.deepEqual(await catalog.multipartSessions.expiredBefore(now, 1), ["upload-c"]);
      await catalog.multipartSessions.close("upload-c");
      await catalog.multipartSessions.close("upload-c");
      await catalog.multipartSessions.open("upload-b", now + 20);
      assert.deepEqual(await catalog.multipartSessions.expiredBefore(now + 15), ["upload-a"]);
    });

    it("scan results: stored per blob and rules version, pending blobs found, repo status set once", async () => {
      const r = await repo("Scan", "repo");
      const [a, b, c] = [sha(7001), sha(7002), sha(7003)];
      await catalog.commits.registerBlobs(
        [
          { sha256: a, size: 1 },
          { sha256: b, size: 2 },
          { sha256: c, size: 3 },
        ],
        AT,
      );
      const pk = await catalog.commits.insertCommit(r.pk, commit(7001));
      // c is registered but no commit references it: nothing to scan yet.
      await catalog.commits.insertTree(pk, [
        { ...file("model.bin", 7001), sha256: a },
        { ...file("sub/x.onnx", 7002), sha256: b },
      ]);
      await catalog.repos.updateHead(r.pk, {
        sha: oid(7001),
        lastModified: AT,
        pipelineTag: null,
        libraryName: null,
        tags: [],
        usedStorage: 3,
      });
      const ours = <T extends { sha256: string }>(rows: T[]) =>
        rows.filter((row) => [a, b, c].includes(row.sha256));
      assert.deepEqual(
        ours(await catalog.scanResults.pending("v1")).map((row) => [row.sha256, row.path, row.commitPk]),
        [
          [a, "model.bin", pk],
          [b, "sub/x.onnx", pk],
        ],
      );
      const findings = [
        { rule: "pickle.import.denied", severity: "unsafe", message: "os.system", offset: 3 },
      ];
      await catalog.scanResults.put({
        sha256: a,
        rulesVersion: "v1",
        format: "pickle",
        verdict: "suspicious",
        findings: [],
        scannedAt: AT,
      });
      const stored = {
        sha256: a,
        rulesVersion: "v1",
        format: "pickle",
        verdict: "unsafe" as const,
        findings,
        scannedAt: AT,
      };
      await catalog.scanResults.put(stored);
      assert.deepEqual(await catalog.scanResults.get(a, "v1"), stored);
      assert.equal(await catalog.scanResults.get(a, "v2"), undefined);
      assert.deepEqual([...(await catalog.scanResults.getMany([a, b, a], "v1")).keys()], [a]);
      assert.deepEqual(
        ours(await catalog.scanResults.pending("v1")).map((row) => row.sha256),
        [b],
      );
      assert.deepEqual(ours(await catalog.scanResults.pending("v1", { after: b })), []);
      assert.deepEqual(
        ours(await catalog.scanResults.pending("v2")).map((row) => row.sha256),
        [a, b],
      );
      const files = await catalog.scanResults.filesOf(pk, "v1");
      assert.deepEqual(files, [
        { path: "model.bin", sha256: a, result: stored },
        { path: "sub/x.onnx", sha256: b },
      ]);
      assert.deepEqual(await catalog.scanResults.reposWithHeadBlob(b), [{ repoPk: r.pk, commitPk: pk }]);
      assert.deepEqual(await catalog.scanResults.headOf(r.pk), { commitPk: pk });
      assert.equal(await catalog.scanResults.repoStatus(r.pk), null);
      const before = await catalog.searchFeed.currentSequence();
      await catalog.scanResults.setRepoStatus(r.pk, "unsafe");
      const afterSet = await catalog.searchFeed.currentSequence();
      assert.ok(afterSet > before, "a status change reaches the search feed");
      await catalog.scanResults.setRepoStatus(r.pk, "unsafe");
      assert.equal(
        await catalog.searchFeed.currentSequence(),
        afterSet,
        "an unchanged status writes nothing",
      );
      assert.equal(await catalog.scanResults.repoStatus(r.pk), "unsafe");
      assert.ok((await catalog.scanResults.repoHeads(0, 10_000)).some((head) => head.repoPk === r.pk));
      await catalog.scanResults.put({ ...stored, rulesVersion: "v2" });
      assert.ok((await catalog.scanResults.dropOtherVersions("v2")) >= 1);
      assert.equal(await catalog.scanResults.get(a, "v1"), undefined);
      assert.deepEqual(
        (await catalog.scanResults.countByVersion()).map((row) => [row.rulesVersion, Number(row.count)]),
        [["v2", 1]],
      );
    });

    it("meta: set, overwrite, and set only when absent", async () => {
      assert.equal(await catalog.getMeta("contract.key"), undefined);
      await catalog.setMeta("contract.key", "one");
      await catalog.setMeta("contract.key", "two");
      assert.equal(await catalog.getMeta("contract.key"), "two");
      assert.equal(await catalog.setMetaIfAbsent("contract.once", "first"), "first");
      assert.equal(await catalog.setMetaIfAbsent("contract.once", "second"), "first");
      assert.equal(await catalog.getMeta("contract.once"), "first");
    });

    it("search feed: every write to a repo or its facts advances the sequence and is listed", async () => {
      const start = await catalog.searchFeed.currentSequence();
      const stats = await catalog.searchFeed.modelStats();
      const r = await repo("Feed", "model");
      const afterInsert = await catalog.searchFeed.currentSequence();
      await catalog.facts.set(r.pk, facts());
      const afterFacts = await catalog.searchFeed.currentSequence();
      await catalog.repos.addDownloads(r.pk, 3);
      const end = await catalog.searchFeed.currentSequence();
      assert.ok(start < afterInsert && afterInsert < afterFacts && afterFacts < end);
      const changes = await catalog.searchFeed.changesBetween(start, end);
      assert.deepEqual(
        changes.map((change) => change.repoPk),
        changes.map(() => r.pk),
      );
      assert.deepEqual(
        changes.map((change) => change.seq),
        [...changes.map((change) => change.seq)].sort((a, b) => a - b),
      );
      assert.equal(changes.length, end - start);
      assert.deepEqual(await catalog.searchFeed.changesBetween(end, end + 10), []);
      const rows = await catalog.searchFeed.rowsOf([r.pk, 987_654]);
      assert.deepEqual([...rows.keys()], [r.pk]);
      const row = rows.get(r.pk)!;
      assert.deepEqual(
        [row[1], row[2], row[8], row[16], row[17], row[23]],
        ["Feed", "model", 3, "apache-2.0", JSON.stringify(["en", "fr"]), "model"],
      );
      assert.deepEqual(await catalog.searchFeed.modelStats(), { count: stats.count + 1, maxPk: r.pk });
    });

    it("search feed: the head commit's metadata of local models, all of them or by pk", async () => {
      const r = await repo("Heads", "model");
      const metadata = { card: { license: "mit" } } as unknown as CommitMetadata;
      await catalog.commits.insertCommit(r.pk, commit(1));
      await catalog.commits.insertCommit(r.pk, commit(2, [oid(1)], metadata));
      await catalog.repos.updateHead(r.pk, {
        ...{ sha: oid(2), lastModified: AT, usedStorage: 0 },
        ...{ pipelineTag: null, libraryName: null, tags: [] },
      });
      const mine = (rows: Array<{ pk: number; metadata: string }>) =>
        rows.filter((row) => Number(row.pk) === r.pk).map((row) => JSON.parse(row.metadata) as unknown);
      assert.deepEqual(mine(await catalog.searchFeed.headMetadata()), [metadata]);
      assert.deepEqual(mine(await catalog.searchFeed.headMetadata([r.pk])), [metadata]);
      assert.deepEqual(await catalog.searchFeed.headMetadata([]), []);
    });

    it("maintenance: counts, dangling refs, missing parents, blobs and pages of commits and objects", async () => {
      const before = await catalog.maintenance.counts();
      const r = await repo("Fsck", "repo");
      const mirrored = { mirror: { commit: oid(2) } } as unknown as CommitMetadata;
      const local = await catalog.commits.insertCommit(r.pk, commit(1, [oid(99)]));
      const pulled = await catalog.commits.insertCommit(r.pk, commit(2, [oid(1)], mirrored));
      await catalog.commits.insertTree(local, [file("a", 31), file("b", 31)]);
      await catalog.commits.setRef(r.pk, "branch", "main", oid(2), AT);
      await catalog.commits.setRef(r.pk, "tag", "gone", oid(50), AT);
      await catalog.commits.insertGitObjects(r.pk, [
        { oid: oid(3), type: "tree", body: Buffer.from("tree") },
      ]);
      await catalog.commits.registerBlob(sha(31), 310, AT);
      assert.deepEqual(await catalog.maintenance.counts(), {
        ...{ repos: before.repos + 1, refs: before.refs + 2, commits: before.commits + 2 },
        ...{ treeEntries: before.treeEntries + 2, gitObjects: before.gitObjects + 1 },
        registeredBlobs: before.registeredBlobs + 1,
      });
      const here = <T extends { namespace: string }>(rows: T[]) => rows.filter((x) => x.namespace === "Fsck");
      assert.deepEqual(here(await catalog.maintenance.danglingRefs()), [
        { repoType: "model", namespace: "Fsck", name: "repo", kind: "tag", ref: "gone", commitOid: oid(50) },
      ]);
      assert.deepEqual(here(await catalog.maintenance.missingParents()), [
        { repoType: "model", namespace: "Fsck", name: "repo", commitOid: oid(1), parentOid: oid(99) },
      ]);
      const referenced = (await catalog.maintenance.referencedBlobs()).filter((b) => b.sha256 === sha(31));
      assert.deepEqual(referenced, [{ sha256: sha(31), size: 310, lfs: false, gitOid: oid(31), entries: 2 }]);
      assert.ok((await catalog.maintenance.registeredBlobs()).some((b) => b.sha256 === sha(31)));
      const commits = here(await catalog.maintenance.commitsAfter(local - 1, 1000));
      assert.deepEqual(
        commits.map((c) => [c.pk, c.repoPk, c.oid, c.parents, c.mirrored]),
        [
          [local, r.pk, oid(1), [oid(99)], false],
          [pulled, r.pk, oid(2), [oid(1)], true],
        ],
      );
      assert.deepEqual(
        (await catalog.maintenance.commitsAfter(local, 1)).map((c) => c.pk),
        [pulled],
      );
      const objects = here(await catalog.maintenance.gitObjectsAfter(0, 1000));
      assert.equal(objects.length, 1);
      assert.deepEqual([objects[0]!.oid, objects[0]!.type, objects[0]!.name], [oid(3), "tree", "repo"]);
      assert.ok(Buffer.from(objects[0]!.body).equals(Buffer.from("tree")));
      assert.deepEqual(await catalog.maintenance.gitObjectsAfter(objects[0]!.pk, 1000), []);
    });

    it("licence policies: the instance's and an organisation's are stored, read in one call and replaced", async () => {
      const table = catalog.licensePolicies;
      assert.equal(await table.get({ kind: "instance" }), undefined);
      assert.deepEqual(await table.getInstanceAndOrg("Acme"), {});
      const instance = {
        scope: { kind: "instance" as const },
        rules: { enforce: ["pull"], categories: { "non-commercial": "deny" }, licenses: {} },
        updatedAt: AT,
        updatedBy: "admin",
      };
      await table.put(instance);
      const org = {
        scope: { kind: "org" as const, org: "Acme" },
        rules: { enforce: [], categories: {}, licenses: { "gpl-3.0": "review" } },
        updatedAt: AT,
        updatedBy: "alice",
      };
      await table.put(org);
      assert.deepEqual(await table.get({ kind: "instance" }), instance);
      // Organisation names are found whatever the case, as namespaces are.
      assert.deepEqual(await table.getInstanceAndOrg("acme"), { instance, org });
      assert.deepEqual(await table.getInstanceAndOrg("other"), { instance });
      assert.deepEqual(await table.getInstanceAndOrg(undefined), { instance });
      const replaced = {
        ...org,
        rules: { enforce: ["inference"], categories: {}, licenses: {} },
        updatedBy: "bob",
      };
      await table.put(replaced);
      assert.deepEqual(await table.get({ kind: "org", org: "ACME" }), replaced);
      assert.equal(await table.delete({ kind: "org", org: "acme" }), true);
      assert.equal(await table.delete({ kind: "org", org: "acme" }), false);
      assert.deepEqual(await table.getInstanceAndOrg("Acme"), { instance });
    });

    it("transactions: a throw rolls everything back; the catalog's own handle is refused inside", async () => {
      const failure = new Error("boom");
      await assert.rejects(
        catalog.transaction(async (tx: CatalogTables) => {
          await tx.accounts.insertNamespace({
            ...{ name: "Ghost", kind: "user", fullname: "", email: null, isAdmin: false, createdAt: AT },
          });
          await tx.repos.insert({
            type: "model",
            namespace: "Ghost",
            name: "r",
            private: false,
            createdAt: AT,
          });
          await tx.setMeta("contract.ghost", "x");
          throw failure;
        }),
        (error) => error === failure,
      );
      assert.equal(await catalog.accounts.getNamespace("Ghost"), undefined);
      assert.equal(await catalog.repos.get({ type: "model", namespace: "Ghost", name: "r" }), undefined);
      assert.equal(await catalog.getMeta("contract.ghost"), undefined);
      await assert.rejects(
        catalog.transaction(async (tx) => {
          await tx.setMeta("contract.outside", "x");
          await catalog.getMeta("contract.outside");
        }),
        OutsideTransactionError,
      );
      assert.equal(await catalog.getMeta("contract.outside"), undefined);
    });

    it("transactions: of 10 concurrent moves of one ref from the same commit, exactly one wins", async () => {
      const r = await repo("Race", "repo");
      await catalog.commits.setRef(r.pk, "branch", "main", oid(0), AT);
      let from = oid(0);
      for (const round of [1, 2]) {
        const targets = Array.from({ length: 10 }, (_, index) => oid(round * 100 + index));
        const won = await Promise.all(
          targets.map((to) =>
            catalog.transaction((tx) => tx.commits.moveRef(r.pk, "branch", "main", from, to, AT)),
          ),
        );
        assert.equal(won.filter(Boolean).length, 1, `round ${round}`);
        const winner = targets[won.indexOf(true)]!;
        assert.equal((await catalog.commits.getRef(r.pk, "branch", "main"))?.commitOid, winner);
        from = winner;
      }
    });
  });
}
