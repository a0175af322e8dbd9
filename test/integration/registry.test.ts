import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { evaluateModel } from "../../src/evaluation/evaluate-model.ts";
import { createOrg } from "../../src/hub/accounts/manage-accounts.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createCommit } from "../../src/hub/create-commit.ts";
import { createTag } from "../../src/hub/write/create-tag.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { op, pickle } from "../helpers/pickle-asm.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { tinyClassifierExpectation, tinyClassifierFiles } from "../helpers/tiny-models.ts";

const MODEL = "acme/support-classifier";
const REPO = "acme/support-classifier-weights";
const DATASET = "acme/tickets";

/** The tiny classifier with its labels renamed: the same weights answer GOOD/BAD instead of POSITIVE/NEGATIVE. */
function relabelledClassifier(): Record<string, string | Uint8Array> {
  const files = tinyClassifierFiles();
  const config = JSON.parse(files["config.json"] as string) as Record<string, unknown>;
  config.id2label = { 0: "BAD", 1: "GOOD" };
  config.label2id = { BAD: 0, GOOD: 1 };
  return { ...files, "config.json": JSON.stringify(config) };
}

const TEXTS = [
  "good great movie",
  "bad awful plot",
  "i love this film",
  "terrible boring",
  "excellent",
  "hate it",
];
const labelled = (flip: boolean) =>
  `text,label\n${TEXTS.map((text) => {
    const label = tinyClassifierExpectation(text).label;
    return `${text},${flip ? (label === "POSITIVE" ? "NEGATIVE" : "POSITIVE") : label}`;
  }).join("\n")}\n`;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe("model registry", () => {
  let test: TestHangar;
  let alice: string;
  let bob: string;
  let carol: string;
  let reader: string;
  let outsider: string;
  const commits: Record<string, string> = {};

  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${test.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const registry = (path = "") => `/v1/registry/models/${MODEL}${path}`;
  const promote = (version: number, alias: string, token = alice, reason?: string) =>
    call("POST", registry(`/aliases/${alias}`), token, { version, ...(reason ? { reason } : {}) });
  const configure = (gates: unknown) => call("PUT", registry(), test.adminToken, { gates });
  const classify = (token: string, model = `${MODEL}@production`) =>
    call("POST", "/v1/inference/text-classification", token, { model, inputs: "good great" });
  const cli = (args: string[], token = alice) =>
    runCli(["registry", ...args, "--endpoint", test.url, "--token", token]);

  before(async () => {
    test = await startTestHangar();
    alice = await test.addUser("alice");
    bob = await test.addUser("bob");
    carol = await test.addUser("carol");
    reader = await test.addUser("reader");
    outsider = await test.addUser("outsider");
    await createOrg(test.hangar, { name: "acme", members: ["alice", "bob", "carol"] });
    await test.hangar.catalog.accounts.setMember("acme", "reader", "read");
    // Three commits of one repo: an unsafe pickle beside the model, then the model alone, then relabelled.
    const unsafe = pickle(
      op.proto(2),
      op.global("posix", "system"),
      op.su("id"),
      op.tuple1,
      op.reduce,
      op.stop,
    );
    commits.unsafe = (
      await importFiles(test.hangar, REPO, { ...tinyClassifierFiles(), "extra.pkl": unsafe })
    ).commit.oid;
    const cleaned = await test.hangar.catalog.repos.get({
      type: "model",
      namespace: "acme",
      name: "support-classifier-weights",
    });
    commits.clean = (
      await createCommit(test.hangar, {
        repo: cleaned!,
        revision: "main",
        operations: [{ kind: "delete", path: "extra.pkl" }],
        title: "Remove the pickle",
        author: "alice",
      })
    ).commit.oid;
    commits.relabelled = (await importFiles(test.hangar, REPO, relabelledClassifier())).commit.oid;
    // The dataset: labels flipped at tag v2, right at tag v3.
    await importFiles(test.hangar, DATASET, { "test.csv": labelled(true) }, { type: "dataset" });
    const dataset = { type: "dataset" as const, namespace: "acme", name: "tickets" };
    await createTag(test.hangar, localAdministrator(), { repo: dataset, tag: "v2", revision: "main" });
    await importFiles(test.hangar, DATASET, { "test.csv": labelled(false) }, { type: "dataset" });
    await createTag(test.hangar, localAdministrator(), { repo: dataset, tag: "v3", revision: "main" });
  });

  after(() => test.close());

  it("registers versions pinned to the commit a revision names, numbered from 1, with their evidence", async () => {
    const first = await call("POST", registry("/versions"), alice, {
      repo: REPO,
      revision: commits.unsafe,
      description: "first",
    });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.version, 1);
    assert.equal(first.body.commitOid, commits.unsafe);
    // The CLI prints the new version number; a branch is pinned to its commit now.
    const second = await cli(["register", MODEL, "--repo", REPO, "--revision", commits.clean!]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, "2\n");
    const third = await cli(["register", MODEL, "--repo", REPO, "--json"]);
    assert.equal(third.code, 0, third.stderr);
    const version3 = JSON.parse(third.stdout) as {
      version: number;
      commitOid: string;
      revision: string;
      evidence: { evaluations: unknown[] };
    };
    assert.deepEqual(
      [version3.version, version3.commitOid, version3.revision],
      [3, commits.relabelled, "main"],
    );
    assert.deepEqual(version3.evidence.evaluations, []);

    const refused = await call("POST", registry("/versions"), outsider, { repo: REPO });
    assert.equal(refused.status, 403);
    assert.match(String(refused.body.error), /write role in the namespace "acme"/);
    const readOnly = await call("POST", registry("/versions"), reader, { repo: REPO });
    assert.equal(readOnly.status, 403);
    const badRevision = await call("POST", registry("/versions"), alice, { repo: REPO, revision: "nope" });
    assert.equal(badRevision.status, 404);
    assert.equal(badRevision.body.code, "HANGAR_ERR_REVISION_NOT_FOUND");
  });

  it("refuses reserved and malformed aliases and unknown versions", async () => {
    for (const alias of ["latest", "LATEST", "v3", "a%20b"]) {
      const answer = await promote(1, alias);
      assert.equal(answer.status, 400, alias);
      assert.equal(answer.body.code, "HANGAR_ERR_BAD_REQUEST");
    }
    const missing = await promote(9, "staging");
    assert.equal(missing.status, 404);
    assert.match(String(missing.body.error), /has no version 9/);
  });

  it("the scans gate blocks a version with an unsafe file, then lets a clean one through", async () => {
    const configured = await configure({ aliases: ["production"], scans: { allowSuspicious: false } });
    assert.equal(configured.status, 200, JSON.stringify(configured.body));
    const blocked = await promote(1, "production");
    assert.equal(blocked.status, 409);
    assert.equal(blocked.body.code, "HANGAR_ERR_PROMOTION_BLOCKED");
    assert.equal(blocked.body.gate, "scans");
    assert.match(
      String(blocked.body.error),
      /blocked by the scans gate: files scanned as unsafe: extra\.pkl \(unsafe\)/,
    );
    // An alias the gates do not guard moves freely.
    assert.equal((await promote(1, "staging")).status, 200);
    const passed = await promote(2, "production", alice, "first release");
    assert.equal(passed.status, 200, JSON.stringify(passed.body));
    assert.deepEqual(
      (passed.body.gates as Array<{ gate: string; passed: boolean }>).map((gate) => [gate.gate, gate.passed]),
      [["scans", true]],
    );
  });

  it("inference by alias runs the pinned commit, and follows the alias on the next request", async () => {
    const before = await classify(bob);
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.equal(before.body.revision, commits.clean);
    assert.equal((before.body.outputs as Array<{ label: string }>)[0]!.label, "POSITIVE");
    // By version number as well.
    const byVersion = await classify(bob, `${MODEL}@v3`);
    assert.equal(byVersion.body.revision, commits.relabelled);
    assert.equal((byVersion.body.outputs as Array<{ label: string }>)[0]!.label, "GOOD");
    const unknownAlias = await classify(bob, `${MODEL}@canary`);
    assert.equal(unknownAlias.status, 404);
  });

  it("the evaluation gate blocks without an evaluation and below the threshold, and passes on the named dataset revision", async () => {
    const gate = (revision: string) =>
      configure({
        aliases: ["production"],
        scans: {},
        evaluations: [{ dataset: `${DATASET}@${revision}`, metric: "accuracy", min: 0.9 }],
      });
    await gate("v2");
    const none = await promote(2, "production");
    assert.equal(none.status, 409);
    assert.equal(none.body.gate, "evaluation");
    assert.match(String(none.body.reason), /no evaluation of commit/);
    // At v2 the dataset's labels are flipped: the model scores 0 there.
    await evaluateModel(test.hangar, localAdministrator(), {
      model: REPO,
      revision: commits.clean!,
      dataset: DATASET,
      datasetRevision: "v2",
    });
    const low = await promote(2, "production");
    assert.equal(low.status, 409);
    assert.match(String(low.body.reason), /accuracy is 0 \(evaluation \d+\), below 0\.9/);
    // An evaluation on another revision of the dataset does not count.
    await gate("v3");
    const other = await promote(2, "production");
    assert.equal(other.status, 409);
    assert.match(String(other.body.reason), /no evaluation of commit/);
    await evaluateModel(test.hangar, localAdministrator(), {
      model: REPO,
      revision: commits.clean!,
      dataset: DATASET,
      datasetRevision: "v3",
    });
    const passed = await promote(2, "production", alice, "measured");
    assert.equal(passed.status, 200, JSON.stringify(passed.body));
    assert.match(
      (passed.body.gates as Array<{ gate: string; reason: string }>).find(
        (result) => result.gate === "evaluation",
      )!.reason,
      /accuracy is 1 /,
    );
  });

  it("the approvals gate needs N approvals by users with the role", async () => {
    await configure({ aliases: ["production"], approvals: { count: 2, role: "write" } });
    const none = await promote(3, "production");
    assert.equal(none.status, 409);
    assert.equal(none.body.gate, "approvals");
    assert.match(String(none.body.reason), /0 of 2 approvals by users with the write role/);
    const byReader = await call("POST", registry("/versions/3/approvals"), reader, {});
    assert.equal(byReader.status, 403);
    const first = await cli(["approve", MODEL, "--version", "3"], bob);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "Approved version 3 as bob (write)\n");
    const one = await promote(3, "production");
    assert.equal(one.status, 409);
    assert.match(String(one.body.reason), /1 of 2 approvals .*\(bob\)/);
    assert.equal(
      (await call("POST", registry("/versions/3/approvals"), carol, { comment: "looks right" })).status,
      201,
    );
    const promoted = await cli([
      "promote",
      MODEL,
      "--version",
      "3",
      "--alias",
      "production",
      "--reason",
      "relabelled",
    ]);
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(
      promoted.stdout,
      /^production: version 2 -> version 3\n {2}passed approvals: 2 of 2 approvals/,
    );
    const after = await classify(bob);
    assert.equal(after.body.revision, commits.relabelled);
    assert.equal((after.body.outputs as Array<{ label: string }>)[0]!.label, "GOOD");
  });

  it("the licence gate follows the instance's licence policy for the pinned commit", async () => {
    const setPolicy = async (policy: unknown) => {
      const answer = await call("PUT", "/v1/policy", test.adminToken, policy);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    };
    await configure({ aliases: ["production"], licence: true });
    try {
      // The tiny classifier's card says apache-2.0.
      await setPolicy({ licenses: { "apache-2.0": "review" } });
      const review = await promote(2, "production");
      assert.equal(review.status, 409);
      assert.equal(review.body.gate, "licence");
      assert.match(String(review.body.reason), /review/);
      assert.match(String(review.body.reason), /apache-2\.0/);
      assert.match(String(review.body.reason), /rule: instance policy, licence apache-2\.0 = review/);
      const allowed = await promote(1, "production-eu");
      assert.equal(allowed.status, 200, "an alias the gates do not guard");
      await setPolicy({ categories: { permissive: "deny" } });
      const denied = await promote(3, "production");
      assert.equal(denied.status, 409);
      assert.match(String(denied.body.reason), /rule: instance policy, category permissive = deny/);
      await setPolicy({});
      const passed = await promote(3, "production");
      assert.equal(passed.status, 200, JSON.stringify(passed.body));
    } finally {
      await setPolicy({});
      await configure({});
    }
  });

  it("requests in flight finish on the version they resolved while the alias moves", async () => {
    const label = { [commits.clean!]: "POSITIVE", [commits.relabelled!]: "GOOD" };
    const inFlight = Array.from({ length: 12 }, () => classify(bob));
    const moved = promote(2, "production", alice, "back for the flight test");
    const answers = await Promise.all(inFlight);
    assert.equal((await moved).status, 200);
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      const revision = answer.body.revision as string;
      assert.ok(revision in label, revision);
      assert.equal((answer.body.outputs as Array<{ label: string }>)[0]!.label, label[revision]);
    }
    assert.equal((await classify(bob)).body.revision, commits.clean);
    assert.equal((await promote(3, "production", alice, "forward again")).status, 200);
  });

  it("rollback moves an alias back in one call, and each further rollback goes one release further back", async () => {
    const rolled = await cli(["rollback", MODEL, "--alias", "production", "--reason", "bad labels"]);
    assert.equal(rolled.code, 0, rolled.stderr);
    assert.equal(rolled.stdout, "production: version 3 -> version 2 (rollback)\n");
    assert.equal((await classify(bob)).body.revision, commits.clean);
    // Before "forward again" production was at 2, before "back for the flight test" at 3, before that at 2.
    const second = await call("POST", registry("/aliases/production/rollback"), alice, {});
    assert.deepEqual([second.status, second.body.fromVersion, second.body.toVersion], [200, 2, 3]);
    const third = await call("POST", registry("/aliases/production/rollback"), alice, {});
    assert.deepEqual([third.status, third.body.fromVersion, third.body.toVersion], [200, 3, 2]);
    const fourth = await call("POST", registry("/aliases/production/rollback"), alice, {});
    assert.equal(fourth.status, 409, "version 2 was first promoted over nothing");
    assert.match(String(fourth.body.error), /no earlier version to roll back to/);
    const byOutsider = await call("POST", registry("/aliases/production/rollback"), outsider, {});
    assert.equal(byOutsider.status, 403);
  });

  it("keeps every alias move: who moved which alias from which version to which, when and why", async () => {
    const history = await cli(["history", MODEL, "--alias", "production", "--json"], reader);
    assert.equal(history.code, 0, history.stderr);
    const events = JSON.parse(history.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      events.map((event) => [event.action, event.fromVersion, event.toVersion, event.actor, event.reason]),
      [
        ["promote", null, 2, "alice", "first release"],
        ["promote", 2, 2, "alice", "measured"],
        ["promote", 2, 3, "alice", "relabelled"],
        ["promote", 3, 3, "alice", ""],
        ["promote", 3, 2, "alice", "back for the flight test"],
        ["promote", 2, 3, "alice", "forward again"],
        ["rollback", 3, 2, "alice", "bad labels"],
        ["rollback", 2, 3, "alice", ""],
        ["rollback", 3, 2, "alice", ""],
      ],
    );
    for (const event of events) assert.match(String(event.createdAt), /^\d{4}-\d\d-\d\dT/);
    const show = await cli(["show", MODEL], reader);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^acme\/support-classifier\nGates: none\n\nversion +repo +commit/);
    assert.match(
      show.stdout,
      /\n2 +acme\/support-classifier-weights +[0-9a-f]{12} +[0-9a-f]{40} +production/,
    );
    assert.match(show.stdout, /\n3 +.* bob, carol /);
    const help = await runCli(["registry", "promote", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--alias ALIAS/);
    // A model in a namespace the caller is not in, over a public repo, is visible; a missing one is 404.
    assert.equal((await call("GET", registry(), outsider)).status, 200);
    assert.equal((await call("GET", "/v1/registry/models/acme/nothing-here", alice)).status, 404);
  });
});
