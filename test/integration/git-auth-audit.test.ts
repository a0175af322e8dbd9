import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFile } from "@huggingface/hub";
import type { AuditEntry } from "../../src/governance/audit/index.ts";
import { GitClient } from "../helpers/git-client.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/**
 * git sends a token as HTTP Basic credentials. Those authentications are audited as bearer tokens are: every
 * failure, and one sign-in per token and address (not one per request of a clone), and are throttled alike.
 */
describe("git's HTTP Basic sign-ins in the audit log", () => {
  const maxFailures = 3;
  let hub: TestHangar;
  let git: GitClient;
  let removeGit: () => Promise<void>;
  let alice: string;
  /** A token only git uses: the one that made the repo signed in already (a sign-in is per token and address). */
  let gitToken: string;
  const withToken = (token: string) => hub.url.replace("://", `://alice:${token}@`);
  const wrong = (n: number) => `hf_wrong_git_token_${n}_0123456789abcdefghij`;

  /** The sign-in entries git's credentials made (the admin's reads of the log are bearer sign-ins). */
  const gitEntries = async (): Promise<AuditEntry[]> => {
    const response = await fetch(`${hub.url}/v1/audit?action=auth.&limit=1000`, {
      headers: { authorization: `Bearer ${hub.adminToken}` },
    });
    assert.equal(response.status, 200);
    const { entries } = (await response.json()) as { entries: AuditEntry[] };
    return entries.filter((entry) => entry.details.scheme === "basic");
  };

  before(async () => {
    hub = await startTestHangar({ authThrottle: { maxFailures } });
    alice = await hub.addUser("alice", "write");
    await createRepo({ repo: "alice/secret", accessToken: alice, hubUrl: hub.url, private: true });
    await uploadFile({
      repo: "alice/secret",
      file: { path: "notes.txt", content: new Blob(["private notes"]) },
      accessToken: alice,
      hubUrl: hub.url,
    });
    gitToken = await hub.addUser("alice", "read");
    ({ client: git, remove: removeGit } = await GitClient.create());
  });
  after(async () => {
    await removeGit();
    await hub.close();
  });

  it("records one sign-in for a token's clones and fetches from an address, not one per request", async () => {
    const folder = git.folder();
    await git.ok(["clone", "-q", `${withToken(gitToken)}/alice/secret`, folder]);
    await git.ok(["fetch", "-q", "origin"], { cwd: folder });
    await git.ok(["clone", "-q", `${withToken(gitToken)}/alice/secret`, git.folder()]);
    const entries = await gitEntries();
    assert.deepEqual(
      entries.map((entry) => [
        entry.action,
        entry.target,
        entry.actor.user,
        entry.outcome,
        entry.clientAddress,
      ]),
      [["auth.sign_in", "user:alice", "alice", "success", "127.0.0.1"]],
    );
    assert.equal(typeof entries[0]!.actor.tokenId, "number");
    assert.ok(!JSON.stringify(entries).includes(gitToken), "the token is not in the log");
  });

  it("records every failed one, then throttles the address as it does bearer tokens", async () => {
    for (let attempt = 1; attempt <= maxFailures; attempt++) {
      const refused = await git.run([
        "clone",
        "-q",
        `${withToken(wrong(attempt))}/alice/secret`,
        git.folder(),
      ]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /Authentication failed/, refused.stderr);
    }
    const failures = (await gitEntries()).filter((entry) => entry.action === "auth.failed");
    assert.deepEqual(
      failures.map((entry) => [entry.target, entry.actor.user, entry.outcome, entry.clientAddress]),
      Array.from({ length: maxFailures }, () => ["auth:token", null, "failure", "127.0.0.1"]),
    );
    assert.ok(
      failures.every((entry) => entry.requestId),
      "each names its request",
    );
    assert.ok(!JSON.stringify(failures).includes("hf_wrong_git_token"), "no guessed token is in the log");

    // The address is now refused for unknown tokens, whichever way they are sent...
    const throttled = await git.run(["clone", "-q", `${withToken(wrong(99))}/alice/secret`, git.folder()]);
    assert.notEqual(throttled.code, 0);
    assert.match(throttled.stderr, /429/, throttled.stderr);
    // ...but the token that signed in from it before keeps working.
    await git.ok(["clone", "-q", `${withToken(gitToken)}/alice/secret`, git.folder()]);
  });
});
