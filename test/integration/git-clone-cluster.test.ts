import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { GitClient } from "../helpers/git-client.ts";

/** Bytes with a NUL in them, so they are stored through LFS. */
function binaryBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index++) bytes[index] = (index * 13 + seed) % 256;
  return bytes;
}

/**
 * git against two `hangar serve` nodes on one PostgreSQL catalog and one S3 bucket, behind a round-robin
 * proxy: the ref advertisement, each upload-pack round and the LFS batch land on different nodes, and LFS
 * files come from presigned bucket URLs.
 */
describe("git clone, fetch and push across nodes on PostgreSQL and S3", () => {
  let cluster: TestCluster;
  let client: GitClient;
  let removeClient: () => Promise<void>;
  const files: Record<string, string | Buffer> = {
    "README.md": "# Across nodes\n",
    "sub/dir/weights.bin": binaryBytes(300_000, 5),
    "sub/notes.txt": "notes\n",
  };
  const credentials = () => ({ accessToken: cluster.adminToken, hubUrl: cluster.url });
  const remote = () => `${cluster.url.replace("://", `://git:${cluster.adminToken}@`)}/admin/across`;

  const sha = async (): Promise<string> => {
    const response = await fetch(`${cluster.url}/api/models/admin/across`, {
      headers: { Authorization: `Bearer ${cluster.adminToken}` },
    });
    return ((await response.json()) as { sha: string }).sha;
  };

  before(async () => {
    cluster = await startCluster(2);
    ({ client, remove: removeClient } = await GitClient.create());
    await createRepo({ repo: "admin/across", private: true, ...credentials() });
    await uploadFiles({
      repo: "admin/across",
      ...credentials(),
      files: Object.entries(files).map(([path, content]) => ({ path, content: new Blob([content]) })),
    });
  });
  after(async () => {
    await cluster?.close();
    await removeClient?.();
  });

  it("clones a private repo with its LFS file, then fetches a commit made through the other node", async () => {
    const folder = client.folder();
    await client.ok(["clone", remote(), folder]);
    for (const [path, content] of Object.entries(files)) {
      assert.ok((await readFile(join(folder, path))).equals(Buffer.from(content)), `${path} differs`);
    }
    assert.equal(await client.ok(["rev-parse", "HEAD"], { cwd: folder }), await sha());

    const added = binaryBytes(70_000, 9);
    await uploadFiles({
      repo: "admin/across",
      ...credentials(),
      files: [{ path: "sub/more.bin", content: new Blob([added]) }],
    });
    for (const version of [2, 0]) {
      await client.ok(["-c", `protocol.version=${version}`, "pull", "--ff-only"], { cwd: folder });
    }
    assert.equal(await client.ok(["rev-parse", "HEAD"], { cwd: folder }), await sha());
    assert.ok((await readFile(join(folder, "sub/more.bin"))).equals(added));

    const shallow = client.folder();
    await client.ok(["clone", "--depth", "1", remote(), shallow]);
    assert.equal(await client.ok(["rev-list", "--count", "HEAD"], { cwd: shallow }), "1");
    assert.ok(
      (await readFile(join(shallow, "sub/dir/weights.bin"))).equals(files["sub/dir/weights.bin"] as Buffer),
    );
  });

  it("pushes a commit with an LFS file through the nodes, and a fresh clone has it", async () => {
    const folder = client.folder();
    await client.ok(["clone", remote(), folder]);
    await client.ok(["config", "user.name", "Admin"], { cwd: folder });
    await client.ok(["config", "user.email", "admin@example.com"], { cwd: folder });
    await client.ok(["lfs", "track", "*.bin"], { cwd: folder });
    const pushed = binaryBytes(90_000, 11);
    await writeFile(join(folder, "sub/pushed.bin"), pushed);
    await writeFile(join(folder, "sub/notes.txt"), "notes, edited through git\n");
    await client.ok(["add", "-A"], { cwd: folder });
    await client.ok(["commit", "-q", "-m", "Push across nodes"], { cwd: folder });
    await client.ok(["push", "origin", "main"], { cwd: folder });
    const head = await client.ok(["rev-parse", "HEAD"], { cwd: folder });
    assert.equal(await sha(), head);

    const again = client.folder();
    await client.ok(["clone", remote(), again]);
    assert.equal(await client.ok(["rev-parse", "HEAD"], { cwd: again }), head);
    assert.ok((await readFile(join(again, "sub/pushed.bin"))).equals(pushed));
    assert.equal(await readFile(join(again, "sub/notes.txt"), "utf8"), "notes, edited through git\n");
  });
});
