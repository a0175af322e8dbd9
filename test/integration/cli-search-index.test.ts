import assert from "node:assert/strict";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { generateCatalog } from "../../src/hub/catalog/generate-catalog.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { hangarCli } from "../helpers/hangar-cli.ts";
import { spawnServe, stopServe } from "../helpers/serve-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

interface SearchJson {
  total: number;
  results: Array<{ id: string }>;
  facets: Record<string, Array<{ value: string; count: number }>>;
  served:
    | { by: "server"; url: string }
    | { by: "home"; index: { loadedFromSnapshot: boolean; buildMs: number; loadMs: number | null } };
}

const ADMIN_TOKEN = "hf_search_index_admin_token_0123456789";

describe("CLI search without a cold start", () => {
  let home: { path: string; remove: () => Promise<void> };
  before(async () => {
    home = await makeTempDir("hangar-search-index-");
    const hangar = await createHangar(defaultConfig(home.path));
    try {
      await generateCatalog(hangar.catalog, { count: 2000, seed: 11 });
      await createRepo(hangar, localAdministrator(), {
        type: "model",
        namespace: "quiet-lab",
        name: "private-bert-probe",
        private: true,
      });
    } finally {
      await hangar.close();
    }
  });
  after(() => home.remove());

  const search = async (args: string[], env: Record<string, string> = {}): Promise<SearchJson> => {
    const run = await runCli(["search", ...args, "--home", home.path, "--json"], env);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as SearchJson;
  };
  const withoutServed = ({ served: _served, tookMs: _took, ...rest }: SearchJson & { tookMs?: number }) =>
    rest;

  it("builds the index once, then answers from its snapshot, patched with later commits", async () => {
    const first = await search(["bert"]);
    assert.equal(first.served.by, "home");
    assert.ok(
      first.served.by === "home" && !first.served.index.loadedFromSnapshot,
      "the first search builds",
    );
    assert.ok(first.total > 0);
    const cached = await readdir(join(home.path, "cache"));
    assert.equal(
      cached.filter((name) => /^search-index-[0-9a-f]{16}\.bin$/.test(name)).length,
      1,
      `${cached}`,
    );

    const second = await search(["bert"]);
    assert.ok(second.served.by === "home" && second.served.index.loadedFromSnapshot, "read, not rebuilt");
    assert.ok(second.served.index.loadMs !== null && second.served.index.loadMs >= 0);
    assert.deepEqual(withoutServed(second), withoutServed(first));
    const probe = await search(["private-bert-probe"]);
    assert.equal(probe.results[0]?.id, "quiet-lab/private-bert-probe", "the home's owner sees private repos");

    // A commit after the snapshot: the next search reads the snapshot and patches it from the change feed.
    const hangar = await createHangar(defaultConfig(home.path));
    try {
      await createRepo(hangar, localAdministrator(), {
        type: "model",
        namespace: "late-lab",
        name: "okapi-tagger",
      });
    } finally {
      await hangar.close();
    }
    const third = await search(["okapi"]);
    assert.ok(third.served.by === "home" && third.served.index.loadedFromSnapshot);
    assert.deepEqual(
      third.results.map((hit) => hit.id),
      ["late-lab/okapi-tagger"],
    );
  });

  it("goes through the server running on the home, and works on the home when it cannot ask it", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HANGAR_NO_DEMO: "1", HANGAR_NO_CATALOG: "1" };
    for (const name of ["HANGAR_HOME", "HANGAR_PORT", "HANGAR_PUBLIC_URL", "HF_TOKEN"]) delete env[name];
    const served = await spawnServe(["--home", home.path, "--port", "0"], {
      ...env,
      HANGAR_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    try {
      const viaServer = await search(["bert", "--task", "text-classification"], {
        HANGAR_ADMIN_TOKEN: ADMIN_TOKEN,
      });
      assert.deepEqual(viaServer.served, { by: "server", url: served.url });
      const onHome = await search(["bert", "--task", "text-classification"]);
      assert.equal(onHome.served.by, "home", "without the admin token the CLI does not ask the server");
      assert.deepEqual(withoutServed(viaServer), withoutServed(onHome));
      // The server answers the admin token as the owner: private repos are in.
      const privateHit = await search(["private-bert-probe"], { HANGAR_ADMIN_TOKEN: ADMIN_TOKEN });
      assert.equal(privateHit.served.by, "server");
      assert.equal(privateHit.results[0]?.id, "quiet-lab/private-bert-probe");
      // A usage error the server finds is the same error, with the same exit code, as on the home.
      const remoteError = await runCli(["search", "--sort", "bogus", "--home", home.path, "--json"], {
        HANGAR_ADMIN_TOKEN: ADMIN_TOKEN,
      });
      const localError = await runCli(["search", "--sort", "bogus", "--home", home.path, "--json"]);
      assert.equal(remoteError.code, localError.code);
      assert.equal(remoteError.stdout, localError.stdout);
      // recommend goes the same way.
      const recommend = await runCli(
        ["recommend", "classify the sentiment of reviews", "--home", home.path, "--json"],
        { HANGAR_ADMIN_TOKEN: ADMIN_TOKEN },
      );
      assert.equal(recommend.code, 0, recommend.stderr);
      assert.deepEqual((JSON.parse(recommend.stdout) as SearchJson).served, {
        by: "server",
        url: served.url,
      });
    } finally {
      await stopServe(served.child);
    }
    // The server removed its record when it stopped: the CLI works on the home again.
    const after = await search(["bert"], { HANGAR_ADMIN_TOKEN: ADMIN_TOKEN });
    assert.equal(after.served.by, "home");
  });
});

describe("CLI search in a fresh process on a 20,000-model home", () => {
  let home: { path: string; remove: () => Promise<void> };
  before(async () => {
    home = await makeTempDir("hangar-search-cold-");
    const hangar = await createHangar(defaultConfig(home.path));
    try {
      await generateCatalog(hangar.catalog, { count: 20_000, seed: 19 });
    } finally {
      await hangar.close();
    }
  });
  after(() => home.remove());

  /** `hangar search` in its own process, as a user runs it (no server runs on this home). */
  const search = async (args: string[]): Promise<SearchJson> => {
    const run = await hangarCli(["search", ...args, "--home", home.path, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const answer = JSON.parse(run.stdout) as SearchJson;
    assert.equal(answer.served.by, "home");
    return answer;
  };
  const fromSnapshot = (answer: SearchJson) =>
    answer.served.by === "home" ? answer.served.index.loadedFromSnapshot : undefined;
  const withoutServed = ({ served: _served, tookMs: _took, ...rest }: SearchJson & { tookMs?: number }) =>
    rest;
  const found = (answer: SearchJson) => ({
    total: answer.total,
    ids: answer.results.map((hit) => hit.id),
    facets: answer.facets,
  });
  const removeSnapshots = async () => {
    const folder = join(home.path, "cache");
    for (const name of await readdir(folder)) {
      if (/^search-index-[0-9a-f]{16}\.bin$/.test(name)) await rm(join(folder, name));
    }
  };
  const QUERIES = [
    ["bert", "--limit", "50"],
    ["--task", "text-generation", "--license", "apache-2.0", "--sort", "likes"],
  ];

  it("reads the snapshot instead of rebuilding, answers as a rebuilt index does, and catches up with commits", async () => {
    // The first process builds (and writes the snapshot before it exits); later ones read it.
    const built = [];
    for (const args of QUERIES) {
      const answer = await search(args);
      built.push(answer);
      assert.ok(answer.total > 0, `${args.join(" ")} finds models`);
    }
    assert.equal(fromSnapshot(built[0]!), false, "the first process builds");
    for (const [at, args] of QUERIES.entries()) {
      const read = await search(args);
      assert.equal(fromSnapshot(read), true, `${args.join(" ")} read the snapshot`);
      assert.deepEqual(withoutServed(read), withoutServed(built[at]!), args.join(" "));
    }

    // A commit after the snapshot: a fresh process reads the snapshot, patches it from the change feed and
    // answers as a process that rebuilds from scratch.
    const hangar = await createHangar(defaultConfig(home.path));
    try {
      await createRepo(hangar, localAdministrator(), {
        type: "model",
        namespace: "cold-lab",
        name: "bert-okapi",
      });
    } finally {
      await hangar.close();
    }
    const caughtUp = [];
    for (const args of [...QUERIES, ["okapi"]]) {
      const answer = await search(args);
      assert.equal(fromSnapshot(answer), true, `${args.join(" ")} read the snapshot and caught up`);
      caughtUp.push(answer);
    }
    assert.deepEqual(
      caughtUp.at(-1)!.results.map((hit) => hit.id),
      ["cold-lab/bert-okapi"],
    );
    assert.equal(caughtUp[0]!.total, built[0]!.total + 1, "the new repo counts for bert");
    await removeSnapshots();
    for (const [at, args] of [...QUERIES, ["okapi"]].entries()) {
      const rebuilt = await search(args);
      if (at === 0) assert.equal(fromSnapshot(rebuilt), false, "without a snapshot the process rebuilds");
      // A rebuild has a later reference time for recency, so scores move a little: compare what was found.
      assert.deepEqual(found(rebuilt), found(caughtUp[at]!), args.join(" "));
    }
  });
});
