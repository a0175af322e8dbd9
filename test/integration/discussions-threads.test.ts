// Discussions as huggingface_hub uses them: opening, listing, comments, titles, statuses, who may do what.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo } from "@huggingface/hub";
import {
  type ApiEvent,
  type DiscussionsHub,
  hfApi,
  json,
  startDiscussionsHub,
} from "../helpers/discussions.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("discussion threads (huggingface_hub's routes)", () => {
  let hub: TestHangar;
  let alice: string;
  let bob: string;
  let carol: string;
  let bobRead: string;
  let details: DiscussionsHub["details"];
  let makeRepo: DiscussionsHub["makeRepo"];
  before(async () => {
    ({ hub, alice, bob, carol, details, makeRepo } = await startDiscussionsHub());
    bobRead = await hub.addUser("bob", "read");
  });
  after(() => hub.close());

  it("opens discussions and draft pull requests, and lists them with filters and pages", async () => {
    await makeRepo("board", { "README.md": "# board\n" });
    const open = async (token: string, title: string, pullRequest: boolean) =>
      json<{ num: number; url: string }>(
        await hfApi(hub, "POST", "/api/models/alice/board/discussions", token, {
          title,
          description: `${title}, opened with the huggingface_hub Python library`,
          pullRequest,
        }),
      );
    const question = await open(bob, "A question", false);
    assert.deepEqual(question, { num: 1, url: `${hub.url}/alice/board/discussions/1` });
    const draft = await open(alice, "A draft", true);
    assert.equal(draft.num, 2);
    const draftDetails = await details("alice/board", 2);
    assert.equal(draftDetails.status, "draft");
    assert.equal(draftDetails.diff, "");
    const refs = await json<{ pullRequests: Array<{ ref: string }> }>(
      await hfApi(hub, "GET", "/api/models/alice/board/refs?include_prs=1", undefined),
    );
    assert.deepEqual(
      refs.pullRequests.map((ref) => ref.ref),
      ["refs/pr/2"],
    );
    for (let index = 0; index < 50; index++) await open(carol, `Idea ${index}`, false);
    await json(
      await hfApi(hub, "POST", "/api/models/alice/board/discussions/1/status", bob, { status: "closed" }),
    );

    type Page = {
      discussions: Array<{ num: number; isPullRequest: boolean; status: string; author: { name: string } }>;
      count: number;
      start: number;
    };
    const list = async (query: string) =>
      json<Page>(await hfApi(hub, "GET", `/api/models/alice/board/discussions${query}`, undefined));
    const first = await list("");
    assert.equal(first.count, 52);
    assert.equal(first.start, 0);
    assert.equal(first.discussions.length, 50);
    assert.equal(first.discussions[0]!.num, 52);
    const second = await list("?p=1");
    assert.deepEqual(
      second.discussions.map((entry) => entry.num),
      [2, 1],
    );
    assert.equal(second.start, 50);
    const pulls = await list("?type=pull_request");
    assert.deepEqual(
      pulls.discussions.map((entry) => [entry.num, entry.status]),
      [[2, "draft"]],
    );
    const closed = await list("?type=discussion&status=closed");
    assert.deepEqual(
      closed.discussions.map((entry) => [entry.num, entry.author.name]),
      [[1, "bob"]],
    );
    assert.equal((await list("?status=open")).count, 51);
    assert.deepEqual(
      (await list("?author=alice")).discussions.map((entry) => entry.num),
      [2],
    );
    const badFilter = await hfApi(hub, "GET", "/api/models/alice/board/discussions?type=issues", undefined);
    assert.equal(badFilter.status, 400);
  });

  it("lets authors edit their comments and close their discussions; writers hide comments and close any", async () => {
    await makeRepo("talk", { "README.md": "# talk\n" });
    const opened = await json<{ num: number }>(
      await hfApi(hub, "POST", "/api/models/alice/talk/discussions", bob, {
        title: "Typo",
        pullRequest: false,
      }),
    );
    const base = `/api/models/alice/talk/discussions/${opened.num}`;
    const posted = await json<{ newMessage: ApiEvent }>(
      await hfApi(hub, "POST", `${base}/comment`, bob, { comment: "There is a typo" }),
    );
    const commentId = posted.newMessage.id;

    const othersEdit = await hfApi(hub, "POST", `${base}/comment/${commentId}/edit`, alice, {
      content: "no",
    });
    assert.equal(othersEdit.status, 403);
    const edited = await json<{ updatedComment: ApiEvent }>(
      await hfApi(hub, "POST", `${base}/comment/${commentId.toUpperCase()}/edit`, bob, {
        content: "There is a typo in the README",
      }),
    );
    assert.equal(edited.updatedComment.data.edited, true);
    assert.equal(edited.updatedComment.data.numEdits, 1);
    assert.equal(edited.updatedComment.data.latest?.raw, "There is a typo in the README");

    const carolHides = await hfApi(hub, "POST", `${base}/comment/${commentId}/hide`, carol);
    assert.equal(carolHides.status, 403);
    const hidden = await json<{ updatedComment: ApiEvent }>(
      await hfApi(hub, "POST", `${base}/comment/${commentId}/hide`, alice),
    );
    assert.equal(hidden.updatedComment.data.hidden, true);
    assert.equal(hidden.updatedComment.data.latest?.raw, "");
    const stored = (await details("alice/talk", opened.num)).events.find((event) => event.id === commentId);
    assert.equal(stored?.data.latest?.raw, "");
    assert.equal(JSON.stringify(stored).includes("typo"), false, "nothing of the hidden text is served");

    const carolRenames = await hfApi(hub, "POST", `${base}/title`, carol, { title: "Mine now" });
    assert.equal(carolRenames.status, 403);
    const renamed = await json<{ newTitle: ApiEvent }>(
      await hfApi(hub, "POST", `${base}/title`, bob, { title: "Typo in the README" }),
    );
    assert.deepEqual(renamed.newTitle.data, { from: "Typo", to: "Typo in the README" });

    const carolCloses = await hfApi(hub, "POST", `${base}/status`, carol, { status: "closed" });
    assert.equal(carolCloses.status, 403);
    const closed = await json<{ newStatus: ApiEvent }>(
      await hfApi(hub, "POST", `${base}/status`, bob, { status: "closed", comment: "Fixed elsewhere" }),
    );
    assert.deepEqual(closed.newStatus.data, { status: "closed" });
    const reopened = await json<{ newStatus: ApiEvent }>(
      await hfApi(hub, "POST", `${base}/status`, alice, { status: "open" }),
    );
    assert.equal(reopened.newStatus.author.name, "alice");
    const after = await details("alice/talk", opened.num);
    assert.equal(after.title, "Typo in the README");
    assert.equal(after.status, "open");
    assert.deepEqual(
      after.events.map((event) => event.type),
      ["comment", "title-change", "comment", "status-change", "status-change"],
    );

    // A read token reads but does not take part; nobody anonymous does either; a missing number is 404.
    assert.equal((await hfApi(hub, "GET", base, bobRead)).status, 200);
    assert.equal((await hfApi(hub, "POST", `${base}/comment`, bobRead, { comment: "hi" })).status, 403);
    assert.equal((await hfApi(hub, "POST", `${base}/comment`, undefined, { comment: "hi" })).status, 401);
    const missing = await hfApi(hub, "GET", "/api/models/alice/talk/discussions/99", undefined);
    assert.equal(missing.status, 404);
    const merge = await hfApi(hub, "POST", `${base}/merge`, alice);
    assert.equal(merge.status, 400, "a discussion is not a pull request");
  });

  it("keeps private repos' discussions to those who may read them", async () => {
    await createRepo({ repo: "alice/hidden", accessToken: alice, hubUrl: hub.url, private: true });
    await json(
      await hfApi(hub, "POST", "/api/models/alice/hidden/discussions", alice, {
        title: "Internal",
        pullRequest: false,
      }),
    );
    const list = await hfApi(hub, "GET", "/api/models/alice/hidden/discussions", bob);
    assert.equal(list.status, 404);
    assert.equal(list.headers.get("x-error-code"), "RepoNotFound");
    assert.equal((await hfApi(hub, "GET", "/api/models/alice/hidden/discussions/1", undefined)).status, 401);
    const comment = await hfApi(hub, "POST", "/api/models/alice/hidden/discussions/1/comment", bob, {
      comment: "let me in",
    });
    assert.equal(comment.status, 404);
  });
});
