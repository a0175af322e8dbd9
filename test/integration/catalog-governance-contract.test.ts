// The registry's and the audit log's tables, through their methods, on SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { recordAudit, verifyAuditChain } from "../../src/governance/audit/index.ts";
import { localAdministrator, type Principal } from "../../src/hub/accounts/principal.ts";
import { AUDIT_GENESIS_HASH } from "../../src/store/audit-table.ts";
import { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const AT = "2026-01-02T03:04:05.000Z";

function caller(user: string, tokenId: number): Principal {
  return {
    ...localAdministrator(user),
    token: { id: tokenId, displayName: "t", role: "write", createdAt: AT },
    request: { id: `req-${user}`, address: "10.0.0.1" },
  };
}

/** A statement on the catalog behind Hangar's back (the append-only triggers disabled for it). */
async function tamper(engine: string, location: string, statement: string): Promise<void> {
  if (engine === "SQLite") {
    const db = new Database(location);
    try {
      db.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
      db.exec(statement);
      db.exec(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
               CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  try {
    await client.query("ALTER TABLE audit_log DISABLE TRIGGER USER");
    await client.query(statement);
    await client.query("ALTER TABLE audit_log ENABLE TRIGGER USER");
  } finally {
    await client.end();
  }
}

/** The same statement without disabling anything: the triggers must refuse it. */
async function rawStatement(engine: string, location: string, statement: string): Promise<void> {
  if (engine === "SQLite") {
    const db = new Database(location);
    try {
      db.exec(statement);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, registry and audit: ${engine.name}`, () => {
    let catalog: Catalog;
    let location: string;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, location, dispose } = await engine.open()));
    after(() => dispose());

    it("numbers versions per model, upserts approvals, and keeps alias moves in order", async () => {
      const model = await catalog.transaction((tx) =>
        tx.registry.insertModel({
          namespace: "acme",
          name: "Clf",
          description: "",
          gates: {},
          createdAt: AT,
          createdBy: "alice",
        }),
      );
      const again = await catalog.registry.insertModel({
        namespace: "ACME",
        name: "clf",
        description: "x",
        gates: { scans: {} },
        createdAt: AT,
        createdBy: "bob",
      });
      assert.equal(again.id, model.id, "names are matched without case");
      assert.deepEqual((await catalog.registry.getModel("Acme", "CLF"))!.gates, {});
      const base = {
        modelId: model.id,
        repoPk: 7,
        repoId: "acme/weights",
        revision: "main",
        description: "",
        tags: { k: "v" },
        evidence: { scans: { scansDone: true } },
        createdAt: AT,
        createdBy: "alice",
      };
      const one = await catalog.transaction((tx) =>
        tx.registry.insertVersion({ ...base, commitOid: "a".repeat(40) }),
      );
      const two = await catalog.transaction((tx) =>
        tx.registry.insertVersion({ ...base, commitOid: "b".repeat(40) }),
      );
      assert.deepEqual([one.version, two.version], [1, 2]);
      assert.deepEqual(await catalog.registry.getVersion(model.id, 2), {
        ...base,
        commitOid: "b".repeat(40),
        version: 2,
      });
      await catalog.registry.putApproval({
        modelId: model.id,
        version: 2,
        user: "bob",
        role: "read",
        comment: "",
        createdAt: AT,
      });
      await catalog.registry.putApproval({
        modelId: model.id,
        version: 2,
        user: "bob",
        role: "write",
        comment: "ok",
        createdAt: AT,
      });
      assert.deepEqual(
        (await catalog.registry.listApprovals(model.id, 2)).map((approval) => [
          approval.user,
          approval.role,
          approval.comment,
        ]),
        [["bob", "write", "ok"]],
      );
      for (const [from, to] of [
        [null, 1],
        [1, 2],
      ] as const) {
        await catalog.transaction((tx) =>
          tx.registry.moveAlias({
            modelId: model.id,
            alias: "production",
            action: "promote",
            fromVersion: from,
            toVersion: to,
            actor: "alice",
            reason: `to ${to}`,
            createdAt: AT,
          }),
        );
      }
      assert.equal((await catalog.registry.getAlias(model.id, "production"))!.version, 2);
      assert.deepEqual(
        (await catalog.registry.history(model.id, "production")).map((event) => [
          event.fromVersion,
          event.toVersion,
          event.reason,
        ]),
        [
          [null, 1, "to 1"],
          [1, 2, "to 2"],
        ],
      );
      assert.deepEqual(await catalog.registry.history(model.id, "staging"), []);
      // The versions pinning a repo, with their registered model's name (a model page's "registry").
      assert.deepEqual(
        (await catalog.registry.listVersionsOfRepo(7)).map((version) => [
          version.modelNamespace,
          version.modelName,
          version.version,
          version.commitOid.slice(0, 1),
          version.tags,
        ]),
        [
          ["acme", "Clf", 1, "a", { k: "v" }],
          ["acme", "Clf", 2, "b", { k: "v" }],
        ],
      );
      assert.deepEqual(await catalog.registry.listVersionsOfRepo(8), []);
    });

    it("appends a hash chain from the genesis hash and lists it with filters", async () => {
      assert.deepEqual(await catalog.audit.head(), { seq: 0, hash: AUDIT_GENESIS_HASH });
      for (const [user, action] of [
        ["alice", "repo.create"],
        ["bob", "repo.delete"],
        ["alice", "token.create"],
      ] as const) {
        await catalog.transaction((tx) =>
          recordAudit(tx, { caller: caller(user, 3), action, target: "model:acme/x", details: { n: 1 } }),
        );
      }
      const all = await catalog.audit.list();
      assert.deepEqual(
        all.map((entry) => entry.seq),
        [1, 2, 3],
      );
      assert.equal(all[0]!.prevHash, AUDIT_GENESIS_HASH);
      assert.equal(all[1]!.prevHash, all[0]!.hash);
      assert.deepEqual(
        [all[0]!.requestId, all[0]!.clientAddress, all[0]!.actor],
        ["req-alice", "10.0.0.1", { user: "alice", tokenId: 3 }],
      );
      assert.deepEqual((await catalog.audit.head()).seq, 3);
      assert.deepEqual(
        (await catalog.audit.list({ actor: "alice" })).map((entry) => entry.seq),
        [1, 3],
      );
      assert.deepEqual(
        (await catalog.audit.list({ action: "repo." })).map((entry) => entry.seq),
        [1, 2],
      );
      assert.deepEqual(
        (await catalog.audit.list({ after: 1 }, 1)).map((entry) => entry.seq),
        [2],
      );
      // An entry rolled back with its change is not in the chain.
      await catalog
        .transaction(async (tx) => {
          await recordAudit(tx, { caller: null, action: "repo.create", target: "model:acme/y" });
          throw new Error("the change failed");
        })
        .catch(() => undefined);
      assert.equal((await catalog.audit.head()).seq, 3);
      assert.deepEqual(await verifyAuditChain(catalog), {
        ok: true,
        entries: 3,
        head: await catalog.audit.head(),
      });
    });

    it("keeps one linear chain under concurrent writers on two connections", async () => {
      const second = await Catalog.open(location);
      try {
        const writers = [catalog, second].flatMap((node, index) =>
          Array.from({ length: 15 }, (_, n) =>
            node.transaction((tx) =>
              recordAudit(tx, {
                caller: caller(`node${index}`, n),
                action: "repo.commit",
                target: `model:acme/m${n}`,
              }),
            ),
          ),
        );
        await Promise.all(writers);
      } finally {
        await second.close();
      }
      const all = await catalog.audit.list({}, 1000);
      assert.deepEqual(
        all.map((entry) => entry.seq),
        Array.from({ length: 33 }, (_, index) => index + 1),
      );
      assert.equal((await verifyAuditChain(catalog)).ok, true);
    });

    it("refuses UPDATE and DELETE, and verify names an entry changed behind its back", async () => {
      await assert.rejects(
        rawStatement(engine.name, location, "UPDATE audit_log SET outcome = 'denied' WHERE seq = 2"),
        /append-only/,
      );
      await assert.rejects(
        rawStatement(engine.name, location, "DELETE FROM audit_log WHERE seq = 2"),
        /append-only/,
      );
      await tamper(engine.name, location, "UPDATE audit_log SET target = 'model:acme/other' WHERE seq = 2");
      const altered = await verifyAuditChain(catalog);
      assert.deepEqual(
        [altered.ok, altered.firstBreak?.seq, altered.firstBreak?.problem],
        [false, 2, "altered"],
      );
      await tamper(engine.name, location, "UPDATE audit_log SET target = 'model:acme/x' WHERE seq = 2");
      await tamper(engine.name, location, "DELETE FROM audit_log WHERE seq = 7");
      const removed = await verifyAuditChain(catalog);
      assert.deepEqual([removed.firstBreak?.seq, removed.firstBreak?.problem], [7, "removed"]);
      // On PostgreSQL the CLI reaches the catalog by its URL (SQLite's file in a home: test/integration/audit.test.ts).
      if (engine.name !== "PostgreSQL") return;
      const home = await makeTempDir();
      try {
        const cli = await runCli(["audit", "verify", "--json", "--home", home.path, "--database", location]);
        assert.equal(cli.code, 1, cli.stderr);
        assert.deepEqual((JSON.parse(cli.stdout) as { firstBreak: unknown }).firstBreak, removed.firstBreak);
      } finally {
        await home.remove();
      }
    });
  });
}
