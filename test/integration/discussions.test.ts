import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { commit, createBranch, deleteBranch, downloadFile, uploadFiles } from "@huggingface/hub";
import {
  type ApiEvent,
  type DiscussionsHub,
  hfApi,
  json,
  startDiscussionsHub,
  text,
} from "../helpers/discussions.ts";
import { apiError } from "../helpers/hub-errors.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

/** git's id of a blob, computed here rather than by the code under test. */
function gitBlobId(content: string): string {
  return createHash("sha1")
    .update(`blob ${Buffer.byteLength(content)}\0${content}`)
    .digest("hex");
}

describe("discussions and pull requests (huggingface_hub's routes, @huggingface/hub for commits)", () => {
  let hub: TestHangar;
  let alice: string;
  let bob: string;
  let carol: string;
  let details: DiscussionsHub["details"];
  let makeRepo: DiscussionsHub["makeRepo"];
  before(async () => {
    ({ hub, alice, bob, carol, details, makeRepo } = await startDiscussionsHub());
  });
  after(() => hub.close());

  const mainFile = async (repo: string, path: string): Promise<string | undefined> => {
    const blob = await downloadFile({ repo, path, hubUrl: hub.url, accessToken: alice });
    return blob ? await blob.text() : undefined;
  };

  it("takes a pull request opened by one user, commented on by another, merged by a writer onto main", async () => {
    await makeRepo("collab", { "README.md": "# collab\n", "notes.txt": "one\n" });
    // bob cannot write to alice's repo, but may propose a change, as on the Hub.
    const opened = await commit({
      repo: "alice/collab",
      accessToken: bob,
      hubUrl: hub.url,
      title: "Add a proposal",
      description: "Here is what I propose.",
      isPullRequest: true,
      operations: [{ operation: "addOrUpdate", path: "proposal.txt", content: text("draft 1\n") }],
    });
    assert.equal(opened?.pullRequestUrl, `${hub.url}/alice/collab/discussions/1`);
    const pushed = await commit({
      repo: "alice/collab",
      accessToken: bob,
      hubUrl: hub.url,
      branch: "refs/pr/1",
      title: "Second draft",
      operations: [{ operation: "addOrUpdate", path: "proposal.txt", content: text("draft 2\n") }],
    });
    // carol is not the author: the pull request's ref is not hers to move.
    const intruder = await apiError(
      commit({
        repo: "alice/collab",
        accessToken: carol,
        hubUrl: hub.url,
        branch: "refs/pr/1",
        title: "Not mine",
        operations: [{ operation: "addOrUpdate", path: "proposal.txt", content: text("carol\n") }],
      }),
    );
    assert.equal(intruder.statusCode, 403);

    const comment = await json<{ newMessage: ApiEvent }>(
      await hfApi(hub, "POST", "/api/models/alice/collab/discussions/1/comment", carol, {
        comment: "Looks good to me",
      }),
    );
    assert.equal(comment.newMessage.type, "comment");
    assert.equal(comment.newMessage.author.name, "carol");
    assert.equal(comment.newMessage.data.latest?.raw, "Looks good to me");
    assert.match(comment.newMessage.id, /^[0-9a-f]{24}$/);

    const before = await details("alice/collab", 1);
    assert.equal(before.isPullRequest, true);
    assert.equal(before.status, "open");
    assert.equal(before.title, "Add a proposal");
    assert.equal(before.author.name, "bob");
    assert.deepEqual(before.repo, { name: "alice/collab", type: "model" });
    assert.deepEqual(before.changes, { base: "refs/heads/main" });
    assert.deepEqual(before.filesWithConflicts, []);
    assert.deepEqual(
      before.events.map((event) => [event.type, event.author.name]),
      [
        ["comment", "bob"],
        ["commit", "bob"],
        ["commit", "bob"],
        ["comment", "carol"],
      ],
    );
    assert.equal(before.events[0]!.data.latest?.raw, "Here is what I propose.");
    assert.deepEqual(before.events[2]!.data, { subject: "Second draft", oid: pushed?.commit.oid });
    assert.equal(
      before.diff,
      [
        "diff --git a/proposal.txt b/proposal.txt",
        "new file mode 100644",
        `index 0000000..${gitBlobId("draft 2\n").slice(0, 7)}`,
        "--- /dev/null",
        "+++ b/proposal.txt",
        "@@ -0,0 +1,1 @@",
        "+draft 2",
        "",
      ].join("\n"),
    );

    // A reader of the public repo may not merge; the repo's owner may.
    const refused = await hfApi(hub, "POST", "/api/models/alice/collab/discussions/1/merge", bob);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get("x-error-code"), "Forbidden");
    assert.equal(await mainFile("alice/collab", "proposal.txt"), undefined);

    await json(await hfApi(hub, "POST", "/api/models/alice/collab/discussions/1/merge", alice));
    assert.equal(await mainFile("alice/collab", "proposal.txt"), "draft 2\n");
    assert.equal(await mainFile("alice/collab", "notes.txt"), "one\n");
    const merged = await details("alice/collab", 1);
    const repo = await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "collab" });
    assert.equal(merged.status, "merged");
    assert.equal(merged.changes?.mergeCommitId, repo?.sha);
    assert.deepEqual(merged.events.at(-1)?.data, { status: "merged" });
    assert.equal(merged.events.at(-1)?.author.name, "alice");

    const again = await hfApi(hub, "POST", "/api/models/alice/collab/discussions/1/merge", alice, {
      comment: "once more",
    });
    assert.equal(again.status, 409);
  });

  it("refuses a merge whose files main has changed differently since, and merges one that touches others", async () => {
    await makeRepo("conflicts", { "README.md": "# start\n", "a.txt": "a\n", "b.txt": "b\n" });
    const propose = async (title: string, path: string, content: string) =>
      commit({
        repo: "alice/conflicts",
        accessToken: bob,
        hubUrl: hub.url,
        title,
        isPullRequest: true,
        operations: [{ operation: "addOrUpdate", path, content: text(content) }],
      });
    await propose("Change a", "a.txt", "a by bob\n");
    await propose("Change b", "b.txt", "b by bob\n");
    await uploadFiles({
      repo: "alice/conflicts",
      accessToken: alice,
      hubUrl: hub.url,
      files: [{ path: "a.txt", content: text("a by alice\n") }],
    });

    const conflicting = await details("alice/conflicts", 1);
    assert.deepEqual(conflicting.filesWithConflicts, ["a.txt"]);
    const refused = await hfApi(hub, "POST", "/api/models/alice/conflicts/discussions/1/merge", alice);
    assert.equal(refused.status, 409);
    assert.equal(refused.headers.get("x-error-code"), "Conflict");
    assert.match(refused.headers.get("x-error-message") ?? "", /conflicts with main.*a\.txt/);
    assert.equal(await mainFile("alice/conflicts", "a.txt"), "a by alice\n");
    assert.equal((await details("alice/conflicts", 1)).status, "open");

    // The other pull request changed only b.txt: main's change to a.txt stays, bob's b.txt arrives.
    assert.deepEqual((await details("alice/conflicts", 2)).filesWithConflicts, []);
    await json(
      await hfApi(hub, "POST", "/api/models/alice/conflicts/discussions/2/merge", alice, {
        comment: "Thanks!",
      }),
    );
    assert.equal(await mainFile("alice/conflicts", "a.txt"), "a by alice\n");
    assert.equal(await mainFile("alice/conflicts", "b.txt"), "b by bob\n");
    const merged = await details("alice/conflicts", 2);
    assert.deepEqual(
      merged.events.slice(-2).map((event) => [event.type, event.data.latest?.raw ?? event.data.status]),
      [
        ["comment", "Thanks!"],
        ["status-change", "merged"],
      ],
    );
  });

  it("takes a large file in a pull request from someone who cannot write to the repo, through LFS", async () => {
    await makeRepo("weights", { "README.md": "# weights\n" });
    const weights = randomBytes(64 * 1024);
    weights[0] = 0; // binary: preupload sends it through LFS
    const opened = await commit({
      repo: "alice/weights",
      accessToken: bob,
      hubUrl: hub.url,
      title: "Add weights",
      isPullRequest: true,
      operations: [{ operation: "addOrUpdate", path: "model.bin", content: new Blob([weights]) }],
    });
    assert.equal(opened?.pullRequestUrl, `${hub.url}/alice/weights/discussions/1`);
    const diff = (await details("alice/weights", 1)).diff ?? "";
    assert.match(diff, new RegExp(`\\+oid sha256:${createHash("sha256").update(weights).digest("hex")}`));
    await json(await hfApi(hub, "POST", "/api/models/alice/weights/discussions/1/merge", alice));
    const merged = await downloadFile({ repo: "alice/weights", path: "model.bin", hubUrl: hub.url });
    assert.deepEqual(Buffer.from(await merged!.arrayBuffer()), weights);
  });

  it("targets the branch create_pr started from, and still shows the pull request once that branch is gone", async () => {
    await makeRepo("branches", { "README.md": "# branches\n" });
    await createBranch({ repo: "alice/branches", branch: "dev", accessToken: alice, hubUrl: hub.url });
    await commit({
      repo: "alice/branches",
      accessToken: bob,
      hubUrl: hub.url,
      branch: "dev",
      title: "For dev",
      isPullRequest: true,
      operations: [{ operation: "addOrUpdate", path: "dev.txt", content: text("dev\n") }],
    });
    const open = await details("alice/branches", 1);
    assert.deepEqual(open.changes, { base: "refs/heads/dev" });
    assert.match(open.diff ?? "", /\+\+\+ b\/dev\.txt/);
    await deleteBranch({ repo: "alice/branches", branch: "dev", accessToken: alice, hubUrl: hub.url });
    const orphan = await details("alice/branches", 1);
    assert.equal(orphan.title, "For dev");
    assert.deepEqual(orphan.filesWithConflicts, []);
    assert.equal(orphan.diff, undefined);
    const merge = await hfApi(hub, "POST", "/api/models/alice/branches/discussions/1/merge", alice);
    assert.equal(merge.status, 404);
    assert.equal(merge.headers.get("x-error-code"), "RevisionNotFound");
  });
});
