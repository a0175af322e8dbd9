import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { commit, createBranch, createRepo, downloadFile, listCommits, uploadFiles } from "@huggingface/hub";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { HANGAR_BIN } from "../helpers/hangar-cli.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

/**
 * Several `hangar serve` processes on one PostgreSQL database and one S3 bucket (s3rver here; a real store
 * in production), behind a proxy that sends each request to the next node: every step of an upload (LFS
 * batch, part uploads, completion, commit) may land on a different node, and it must all work.
 */
describe("several nodes serving one hub (PostgreSQL + S3)", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster(2);
  });
  after(() => cluster?.close());

  const credentials = () => ({ accessToken: cluster.adminToken, hubUrl: cluster.url });
  const history = async (repo: string, hubUrl = cluster.url, branch = "main") => {
    const oids: string[] = [];
    for await (const entry of listCommits({
      repo,
      revision: branch,
      accessToken: cluster.adminToken,
      hubUrl,
    })) {
      oids.push(entry.oid);
    }
    return oids;
  };

  it("takes an upload with the real client, small and multipart LFS files, across alternating nodes", async () => {
    await createRepo({ repo: "admin/spread", ...credentials() });
    const weights = randomBytes(24 * 1024 * 1024);
    const card = "# spread\nA model uploaded through two nodes.\n";
    await uploadFiles({
      repo: "admin/spread",
      ...credentials(),
      files: [
        { path: "README.md", content: new Blob([card]) },
        { path: "model.safetensors", content: new Blob([weights]) },
      ],
    });
    // Read back through each node on its own and through the proxy.
    for (const hubUrl of [cluster.nodes[0]!.url, cluster.nodes[1]!.url, cluster.url]) {
      const big = await downloadFile({
        repo: "admin/spread",
        path: "model.safetensors",
        ...credentials(),
        hubUrl,
      });
      assert.ok(big, `the LFS file through ${hubUrl}`);
      assert.ok(Buffer.from(await big.arrayBuffer()).equals(weights), `the same bytes through ${hubUrl}`);
      const small = await downloadFile({ repo: "admin/spread", path: "README.md", ...credentials(), hubUrl });
      assert.equal(await small?.text(), card);
    }
  });

  it("keeps branches and refuses a commit on a stale parent with 412, whichever node answers", async () => {
    await createRepo({ repo: "admin/branches", ...credentials() });
    await uploadFiles({
      repo: "admin/branches",
      ...credentials(),
      files: [{ path: "a.txt", content: new Blob(["a"]) }],
    });
    await createBranch({ repo: "admin/branches", branch: "dev", ...credentials() });
    await commit({
      repo: "admin/branches",
      ...credentials(),
      branch: "dev",
      title: "On dev",
      operations: [{ operation: "addOrUpdate", path: "dev.txt", content: new Blob(["dev"]) }],
    });
    const [main] = await history("admin/branches");
    await commit({
      repo: "admin/branches",
      ...credentials(),
      title: "Moves main",
      operations: [{ operation: "addOrUpdate", path: "b.txt", content: new Blob(["b"]) }],
    });
    await assert.rejects(
      commit({
        repo: "admin/branches",
        ...credentials(),
        title: "Based on the old head",
        parentCommit: main,
        operations: [{ operation: "addOrUpdate", path: "c.txt", content: new Blob(["c"]) }],
      }),
      (error: { statusCode?: number }) => error.statusCode === 412,
    );
    assert.equal((await history("admin/branches", cluster.url, "dev")).length, 3);
    assert.equal((await history("admin/branches")).length, 3);
  });

  it("lists on every node, within 2 s, a repo made on another", async () => {
    const name = `fresh-${randomBytes(4).toString("hex")}`;
    await createRepo({ repo: `admin/${name}`, ...credentials(), hubUrl: cluster.nodes[0]!.url });
    const started = Date.now();
    for (;;) {
      const answer = await fetch(`${cluster.nodes[1]!.url}/api/models?search=${name}`, {
        headers: { authorization: `Bearer ${cluster.adminToken}` },
      });
      const found = (await answer.json()) as Array<{ id: string }>;
      if (found.some((entry) => entry.id === `admin/${name}`)) break;
      assert.ok(Date.now() - started < 2000, "seen on the other node within 2 s");
      await new Promise((resume) => setTimeout(resume, 50));
    }
  });

  it("loses no update when both nodes commit to one branch at once", async () => {
    await createRepo({ repo: "admin/busy", ...credentials() });
    const before = (await history("admin/busy")).length;
    const commits = Array.from({ length: 16 }, (_, index) =>
      commit({
        repo: "admin/busy",
        ...credentials(),
        hubUrl: cluster.nodes[index % 2]!.url,
        title: `Commit ${index}`,
        operations: [
          { operation: "addOrUpdate", path: `files/${index}.txt`, content: new Blob([`${index}`]) },
        ],
      }),
    );
    const results = await Promise.all(commits);
    const oids = new Set(results.map((result) => result?.commit.oid));
    assert.equal(oids.size, 16, "16 distinct commits");
    const after = await history("admin/busy");
    assert.equal(after.length, before + 16, "a linear history with every commit");
    for (const oid of oids) assert.ok(after.includes(oid!), `${oid} is in the history`);
  });

  it("keeps every acknowledged commit when a node is killed mid-upload, and fsck is clean", async () => {
    await createRepo({ repo: "admin/crash", ...credentials() });
    const acknowledged: string[] = [];
    let stop = false;
    const worker = async (id: number) => {
      for (let index = 0; !stop; index++) {
        try {
          const result = await commit({
            repo: "admin/crash",
            ...credentials(),
            title: `Worker ${id} commit ${index}`,
            operations: [
              {
                operation: "addOrUpdate",
                path: `w${id}/${index}.bin`,
                content: new Blob([randomBytes(64 * 1024)]),
              },
            ],
          });
          if (result) acknowledged.push(result.commit.oid);
        } catch {
          // A request the killed node held: not acknowledged, so nothing is owed to the client.
        }
      }
    };
    const workers = [worker(0), worker(1), worker(2)];
    while (acknowledged.length < 6) await new Promise((resume) => setTimeout(resume, 20));
    const victim = cluster.nodes[0]!.child;
    const exited = once(victim, "exit");
    victim.kill("SIGKILL");
    await exited;
    const ackedBeforeKill = acknowledged.length;
    while (acknowledged.length < ackedBeforeKill + 6) await new Promise((resume) => setTimeout(resume, 20));
    stop = true;
    await Promise.all(workers);

    const kept = await history("admin/crash", cluster.nodes[1]!.url);
    for (const oid of acknowledged) assert.ok(kept.includes(oid), `acknowledged commit ${oid} is kept`);

    const home = await makeTempDir("hangar-fsck-");
    try {
      const fsck = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [HANGAR_BIN, "fsck", "--home", home.path, "--json"],
          { env: cluster.env },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
      assert.equal(fsck.code, 0, `fsck is clean: ${fsck.stdout}${fsck.stderr}`);
    } finally {
      await home.remove();
    }
  });
});
