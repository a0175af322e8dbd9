import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { commit, createRepo } from "@huggingface/hub";
import {
  buildGitTrees,
  buildHangarCommit,
  commitDate,
  encodeGitCommit,
  gitBlobOid,
  gitIdentityName,
  hangarIdentity,
  lfsPointerOid,
  NOREPLY_EMAIL_DOMAIN,
  parseGitCommit,
  parseGitTree,
} from "../../src/core/git-objects.ts";
import { lfsPointer } from "../../src/core/types.ts";
import { GitBinary, type GitFile } from "../helpers/git-binary.ts";
import { rawDb } from "../helpers/raw-store.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const text = (value: string) => Buffer.from(value);

/** Names git sorts differently from a plain string sort, nested folders, non-ASCII names, an LFS pointer. */
function trickyFiles(): GitFile[] {
  const weights = randomBytes(4096);
  const sha256 = createHash("sha256").update(weights).digest("hex");
  return [
    { path: "a.b", content: text("dot\n") },
    { path: "a-b", content: text("dash\n") },
    { path: "a0", content: text("zero\n") },
    { path: "a/inner.txt", content: text("in a folder\n") },
    { path: "a/b/c/deep.txt", content: text("three levels down\n") },
    { path: "a/b.txt", content: text("beside the folder b\n") },
    { path: "a/b/x", content: text("x\n") },
    { path: "A.md", content: text("# upper case sorts first\n") },
    { path: "with space.txt", content: text("space\n") },
    { path: "é.txt", content: text("precomposed\n") },
    { path: "e\u0301.txt", content: text("decomposed\n") },
    // U+FF46 sorts after the emoji in UTF-16 but before it in UTF-8, which is the order git uses.
    { path: "ｆ.txt", content: text("full width\n") },
    { path: "😀.txt", content: text("astral\n") },
    { path: "日本/語.md", content: text("non-ASCII folder\n") },
    { path: "empty", content: Buffer.alloc(0) },
    { path: "binary.dat", content: Buffer.from([0, 1, 2, 255, 0]) },
    { path: "onnx/model.onnx", content: text(lfsPointer(sha256, weights.byteLength)) },
  ];
}

const asTreeFiles = (files: readonly GitFile[]) =>
  files.map((file) => ({ path: file.path, gitOid: gitBlobOid(file.content) }));

describe("git objects, compared with the git binary", () => {
  let git: GitBinary;
  let remove: () => Promise<void>;
  before(async () => {
    ({ git, remove } = await GitBinary.create());
  });
  after(() => remove());

  it("gives blobs git's ids, and an LFS file the id of the pointer git-lfs writes", () => {
    for (const content of [
      Buffer.alloc(0),
      text("hello\n"),
      Buffer.from([0, 159, 146, 150]),
      randomBytes(70_000),
    ]) {
      assert.equal(gitBlobOid(content), git.hashObject(content));
    }
    const weights = randomBytes(10_000);
    writeFileSync(join(git.dir, "weights.bin"), weights);
    const pointer = git.run(["lfs", "pointer", "--file=weights.bin"]);
    const sha256 = createHash("sha256").update(weights).digest("hex");
    assert.equal(lfsPointer(sha256, weights.byteLength), pointer.toString("utf8"));
    assert.equal(lfsPointerOid(sha256, weights.byteLength), git.hashObject(pointer));
  });

  it("builds the trees git builds, byte for byte, for every folder", () => {
    const files = trickyFiles();
    const trees = buildGitTrees(asTreeFiles(files));
    const root = git.writeTree(files);
    assert.equal(trees.root, root);
    assert.deepEqual(
      [...trees.folders.keys()].sort(),
      ["", "a", "a/b", "a/b/c", "onnx", "日本"].sort(),
      "one tree per folder",
    );
    for (const [path, oid] of trees.folders) {
      assert.equal(oid, path === "" ? root : git.revParse(`${root}:${path}`), `tree of "${path}"`);
    }
    for (const object of trees.objects) {
      assert.deepEqual(object.body, git.catFile("tree", object.oid), `bytes of tree ${object.oid}`);
    }
    const names = parseGitTree(trees.objects.find((object) => object.oid === root)!.body).map(
      (entry) => entry.name,
    );
    assert.deepEqual(names, git.text(["ls-tree", "--name-only", "-z", root]).split("\0").filter(Boolean));
    // git's order: a folder compares as "a/", so it comes between "a.b" and "a0"; UTF-8 bytes, not UTF-16.
    assert.ok(names.indexOf("a-b") < names.indexOf("a.b") && names.indexOf("a.b") < names.indexOf("a"));
    assert.ok(names.indexOf("a") < names.indexOf("a0"));
    assert.ok(names.indexOf("ｆ.txt") < names.indexOf("😀.txt"));
  });

  it("gives an empty commit git's empty tree", () => {
    assert.equal(buildGitTrees([]).root, "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    assert.equal(buildGitTrees([]).root, git.writeTree([]));
  });

  it("makes the commits git commit-tree makes, with author, committer, time and message", () => {
    const files = trickyFiles();
    const tree = git.writeTree(files);
    const cases: Array<{ user: string; message: string; date: string }> = [
      { user: "alice", message: "initial commit", date: "2024-03-01T12:00:00.000Z" },
      {
        user: "bob-the.builder",
        message: "Upload model\n\nTrained for 3 epochs.",
        date: "2024-03-01T12:00:01.000Z",
      },
      {
        user: "carol",
        message: "Title\n\nDescription ending in a newline\n",
        date: "1999-12-31T23:59:59.000Z",
      },
      { user: "dörte", message: "Ünïcödé title ✓\n\n日本語の説明", date: "2030-01-01T00:00:00.000Z" },
    ];
    let parents: string[] = [];
    for (const { user, message, date } of cases) {
      const built = buildHangarCommit({ files: asTreeFiles(files), parents, author: user, date, message });
      const expected = git.commitTree({
        tree,
        parents,
        message,
        author: { name: user, email: `${user}@${NOREPLY_EMAIL_DOMAIN}`, seconds: Date.parse(date) / 1000 },
      });
      assert.equal(built.oid, expected, `commit by ${user}`);
      assert.deepEqual(built.commit.body, git.catFile("commit", expected));
      const parsed = parseGitCommit(built.commit.body);
      assert.equal(parsed.tree, tree);
      assert.deepEqual(parsed.parents, parents);
      assert.equal(parsed.message, message.endsWith("\n") ? message : `${message}\n`);
      parents = [built.oid];
    }
  });

  it("writes names as git does: punctuation and spaces trimmed, angle brackets dropped", () => {
    const tree = git.writeTree([]);
    const date = "2024-05-05T05:05:05.000Z";
    for (const user of [" .al<i>ce; ", "Ada Lovelace", "x>y"]) {
      const identity = hangarIdentity(user, date);
      const built = encodeGitCommit({
        tree,
        parents: [],
        author: identity,
        committer: identity,
        message: "m\n",
      });
      const expected = git.commitTree({
        tree,
        parents: [],
        message: "m",
        author: { name: user, email: identity.email, seconds: identity.seconds },
      });
      assert.deepEqual(built, git.catFile("commit", expected), `name ${JSON.stringify(user)}`);
    }
    assert.equal(gitIdentityName(" .al<i>ce; "), "alice");
    assert.equal(hangarIdentity("...", date).name, "hangar", "a name of nothing but punctuation");
  });

  it("keeps dates at git's resolution: whole seconds", () => {
    assert.equal(commitDate(new Date("2024-01-02T03:04:05.999Z")), "2024-01-02T03:04:05.000Z");
    const files = asTreeFiles(trickyFiles());
    const at = (date: string) =>
      buildHangarCommit({ files, parents: [], author: "a", date, message: "m" }).oid;
    assert.equal(at("2024-01-02T03:04:05.001Z"), at("2024-01-02T03:04:05.999Z"));
    assert.notEqual(at("2024-01-02T03:04:05.000Z"), at("2024-01-02T03:04:06.000Z"));
  });
});

interface ApiCommit {
  id: string;
  title: string;
  message: string;
  date: string;
  authors: Array<{ user: string }>;
}

describe("commits made over the Hub API are git commits", () => {
  let hub: TestHangar;
  let git: GitBinary;
  let remove: () => Promise<void>;
  before(async () => {
    hub = await startTestHangar();
    ({ git, remove } = await GitBinary.create());
  });
  after(async () => {
    await hub.close();
    await remove();
  });

  it("reports the id git gives the same files, parent, author, time and message, everywhere it reports one", async () => {
    const token = await hub.addUser("alice", "write");
    const repo = "alice/git-ids";
    await createRepo({ repo, accessToken: token, hubUrl: hub.url });
    const weights = Buffer.concat([Buffer.from([0, 0, 0]), randomBytes(5000)]);
    const uploaded: Record<string, Buffer> = {
      "README.md": text("# git ids\n"),
      "config.json": text('{"model_type": "bert"}\n'),
      "a.b": text("dot\n"),
      "a/x.txt": text("in a\n"),
      a0: text("zero\n"),
      "nested/deep/file.txt": text("deep\n"),
      "日本/語.md": text("non-ASCII\n"),
      "weights.bin": weights,
    };
    await commit({
      repo,
      accessToken: token,
      hubUrl: hub.url,
      title: "Add the model",
      description: "Weights, config and a card.",
      operations: Object.entries(uploaded).map(([path, content]) => ({
        operation: "addOrUpdate" as const,
        path,
        content: new Blob([content]),
      })),
    });

    const info = (await (await fetch(`${hub.url}/api/models/${repo}`)).json()) as { sha: string };
    const history = (await (await fetch(`${hub.url}/api/models/${repo}/commits/main`)).json()) as ApiCommit[];
    const resolved = await fetch(`${hub.url}/${repo}/resolve/main/README.md`, { method: "HEAD" });
    assert.equal(history.length, 2);
    const [latest, initial] = history as [ApiCommit, ApiCommit];
    assert.equal(latest.id, info.sha);
    assert.equal(resolved.headers.get("x-repo-commit"), info.sha);
    assert.deepEqual(
      [latest.title, latest.message, latest.authors[0]?.user],
      ["Add the model", "Weights, config and a card.", "alice"],
    );

    // git, from the bytes a client downloads: the LFS file is in the tree as git-lfs's pointer.
    const gitattributes = Buffer.from(
      await (await fetch(`${hub.url}/${repo}/resolve/main/.gitattributes`)).arrayBuffer(),
    );
    writeFileSync(join(git.dir, "weights.bin"), weights);
    const pointer = git.run(["lfs", "pointer", "--file=weights.bin"]);
    const lfsHead = await fetch(`${hub.url}/${repo}/resolve/main/weights.bin`, {
      method: "HEAD",
      redirect: "manual",
    });
    assert.ok(lfsHead.headers.get("x-linked-etag"), "weights.bin went through LFS");
    const author = (date: string) => {
      const seconds = Date.parse(date) / 1000;
      assert.ok(Number.isInteger(seconds), `${date} has no time below a second that the id would hide`);
      return { name: "alice", email: `alice@${NOREPLY_EMAIL_DOMAIN}`, seconds };
    };
    const initialOid = git.commitTree({
      tree: git.writeTree([{ path: ".gitattributes", content: gitattributes }]),
      parents: [],
      message: "initial commit",
      author: author(initial.date),
    });
    assert.equal(initial.id, initialOid);
    const files: GitFile[] = [
      { path: ".gitattributes", content: gitattributes },
      ...Object.entries(uploaded).map(([path, content]) => ({
        path,
        content: path === "weights.bin" ? pointer : content,
      })),
    ];
    const latestOid = git.commitTree({
      tree: git.writeTree(files),
      parents: [initialOid],
      message: "Add the model\n\nWeights, config and a card.",
      author: author(latest.date),
    });
    assert.equal(info.sha, latestOid);

    // The stored objects are the ones git wrote, and git finds the whole graph sound.
    const stored = hub.hangar.catalog.commits;
    const repoPk = (await hub.hangar.catalog.repos.get({
      type: "model",
      namespace: "alice",
      name: "git-ids",
    }))!.pk;
    for (const oid of [initialOid, latestOid]) {
      assert.deepEqual((await stored.getGitObject(repoPk, oid))?.body, git.catFile("commit", oid));
    }
    for (const folder of ["", "a", "nested", "nested/deep", "日本"]) {
      const oid = git.revParse(folder === "" ? `${latestOid}^{tree}` : `${latestOid}:${folder}`);
      const object = await stored.getGitObject(repoPk, oid);
      assert.ok(object, `the tree of "${folder}" is stored`);
      assert.equal(git.writeObject("tree", object.body), oid);
    }
    git.run(["fsck", "--full", "--strict", "--no-dangling"]);

    // Folders are listed with their git tree ids, as the Hub lists them.
    const listing = (await (
      await fetch(`${hub.url}/api/models/${repo}/tree/main?recursive=true`)
    ).json()) as Array<{ type: string; path: string; oid: string }>;
    const folders = listing.filter((entry) => entry.type === "directory");
    assert.deepEqual(folders.map((entry) => entry.path).sort(), ["a", "nested", "nested/deep", "日本"]);
    for (const entry of folders)
      assert.equal(entry.oid, git.revParse(`${latestOid}:${entry.path}`), entry.path);
    const nested = await (await fetch(`${hub.url}/api/models/${repo}/tree/main/nested`)).json();
    assert.deepEqual(nested, [
      { type: "directory", oid: git.revParse(`${latestOid}:nested/deep`), size: 0, path: "nested/deep" },
    ]);
    const pathsInfo = (await (
      await fetch(`${hub.url}/api/models/${repo}/paths-info/main`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ paths: ["nested"] }),
      })
    ).json()) as Array<{ path: string; oid: string }>;
    assert.equal(pathsInfo[0]?.oid, git.revParse(`${latestOid}:nested`));
  });

  it("refuses a commit message git would refuse: one with a NUL character", async () => {
    const token = await hub.addUser("carol", "write");
    await createRepo({ repo: "carol/nul", accessToken: token, hubUrl: hub.url });
    const post = (value: Record<string, string>) =>
      fetch(`${hub.url}/api/models/carol/nul/commit/main`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson", authorization: `Bearer ${token}` },
        body: `${JSON.stringify({ key: "header", value })}\n${JSON.stringify({
          key: "file",
          value: { path: "a.txt", content: Buffer.from("a").toString("base64"), encoding: "base64" },
        })}\n`,
      });
    for (const [field, header] of [
      ["title", { summary: "bad\u0000title" }],
      ["description", { summary: "fine", description: "bad\u0000description" }],
    ] as const) {
      const response = await post(header);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("x-error-code"), "BadRequest");
      assert.equal(
        ((await response.json()) as { error: string }).error,
        `The commit ${field} may not contain a NUL character`,
      );
    }
    const history = async () =>
      ((await (await fetch(`${hub.url}/api/models/carol/nul/commits/main`)).json()) as ApiCommit[]).length;
    assert.equal(await history(), 1, "nothing was committed");
    assert.equal((await post({ summary: "fine" })).status, 200);
    assert.equal(await history(), 2);
  });

  it("makes the same change twice within a second one commit, as git would", async () => {
    const token = await hub.addUser("bob", "write");
    await createRepo({ repo: "bob/twice", accessToken: token, hubUrl: hub.url });
    const propose = async () =>
      await commit({
        repo: "bob/twice",
        accessToken: token,
        hubUrl: hub.url,
        title: "Proposal",
        isPullRequest: true,
        operations: [{ operation: "addOrUpdate", path: "idea.md", content: new Blob(["idea\n"]) }],
      });
    // Both pull requests start from main; a pair that straddles a second boundary is tried again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const [first, second] = await Promise.all([propose(), propose()]);
      const dates = [first, second].map(
        (result) =>
          (
            rawDb(hub.hangar.catalog)
              .prepare("SELECT date FROM commits WHERE oid = ?")
              .get(result?.commit.oid) as {
              date: string;
            }
          ).date,
      );
      if (dates[0] !== dates[1]) continue;
      assert.equal(first?.commit.oid, second?.commit.oid);
      assert.notEqual(first?.pullRequestUrl, second?.pullRequestUrl, "two pull requests");
      return;
    }
    assert.fail("never made both commits within one second");
  });
});
