// LFS uploads awaiting their commit: a repo's upload still counts after a restart (for that repo only), and
// is forgotten once gc removed the bytes of an upload never committed.
//
// Every assert.ok here carries a message: without one, a failing assert.ok under tsx hangs Node 20 while it
// looks for the source text to build one.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { createRepo } from "@huggingface/hub";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { createToken, createUser } from "../../src/hub/accounts/manage-accounts.ts";
import { fsck } from "../../src/hub/maintenance/fsck.ts";
import { gc } from "../../src/hub/maintenance/gc.ts";
import { createServer, listen } from "../../src/server/create-server.ts";
import {
  batchObjects,
  download,
  LIMITS,
  objectOf,
  postCommit,
  sendBytes,
  verify,
} from "../helpers/lfs-uploads.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("LFS uploads awaiting their commit survive a restart", () => {
  const adminToken = "hf_test_admin_token_0123456789abcdef";
  let home: Awaited<ReturnType<typeof makeTempDir>>;
  let running: { hangar: Hangar; server: Server; url: string } | undefined;

  async function start(): Promise<{ hangar: Hangar; server: Server; url: string }> {
    const hangar = await createHangar(defaultConfig(home.path, { adminToken, limits: LIMITS }));
    const server = createServer(hangar);
    running = { hangar, server, url: await listen(server, "127.0.0.1", 0) };
    return running;
  }

  async function stop(): Promise<void> {
    if (!running) return;
    const { hangar, server } = running;
    running = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await hangar.close();
  }

  before(async () => {
    home = await makeTempDir();
  });
  after(async () => {
    await stop();
    await home.remove();
  });

  it("counts an upload recorded before the restart for the repo's next commit, and for no other repo", async () => {
    const first = await start();
    await createUser(first.hangar, { name: "dave" });
    const dave = (await createToken(first.hangar, { user: "dave", role: "write" })).token;
    await createRepo({ repo: "dave/pending", accessToken: dave, hubUrl: first.url });
    await createRepo({ repo: "dave/other", accessToken: dave, hubUrl: first.url });
    const bytes = randomBytes(1024 * 1024 + 99);
    const [action] = await batchObjects(first.url, "dave/pending", dave, [objectOf(bytes)]);
    assert.equal((await sendBytes(action!, bytes)).status, 200);
    await stop();

    const second = await start();
    assert.deepEqual(await batchObjects(second.url, "dave/pending", dave, [objectOf(bytes)]), [
      objectOf(bytes),
    ]);
    const [forOther] = await batchObjects(second.url, "dave/other", dave, [objectOf(bytes)]);
    assert.ok(forOther?.actions?.upload.href, "another repo of dave's must send the bytes");
    const commit = await postCommit(second.url, "dave/pending", dave, [
      { path: "w.bin", object: objectOf(bytes) },
    ]);
    assert.equal(commit.status, 200, await commit.clone().text());
    const served = await download(second.url, "dave/pending", "w.bin");
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(bytes), "dave/pending serves w.bin whole");
  });
});

describe("gc and uploads never committed", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startTestHangar({ limits: LIMITS });
  });
  after(() => hub.close());

  it("forgets a repo's upload once gc removed its bytes: the repo must send them again", async () => {
    const erin = await hub.addUser("erin", "write");
    const frank = await hub.addUser("frank", "write");
    await createRepo({ repo: "erin/abandoned", accessToken: erin, hubUrl: hub.url });
    await createRepo({ repo: "frank/later", accessToken: frank, hubUrl: hub.url });
    const bytes = randomBytes(20_000);
    const object = objectOf(bytes);
    const [action] = await batchObjects(hub.url, "erin/abandoned", erin, [object]);
    assert.equal((await sendBytes(action!, bytes)).status, 200);
    assert.deepEqual(await batchObjects(hub.url, "erin/abandoned", erin, [object]), [object]);

    // Never committed: once its lease (an hour) has passed, gc takes it like any unreferenced blob.
    await hub.hangar.catalog.leases.purgeExpired(Date.now() + 2 * 60 * 60 * 1000);
    const report = await gc(hub.hangar, { graceMs: 0 });
    assert.equal(report.removedBlobs, 1);
    assert.equal(await hub.hangar.blobs.sizeOf(object.oid), null);

    // The same bytes stored again for another repo do not bring erin's upload back.
    const [forFrank] = await batchObjects(hub.url, "frank/later", frank, [object]);
    assert.equal((await sendBytes(forFrank!, bytes)).status, 200);
    const [forErin] = await batchObjects(hub.url, "erin/abandoned", erin, [object]);
    assert.ok(forErin?.actions?.upload.href, "erin's repo must send the bytes again");
    assert.equal((await verify(hub.url, "erin/abandoned", erin, object)).status, 404);
    assert.deepEqual((await fsck(hub.hangar)).problems, []);
  });
});
