import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { pktLine } from "../../src/git/pkt-line.ts";
import { pullRepo } from "../../src/hub/mirror/pull-repo.ts";
import { GitClient } from "../helpers/git-client.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const WEIGHTS = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 0, 9]);
const WEIGHTS_OID = createHash("sha256").update(WEIGHTS).digest("hex");

const basic = (token: string) => `Basic ${Buffer.from(`git:${token}`).toString("base64")}`;

describe("git and Git LFS endpoints: access, signed downloads, bounds and clear errors", () => {
  let hub: TestHangar;
  let token: string;
  let client: GitClient;
  let removeClient: () => Promise<void>;

  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice");
    await importFiles(hub.hangar, "alice/open", { "README.md": "# open\n", "w.bin": WEIGHTS });
    await importFiles(hub.hangar, "alice/closed", { "w.bin": WEIGHTS }, { private: true });
    await importFiles(hub.hangar, "alice/gated", { "w.bin": WEIGHTS }, { gated: "auto" });
    ({ client, remove: removeClient } = await GitClient.create());
  });
  after(async () => {
    await hub?.close();
    await removeClient?.();
  });

  const batch = (repo: string, objects: Array<{ oid: string; size: number }>, authorization?: string) =>
    fetch(`${hub.url}/${repo}.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: {
        Accept: "application/vnd.git-lfs+json",
        "Content-Type": "application/vnd.git-lfs+json",
        ...(authorization ? { Authorization: authorization } : {}),
      },
      body: JSON.stringify({ operation: "download", transfers: ["basic"], objects }),
    });

  it("answers LFS downloads with signed, expiring URLs for the repo's objects and a 404 for others", async () => {
    const missing = "0".repeat(64);
    const response = await batch("alice/open", [
      { oid: WEIGHTS_OID, size: WEIGHTS.byteLength },
      { oid: missing, size: 5 },
      { oid: WEIGHTS_OID, size: 999 },
    ]);
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      objects: Array<{
        oid: string;
        actions?: { download: { href: string; expires_at: string } };
        error?: { code: number };
      }>;
    };
    const [found, absent, wrongSize] = body.objects;
    assert.ok(found?.actions?.download.href.startsWith(hub.url));
    assert.ok(Date.parse(found!.actions!.download.expires_at) > Date.now());
    assert.equal(absent?.error?.code, 404);
    assert.equal(wrongSize?.error?.code, 404);

    const download = await fetch(found!.actions!.download.href);
    assert.equal(download.status, 200);
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(WEIGHTS));
    const tampered = await fetch(found!.actions!.download.href.replace(/signature=[0-9a-f]/, "signature=x"));
    assert.equal(tampered.status, 403);
    // A URL whose expiry was moved no longer matches its signature.
    const expired = new URL(found!.actions!.download.href);
    expired.searchParams.set("expires", "1");
    assert.equal((await fetch(expired)).status, 403);
  });

  it("asks for credentials (HTTP Basic, a token as the password) on private and gated repos", async () => {
    const objects = [{ oid: WEIGHTS_OID, size: WEIGHTS.byteLength }];
    for (const repo of ["alice/closed", "alice/gated"]) {
      const anonymous = await batch(repo, objects);
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers.get("www-authenticate"), 'Basic realm="Hangar"');
      const refs = await fetch(`${hub.url}/${repo}.git/info/refs?service=git-upload-pack`);
      assert.equal(refs.status, 401);
      assert.equal(refs.headers.get("www-authenticate"), 'Basic realm="Hangar"');
      const signedIn = await batch(repo, objects, basic(token));
      assert.equal(signedIn.status, 200);
      const refsSignedIn = await fetch(`${hub.url}/${repo}/info/refs?service=git-upload-pack`, {
        headers: { Authorization: basic(token) },
      });
      assert.equal(refsSignedIn.status, 200);
      assert.equal(refsSignedIn.headers.get("content-type"), "application/x-git-upload-pack-advertisement");
    }
    const wrong = await fetch(`${hub.url}/alice/closed/info/refs?service=git-upload-pack`, {
      headers: { Authorization: basic("hf_not_a_real_token_at_all_000000") },
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get("www-authenticate"), 'Basic realm="Hangar"');
    const other = await hub.addUser("bob");
    const stranger = await fetch(`${hub.url}/alice/closed/info/refs?service=git-upload-pack`, {
      headers: { Authorization: basic(other) },
    });
    assert.equal(stranger.status, 404);
  });

  it("says what it does not serve: dumb HTTP, anonymous push, malformed requests and objects it does not have", async () => {
    assert.equal((await fetch(`${hub.url}/alice/open/info/refs`)).status, 404);
    const folder = client.folder();
    await client.ok(["clone", `${hub.url}/alice/open`, folder]);
    const push = await client.run(["push", "origin", "HEAD:main"], { cwd: folder });
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /could not read Username/);

    const post = async (body: Buffer, version2 = true) => {
      const response = await fetch(`${hub.url}/alice/open/git-upload-pack`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-git-upload-pack-request",
          ...(version2 ? { "Git-Protocol": "version=2" } : {}),
        },
        body,
      });
      assert.equal(response.status, 200);
      return Buffer.from(await response.arrayBuffer()).toString("latin1");
    };
    assert.match(
      await post(Buffer.from("zzzz")),
      /^[0-9a-f]{4}ERR Malformed git request: a pkt-line length "zzzz"/,
    );
    assert.match(
      await post(Buffer.from("fff0abc")),
      /ERR Malformed git request: a pkt-line longer than the request/,
    );
    const unknown = "1".repeat(40);
    const fetchUnknown = Buffer.concat([
      pktLine("command=fetch\n"),
      Buffer.from("0001"),
      pktLine(`want ${unknown}\n`),
      pktLine("done\n"),
      Buffer.from("0000"),
    ]);
    assert.match(await post(fetchUnknown), new RegExp(`ERR upload-pack: not our ref ${unknown}`));
    const v0Unknown = Buffer.concat([
      pktLine(`want ${unknown} side-band-64k\n`),
      Buffer.from("0000"),
      pktLine("done\n"),
    ]);
    assert.match(await post(v0Unknown, false), new RegExp(`ERR upload-pack: not our ref ${unknown}`));
    const filter = Buffer.concat([
      pktLine("command=fetch\n"),
      Buffer.from("0001"),
      pktLine("filter tree:0\n"),
      Buffer.from("0000"),
    ]);
    assert.match(
      await post(filter),
      /ERR Hangar cannot serve this fetch: the filter "tree:0" is not supported/,
    );

    const failed = await client.run(["clone", `${hub.url}/alice/nothing-here`, client.folder()]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /could not read Username|not found/);
  });

  it("refuses to clone a mirrored repo, whose git objects it does not have, and says where to clone it", async () => {
    const mirror = await startTestHangar({ upstream: { endpoint: hub.url } });
    try {
      await pullRepo(mirror.hangar, { repo: "alice/open" });
      const files = await fetch(`${mirror.url}/alice/open/resolve/main/README.md`);
      assert.equal(await files.text(), "# open\n");
      const refs = await client.ok(["ls-remote", `${mirror.url}/alice/open`]);
      assert.match(refs, /refs\/heads\/main/);
      const clone = await client.run(["clone", `${mirror.url}/alice/open`, client.folder()]);
      assert.notEqual(clone.code, 0);
      assert.match(clone.stderr, /remote error: commit [0-9a-f]{40} of alice\/open was mirrored from/);
      assert.match(clone.stderr, new RegExp(`clone ${hub.url}/alice/open instead`));
    } finally {
      await mirror.close();
    }
  });
});
