import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRepo, deleteRepo, uploadFiles } from "@huggingface/hub";
import Database from "better-sqlite3";
import type { AuditEntry } from "../../src/governance/audit/index.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { tinyClassifierFiles } from "../helpers/tiny-models.ts";

/** Runs a statement on the catalog file behind Hangar's back, with the append-only triggers out of the way. */
function tamper(path: string, statements: string[]): void {
  const db = new Database(path);
  try {
    db.pragma("busy_timeout = 5000");
    db.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
    for (const statement of statements) db.exec(statement);
    db.exec(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
             CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`);
  } finally {
    db.close();
  }
}

describe("audit log", () => {
  let test: TestHangar;
  let alice: string;
  let database: string;
  const home = () => ["--home", test.home];

  const call = async (
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    requestId?: string,
  ) => {
    const response = await fetch(`${test.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(requestId ? { "x-request-id": requestId } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
    };
  };
  const entries = async (query = ""): Promise<AuditEntry[]> => {
    const answer = await call("GET", `/v1/audit${query}`, test.adminToken);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.entries as AuditEntry[];
  };
  const verify = () => runCli(["audit", "verify", ...home()]);

  before(async () => {
    test = await startTestHangar();
    database = join(test.home, "hangar.db");
  });
  after(() => test.close());

  it("records account, token and sign-in actions with who, from where and which request", async () => {
    assert.equal((await runCli(["user", "add", "alice", ...home()])).code, 0);
    assert.equal((await runCli(["org", "add", "acme", "--member", "alice", ...home()])).code, 0);
    const created = await runCli([
      "token",
      "create",
      "--user",
      "alice",
      "--role",
      "write",
      "--json",
      ...home(),
    ]);
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout) as { id: number; token: string };
    alice = token.token;
    const spare = JSON.parse(
      (await runCli(["token", "create", "--user", "alice", "--role", "read", "--json", ...home()])).stdout,
    ) as { id: number; token: string };
    assert.equal((await runCli(["token", "revoke", String(spare.id), ...home()])).code, 0);

    const failed = await call(
      "GET",
      "/api/whoami-v2",
      "hf_not_a_token_0123456789abcdefghij",
      undefined,
      "req-failed-1",
    );
    assert.equal(failed.status, 401);
    assert.equal((await call("GET", "/api/whoami-v2", alice, undefined, "req-sign-in-1")).status, 200);
    assert.equal(
      (await call("GET", "/api/whoami-v2", alice)).status,
      200,
      "a second request is no new sign-in",
    );

    const log = await entries();
    const summary = log.map((entry) => [entry.action, entry.target, entry.actor.user, entry.outcome]);
    assert.deepEqual(summary, [
      ["user.create", "user:alice", "hangar", "success"],
      ["org.create", "org:acme", "hangar", "success"],
      ["token.create", `token:${token.id}`, "hangar", "success"],
      ["token.create", `token:${spare.id}`, "hangar", "success"],
      ["token.revoke", `token:${spare.id}`, "hangar", "success"],
      ["auth.failed", "auth:token", null, "failure"],
      ["auth.sign_in", "user:alice", "alice", "success"],
      // The admin reading the log signed in with that request.
      ["auth.sign_in", "user:admin", "admin", "success"],
    ]);
    const [failedEntry, signIn] = log.slice(-3) as [AuditEntry, AuditEntry];
    assert.deepEqual([failedEntry.requestId, failedEntry.clientAddress], ["req-failed-1", "127.0.0.1"]);
    assert.deepEqual(
      [signIn.requestId, signIn.clientAddress, signIn.actor.tokenId],
      ["req-sign-in-1", "127.0.0.1", token.id],
    );
    // The token's secret is nowhere in the log.
    assert.ok(!JSON.stringify(log).includes(alice));
    assert.ok(!JSON.stringify(log).includes(spare.token));
  });

  it("records repo create, settings, move, delete, commits and ref moves in the change's transaction", async () => {
    const hubUrl = test.url;
    await createRepo({ repo: "alice/audited", accessToken: alice, hubUrl });
    assert.equal(
      (await call("PUT", "/api/models/alice/audited/settings", alice, { private: true })).status,
      200,
    );
    await uploadFiles({
      repo: "alice/audited",
      accessToken: alice,
      hubUrl,
      files: [{ path: "a.txt", content: new Blob(["a"]) }],
    });
    assert.equal((await call("POST", "/api/models/alice/audited/branch/dev", alice, {})).status, 200);
    assert.equal((await call("DELETE", "/api/models/alice/audited/branch/dev", alice)).status, 200);
    assert.equal(
      (await call("POST", "/api/models/alice/audited/tag/main", alice, { tag: "v1" })).status,
      200,
    );
    assert.equal(
      (
        await call("POST", "/api/repos/move", alice, {
          fromRepo: "alice/audited",
          toRepo: "acme/audited",
          type: "model",
        })
      ).status,
      200,
    );
    await deleteRepo({ repo: "acme/audited", accessToken: alice, hubUrl });
    // A refused change leaves no entry: the settings of a repo alice cannot write.
    await importFiles(test.hangar, "someone/else", { "b.txt": "b" });
    assert.equal(
      (await call("PUT", "/api/models/someone/else/settings", alice, { private: true })).status,
      403,
    );

    const log = await entries("?actor=alice&action=repo.");
    assert.deepEqual(
      log.map((entry) => [entry.action, entry.target]),
      [
        ["repo.create", "model:alice/audited"],
        ["repo.settings", "model:alice/audited"],
        ["repo.commit", "model:alice/audited"],
        ["repo.move", "model:alice/audited"],
        ["repo.delete", "model:acme/audited"],
      ],
    );
    assert.deepEqual(log[1]!.details, { private: true, wasPrivate: false });
    assert.equal(log[3]!.details.to, "acme/audited");
    const commit = log[2]!;
    assert.match(String(commit.details.commit), /^[0-9a-f]{40}$/);
    assert.equal(commit.details.ref, "refs/heads/main");
    for (const entry of log) {
      assert.equal(entry.clientAddress, "127.0.0.1");
      assert.match(String(entry.requestId), /./);
    }
    const refs = await entries("?action=ref.");
    assert.deepEqual(
      refs.map((entry) => [entry.action, entry.details.ref]),
      [
        ["ref.create", "refs/heads/dev"],
        ["ref.delete", "refs/heads/dev"],
        ["ref.create", "refs/tags/v1"],
      ],
    );
    assert.deepEqual(
      (await entries("?target=model:someone/else")).map((entry) => entry.action),
      ["repo.create", "repo.commit"],
    );
  });

  it("records registry approvals, promotions (also blocked ones) and rollbacks", async () => {
    await importFiles(test.hangar, "acme/weights", tinyClassifierFiles());
    const base = "/v1/registry/models/acme/classifier";
    assert.equal((await call("POST", `${base}/versions`, alice, { repo: "acme/weights" })).status, 201);
    assert.equal((await call("POST", `${base}/versions`, alice, { repo: "acme/weights" })).status, 201);
    assert.equal(
      (await call("PUT", base, test.adminToken, { gates: { approvals: { count: 1 } } })).status,
      200,
    );
    assert.equal((await call("POST", `${base}/aliases/production`, alice, { version: 1 })).status, 409);
    assert.equal((await call("POST", `${base}/versions/1/approvals`, alice, {})).status, 201);
    assert.equal((await call("POST", `${base}/versions/2/approvals`, alice, {})).status, 201);
    assert.equal((await call("POST", `${base}/aliases/production`, alice, { version: 1 })).status, 200);
    assert.equal(
      (await call("POST", `${base}/aliases/production`, alice, { version: 2, reason: "v2" })).status,
      200,
    );
    assert.equal(
      (await call("POST", `${base}/aliases/production/rollback`, alice, { reason: "oops" })).status,
      200,
    );
    const log = await entries("?action=registry.");
    assert.deepEqual(
      log.map((entry) => [entry.action, entry.target, entry.outcome, entry.actor.user]),
      [
        ["registry.register", "registry:acme/classifier", "success", "alice"],
        ["registry.register", "registry:acme/classifier", "success", "alice"],
        ["registry.configure", "registry:acme/classifier", "success", "admin"],
        ["registry.promote", "registry:acme/classifier@production", "denied", "alice"],
        ["registry.approve", "registry:acme/classifier", "success", "alice"],
        ["registry.approve", "registry:acme/classifier", "success", "alice"],
        ["registry.promote", "registry:acme/classifier@production", "success", "alice"],
        ["registry.promote", "registry:acme/classifier@production", "success", "alice"],
        ["registry.rollback", "registry:acme/classifier@production", "success", "alice"],
      ],
    );
    assert.equal(log[3]!.details.gate, "approvals");
    assert.deepEqual([log[8]!.details.from, log[8]!.details.to, log[8]!.details.reason], [2, 1, "oops"]);
  });

  it("answers admins only, filters by time and pages in chain order", async () => {
    assert.equal((await call("GET", "/v1/audit", alice)).status, 403);
    assert.equal((await call("GET", "/v1/audit", undefined)).status, 401);
    assert.equal((await call("GET", "/v1/audit?since=yesterday", test.adminToken)).status, 400);
    assert.equal((await call("GET", "/v1/audit?colour=red", test.adminToken)).status, 400);
    const all = await entries("?limit=1000");
    assert.deepEqual(
      all.map((entry) => entry.seq),
      all.map((_, index) => index + 1),
    );
    const first = await call("GET", "/v1/audit?limit=3", test.adminToken);
    assert.equal(first.body.next, 3);
    const second = await entries("?limit=3&after=3");
    assert.deepEqual(
      second.map((entry) => entry.seq),
      [4, 5, 6],
    );
    const middle = all[5]!.time;
    assert.ok((await entries(`?until=${encodeURIComponent(middle)}`)).every((entry) => entry.time <= middle));
    assert.ok((await entries(`?since=${encodeURIComponent(middle)}`)).every((entry) => entry.time >= middle));
    assert.deepEqual(await entries("?since=2999-01-01T00:00:00Z"), []);
    const listed = await runCli(["audit", "list", "--action", "token.", ...home()]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      /^seq +time +actor +action +target +outcome +address\n3 +\S+ +hangar \(token 0\) +token\.create/,
    );
  });

  it("exports JSON Lines and verifies an intact chain", async () => {
    const exported = await runCli(["audit", "export", ...home()]);
    assert.equal(exported.code, 0, exported.stderr);
    const lines = exported.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditEntry);
    assert.deepEqual(lines, await entries("?limit=1000"));
    const file = join(test.home, "audit.jsonl");
    assert.equal((await runCli(["audit", "export", "--output", file, ...home()])).code, 0);
    assert.equal(await readFile(file, "utf8"), exported.stdout);
    const verified = await verify();
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(
      verified.stdout,
      new RegExp(`^The audit log is intact: ${lines.length} entries, head [0-9a-f]{64}\\n$`),
    );
  });

  it("refuses UPDATE and DELETE on the log", () => {
    const db = new Database(database);
    try {
      assert.throws(() => db.exec("UPDATE audit_log SET outcome = 'success' WHERE seq = 6"), /append-only/);
      assert.throws(() => db.exec("DELETE FROM audit_log WHERE seq = 6"), /append-only/);
    } finally {
      db.close();
    }
  });

  it("names the first entry altered, removed or reordered, and exits 1", async () => {
    const original = new Database(database, { readonly: true });
    const row = original.prepare("SELECT * FROM audit_log WHERE seq = 4").get() as Record<string, unknown>;
    const count = (original.prepare("SELECT COUNT(*) AS n FROM audit_log").get() as { n: number }).n;
    original.close();

    tamper(database, [
      'UPDATE audit_log SET details = \'{"user":"mallory","role":"read","name":"x"}\' WHERE seq = 4',
    ]);
    let result = await verify();
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /^The audit log is broken at entry 4: entry 4 \(token\.create on token:\d+ at .+\) was altered/,
    );
    tamper(database, [`UPDATE audit_log SET details = '${String(row.details)}' WHERE seq = 4`]);
    assert.equal((await verify()).code, 0);

    // Removing an entry: the gap names it; removing the last one: the head row does.
    tamper(database, ["DELETE FROM audit_log WHERE seq = 4"]);
    result = await verify();
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /broken at entry 4: entry 4 was removed: the chain goes from entry 3 to entry 5/,
    );
    const columns = Object.keys(row);
    tamper(database, [
      `INSERT INTO audit_log (${columns.join(", ")}) VALUES (${columns.map((column) => (row[column] === null ? "NULL" : typeof row[column] === "number" ? row[column] : `'${String(row[column]).replaceAll("'", "''")}'`)).join(", ")})`,
    ]);
    assert.equal((await verify()).code, 0);
    const lastRow = new Database(database, { readonly: true })
      .prepare("SELECT * FROM audit_log WHERE seq = ?")
      .get(count) as Record<string, unknown>;
    tamper(database, [`DELETE FROM audit_log WHERE seq = ${count}`]);
    result = await verify();
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      new RegExp(`entries ${count} to ${count} were removed from the end of the chain`),
    );
    tamper(database, [
      `INSERT INTO audit_log (${columns.join(", ")}) VALUES (${columns.map((column) => (lastRow[column] === null ? "NULL" : typeof lastRow[column] === "number" ? lastRow[column] : `'${String(lastRow[column]).replaceAll("'", "''")}'`)).join(", ")})`,
    ]);
    assert.equal((await verify()).code, 0);

    // Reordering two entries (their positions swapped): the first one out of place is named.
    const swap = (a: number, b: number) => [
      `UPDATE audit_log SET seq = -1 WHERE seq = ${a}`,
      `UPDATE audit_log SET seq = ${a} WHERE seq = ${b}`,
      `UPDATE audit_log SET seq = ${b} WHERE seq = -1`,
    ];
    tamper(database, swap(5, 6));
    result = await verify();
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /broken at entry 5: entry 5 \(auth\.failed on auth:token at .+\) does not follow entry 4/,
    );
    const json = await runCli(["audit", "verify", "--json", ...home()]);
    assert.equal(json.code, 1);
    assert.deepEqual(
      (JSON.parse(json.stdout) as { ok: boolean; firstBreak: { seq: number; problem: string } }).firstBreak
        .problem,
      "reordered",
    );
    tamper(database, swap(5, 6));
    assert.equal((await verify()).code, 0);
  });
});
