import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addOrgMember, createOrg } from "../../src/hub/accounts/manage-accounts.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** A GET as huggingface_hub sends it (with or without its token); the JSON body. */
async function pyGet(hub: TestHangar, path: string, token?: string) {
  const response = await fetch(`${hub.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.status,
    code: response.headers.get("x-error-code"),
    json: (await response.json()) as unknown,
  };
}

describe("user and organisation pages (overview, members, followers, following)", () => {
  let hub: TestHangar;
  let alice: string;
  let bob: string;
  before(async () => {
    hub = await startTestHangar();
    alice = await hub.addUser("alice", "write");
    bob = await hub.addUser("bob", "write");
    await createOrg(hub.hangar, { name: "acme", fullname: "Acme Research" });
    await addOrgMember(hub.hangar, { org: "acme", user: "alice", role: "admin" });
    await addOrgMember(hub.hangar, { org: "acme", user: "bob", role: "read" });
    await importFiles(hub.hangar, "alice/one", { "config.json": "{}" });
    await importFiles(hub.hangar, "alice/two", { "config.json": "{}" });
    await importFiles(hub.hangar, "alice/hidden", { "config.json": "{}" }, { private: true });
    await importFiles(hub.hangar, "alice/table", { "a.csv": "x\n" }, { type: "dataset" });
    await importFiles(hub.hangar, "acme/model", { "config.json": "{}" });
    await fetch(`${hub.url}/api/models/alice/one/like`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}` },
    });
    for (const target of ["users/alice", "organizations/acme"]) {
      const response = await fetch(`${hub.url}/api/${target}/follow`, {
        method: "POST",
        headers: { authorization: `Bearer ${bob}` },
      });
      assert.equal(response.status, 200);
    }
  });
  after(() => hub.close());

  it("shows a user's overview as huggingface_hub's get_user_overview reads it", async () => {
    const overview = await pyGet(hub, "/api/users/alice/overview", bob);
    assert.equal(overview.status, 200);
    const user = overview.json as Record<string, unknown>;
    assert.deepEqual(
      [
        user.user,
        user.type,
        user.numModels,
        user.numDatasets,
        user.numSpaces,
        user.numLikes,
        user.numFollowers,
        user.numFollowing,
        user.isFollowing,
      ],
      ["alice", "user", 2, 1, 0, 1, 1, 0, true],
      "the private model is not counted",
    );
    assert.deepEqual(
      (user.orgs as Array<{ name: string; fullname: string }>).map((org) => [org.name, org.fullname]),
      [["acme", "Acme Research"]],
    );
    assert.match(user.avatarUrl as string, /^http:\/\/127\.0\.0\.1:\d+\/avatars\/alice$/);
    const missing = await pyGet(hub, "/api/users/nobody/overview");
    assert.equal(missing.status, 404);
    const org = await pyGet(hub, "/api/users/acme/overview");
    assert.equal(org.status, 404, "an organisation is not a user");
  });

  it("shows an organisation's overview, members and followers", async () => {
    const overview = (await pyGet(hub, "/api/organizations/acme/overview")).json as Record<string, unknown>;
    assert.deepEqual(
      [
        overview.name,
        overview.fullname,
        overview.type,
        overview.numUsers,
        overview.numModels,
        overview.numFollowers,
      ],
      ["acme", "Acme Research", "org", 2, 1, 1],
    );
    const anonymous = (await pyGet(hub, "/api/organizations/acme/members")).json as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      anonymous.map((member) => [member.user, member.type, member.role]),
      [
        ["alice", "user", undefined],
        ["bob", "user", undefined],
      ],
      "roles are for members' eyes",
    );
    const asMember = (await pyGet(hub, "/api/organizations/acme/members", bob)).json as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      asMember.map((member) => [member.user, member.role]),
      [
        ["alice", "admin"],
        ["bob", "read"],
      ],
    );
    const followers = (await pyGet(hub, "/api/organizations/acme/followers")).json as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      followers.map((follower) => follower.user),
      ["bob"],
    );
  });

  it("lists a user's followers and following, and follows can be taken back", async () => {
    const followers = (await pyGet(hub, "/api/users/alice/followers")).json as Array<{ user: string }>;
    assert.deepEqual(
      followers.map((entry) => entry.user),
      ["bob"],
    );
    const following = (await pyGet(hub, "/api/users/bob/following")).json as Array<{
      user: string;
      type: string;
    }>;
    assert.deepEqual(
      following.map((entry) => [entry.user, entry.type]),
      [
        ["alice", "user"],
        ["acme", "org"],
      ],
    );
    await fetch(`${hub.url}/api/users/alice/follow`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${bob}` },
    });
    assert.deepEqual((await pyGet(hub, "/api/users/alice/followers")).json, []);
    const self = await fetch(`${hub.url}/api/users/alice/follow`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}` },
    });
    assert.equal(self.status, 400);
  });
});
