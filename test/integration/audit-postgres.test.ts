import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { defaultConfig } from "../../src/core/config.ts";
import { listAudit, verifyAuditChain } from "../../src/governance/audit/index.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createCommit } from "../../src/hub/create-commit.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { importFiles, makeTempDir } from "../helpers/test-hangar.ts";

describe("audit log on PostgreSQL with two nodes", () => {
  let database: TestDatabase;
  const nodes: Hangar[] = [];
  const homes: Array<{ path: string; remove(): Promise<void> }> = [];

  before(async () => {
    database = await createTestDatabase();
    for (let index = 0; index < 2; index++) {
      const home = await makeTempDir();
      homes.push(home);
      nodes.push(await createHangar(defaultConfig(home.path, { database: database.url })));
    }
  });
  after(async () => {
    for (const node of nodes) await node.close();
    for (const home of homes) await home.remove();
    await database.drop();
  });

  it("concurrent commits on both nodes each get their entry, in one intact chain", async () => {
    const [first, second] = nodes as [Hangar, Hangar];
    await importFiles(first, "acme/busy", { "README.md": "start" });
    const repo = (await first.catalog.repos.get({ type: "model", namespace: "acme", name: "busy" }))!;
    const commits = await Promise.all(
      Array.from({ length: 16 }, async (_, n) => {
        const node = n % 2 === 0 ? first : second;
        const content = Buffer.from(`file ${n}`);
        const stored = await node.blobs.put(content, { expectedSize: content.byteLength, gitOid: true });
        const result = await createCommit(node, {
          repo,
          revision: "main",
          operations: [
            {
              kind: "put",
              path: `f${n}.txt`,
              file: { sha256: stored.sha256, size: stored.size, gitOid: stored.gitOid!, lfs: false },
            },
          ],
          title: `commit ${n}`,
          author: "alice",
          caller: { ...localAdministrator("alice"), request: { id: `req-${n}`, address: `10.0.0.${n}` } },
        });
        return result.commit.oid;
      }),
    );
    const page = await listAudit(first.catalog, localAdministrator(), {
      action: "repo.commit",
      actor: "alice",
      limit: 100,
    });
    assert.deepEqual(new Set(page.entries.map((entry) => entry.details.commit)), new Set(commits));
    assert.deepEqual(
      new Set(page.entries.map((entry) => entry.requestId)),
      new Set(commits.map((_, n) => `req-${n}`)),
    );
    const verified = await verifyAuditChain(second.catalog);
    assert.equal(verified.ok, true, JSON.stringify(verified.firstBreak));
    assert.equal(verified.entries, verified.head.seq);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query("ALTER TABLE audit_log DISABLE TRIGGER USER");
      await client.query("UPDATE audit_log SET details = '{}' WHERE seq = 5");
      await client.query("ALTER TABLE audit_log ENABLE TRIGGER USER");
    } finally {
      await client.end();
    }
    const cli = await runCli(["audit", "verify", "--database", database.url, "--home", homes[0]!.path]);
    assert.equal(cli.code, 1);
    assert.match(
      cli.stdout,
      /^The audit log is broken at entry 5: entry 5 \(repo\.commit on model:acme\/busy at .+\) was altered/,
    );
  });
});
