import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { whoAmI } from "@huggingface/hub";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { createServer, listen } from "../../src/server/create-server.ts";
import { type CliRun, runCli } from "../helpers/cli-in-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

async function json<T>(args: string[]): Promise<T> {
  const result = await runCli([...args, "--json"]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

/** Every file under a blob store, except its temp folder. */
async function countBlobs(home: string): Promise<number> {
  const entries = await readdir(join(home, "blobs"), { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && !entry.parentPath.includes(join("blobs", "tmp"))).length;
}

function assertOneLineError(result: CliRun, pattern: RegExp): void {
  assert.notEqual(result.code, 0);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, pattern);
}

describe("hangar user, token and org commands", () => {
  let home: { path: string; remove: () => Promise<void> };
  let hangar: Hangar;
  let server: Server;
  let url: string;

  before(async () => {
    home = await makeTempDir("hangar-cli-");
    // A server works on the same home the whole time, as it would in production.
    hangar = await createHangar(defaultConfig(home.path));
    server = createServer(hangar);
    url = await listen(server, "127.0.0.1", 0);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await hangar.close();
    await home.remove();
  });

  it("creates a user and a token that the real client accepts, with the user's organisations", async () => {
    const user = await json<{ name: string; fullname: string; email: string; isAdmin: boolean }>([
      "user",
      "add",
      "alice",
      "--fullname",
      "Alice Liddell",
      "--email",
      "alice@example.com",
      "--home",
      home.path,
    ]);
    assert.deepEqual(
      { name: user.name, fullname: user.fullname, email: user.email, isAdmin: user.isAdmin },
      { name: "alice", fullname: "Alice Liddell", email: "alice@example.com", isAdmin: false },
    );

    const created = await json<{ id: number; token: string; user: string; role: string; name: string }>([
      "token",
      "create",
      "--user",
      "alice",
      "--role",
      "write",
      "--name",
      "laptop",
      "--home",
      home.path,
    ]);
    assert.match(created.token, /^hf_[A-Za-z]{30,}$/);
    assert.deepEqual(
      { user: created.user, role: created.role, name: created.name },
      { user: "alice", role: "write", name: "laptop" },
    );

    const org = await runCli(["org", "add", "acme", "--member", "alice", "--home", home.path]);
    assert.equal(org.code, 0, org.stderr);
    assert.equal(org.stdout, "Created organisation acme; members: alice\n");

    const info = await whoAmI({ hubUrl: url, accessToken: created.token });
    assert.equal(info.name, "alice");
    assert.equal((info as unknown as { fullname: string }).fullname, "Alice Liddell");
    assert.equal(info.auth.accessToken?.displayName, "laptop");
    assert.equal(info.auth.accessToken?.role, "write");
    assert.deepEqual(
      (info as unknown as { orgs: Array<{ name: string }> }).orgs.map((entry) => entry.name),
      ["acme"],
    );
  });

  it("prints the bare token without --json, and lists users, orgs and tokens", async () => {
    assert.equal((await runCli(["user", "add", "bob", "--admin", "--home", home.path])).code, 0);
    const plain = await runCli(["token", "create", "--user", "bob", "--role", "read", "--home", home.path]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^hf_[A-Za-z]+\n$/);
    assert.match(plain.stderr, /Created read token .* for bob/);

    const added = await json<{ created: boolean; members: Array<{ user: string; role: string }> }>([
      "org",
      "add",
      "acme",
      "--member",
      "bob",
      "--home",
      home.path,
    ]);
    assert.equal(added.created, false);
    assert.deepEqual(
      added.members.map((member) => member.user),
      ["alice", "bob"],
    );

    const users = await json<Array<{ name: string; isAdmin: boolean; orgs: Array<{ name: string }> }>>([
      "user",
      "list",
      "--home",
      home.path,
    ]);
    assert.deepEqual(
      users.map((user) => [user.name, user.isAdmin, user.orgs.map((org) => org.name)]),
      [
        ["alice", false, ["acme"]],
        ["bob", true, ["acme"]],
      ],
    );
    const orgs = await json<Array<{ name: string; members: Array<{ user: string }> }>>([
      "org",
      "list",
      "--home",
      home.path,
    ]);
    assert.deepEqual(
      orgs.map((org) => [org.name, org.members.map((member) => member.user)]),
      [["acme", ["alice", "bob"]]],
    );

    const table = await runCli(["user", "list", "--home", home.path]);
    assert.match(table.stdout, /^NAME\s+FULLNAME\s+EMAIL\s+ADMIN\s+ORGS\n/);
    assert.match(table.stdout, /\nbob\s+bob\s+yes\s+acme\n/);
  });

  it("revokes a token so the server refuses it at once", async () => {
    const created = await json<{ id: number; token: string }>([
      "token",
      "create",
      "--user",
      "alice",
      "--role",
      "read",
      "--home",
      home.path,
    ]);
    assert.equal((await whoAmI({ hubUrl: url, accessToken: created.token })).name, "alice");
    const listed = await json<Array<{ id: number; name: string; role: string }>>([
      "token",
      "list",
      "--user",
      "alice",
      "--home",
      home.path,
    ]);
    assert.deepEqual(
      listed.map((token) => [token.name, token.role]),
      [
        ["laptop", "write"],
        [listed[1]!.name, "read"],
      ],
    );
    assert.equal(listed[1]!.id, created.id);
    assert.ok(!JSON.stringify(listed).includes(created.token), "token list must not show secrets");

    const revoked = await runCli(["token", "revoke", String(created.id), "--home", home.path]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`^Revoked token ${created.id} .* of alice\\n$`));
    await assert.rejects(whoAmI({ hubUrl: url, accessToken: created.token }), /Invalid credentials/);
    assertOneLineError(
      await runCli(["token", "revoke", String(created.id), "--home", home.path]),
      /^hangar token revoke: No token with id \d+$/,
    );
  });

  it("refuses bad input with one line on stderr and a non-zero exit", async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ["token", "create", "--user", "alice", "--role", "owner", "--home", home.path],
        /^hangar token create: Invalid role "owner": expected one of read, write, admin$/,
      ],
      [
        ["token", "create", "--user", "nobody", "--role", "read", "--home", home.path],
        /^hangar token create: No user "nobody"$/,
      ],
      [
        ["token", "create", "--role", "read", "--home", home.path],
        /^hangar token create: --user is required$/,
      ],
      [["user", "add", "alice", "--home", home.path], /^hangar user add: The name "alice" is already taken$/],
      [["user", "add", "bad--name", "--home", home.path], /^hangar user add: Invalid namespace "bad--name"/],
      [["org", "add", "beta", "--member", "ghost", "--home", home.path], /^hangar org add: No user "ghost"$/],
      [
        ["user", "add", "carol", "--colour", "blue", "--home", home.path],
        /^hangar user add: Unknown option '--colour'/,
      ],
    ];
    // The cases are independent, so they run side by side.
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    for (const [index, [, pattern]] of cases.entries()) assertOneLineError(results[index]!, pattern);
    // The failed `org add` created nothing.
    const orgs = await json<Array<{ name: string }>>(["org", "list", "--home", home.path]);
    assert.deepEqual(
      orgs.map((org) => org.name),
      ["acme"],
    );
  });

  it("shows each command's options with --help", async () => {
    const help = await runCli(["token", "create", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: hangar token create \[options\]/);
    assert.match(help.stdout, /--role ROLE\s+read, write, or admin/);
    assert.match(help.stdout, /--home DIR/);
    const general = await runCli(["--help"]);
    for (const command of ["import <dir> <repo_id>", "user add", "token revoke <id>", "org list"]) {
      assert.ok(general.stdout.includes(command), `general help lists ${command}`);
    }
  });
});

describe("hangar import", () => {
  let home: { path: string; remove: () => Promise<void> };
  let folder: { path: string; remove: () => Promise<void> };

  before(async () => {
    home = await makeTempDir("hangar-cli-home-");
    folder = await makeTempDir("hangar-cli-folder-");
    await writeFile(
      join(folder.path, "README.md"),
      "---\nlicense: mit\npipeline_tag: fill-mask\n---\n# Tiny\n",
    );
    await writeFile(join(folder.path, "config.json"), '{"model_type": "bert"}\n');
    await mkdir(join(folder.path, "onnx"));
    await writeFile(join(folder.path, "onnx", "model.onnx"), Buffer.from([0, 1, 2, 3, 0, 255, 254]));
  });
  after(async () => {
    await home.remove();
    await folder.remove();
  });

  type ImportJson = {
    repo: string;
    type: string;
    revision: string;
    commit: string;
    created: boolean;
    repoCreated: boolean;
    branchCreated: boolean;
    files: number;
    bytes: number;
    url: string | null;
  };

  it("commits a folder once: a second import stores no blob and makes no commit", async () => {
    const first = await json<ImportJson>(["import", folder.path, "team/tiny", "--home", home.path]);
    assert.match(first.commit, /^[0-9a-f]{40}$/);
    assert.deepEqual(
      { ...first, commit: "" },
      {
        repo: "team/tiny",
        type: "model",
        revision: "main",
        commit: "",
        created: true,
        repoCreated: true,
        branchCreated: false,
        files: 3,
        bytes: first.bytes,
        // No server runs on this home: no link to a port nothing listens on.
        url: null,
      },
    );
    const blobsAfterFirst = await countBlobs(home.path);
    // Three files plus the .gitattributes of the initial commit.
    assert.equal(blobsAfterFirst, 4);

    const second = await runCli(["import", folder.path, "team/tiny", "--home", home.path]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(
      second.stdout,
      `Nothing changed: model team/tiny@main already holds these 3 files\ncommit ${first.commit}\nNo server runs on this home: \`hangar serve\` serves it over HTTP\n`,
    );
    assert.equal(await countBlobs(home.path), blobsAfterFirst);
    // No progress bar and no noise when stderr is not a terminal.
    assert.equal(second.stderr, "");
  });

  it("creates a missing branch from main and commits there, leaving main alone", async () => {
    await writeFile(join(folder.path, "NOTES.md"), "Only on the dev branch.\n");
    const onDev = await json<ImportJson>([
      "import",
      folder.path,
      "team/tiny",
      "--revision",
      "dev",
      "--message",
      "Add notes",
      "--home",
      home.path,
    ]);
    assert.equal(onDev.revision, "dev");
    assert.equal(onDev.branchCreated, true);
    assert.equal(onDev.created, true);
    assert.equal(onDev.files, 4);

    const hangar = await createHangar(defaultConfig(home.path));
    try {
      const repo = (await hangar.catalog.repos.get({ type: "model", namespace: "team", name: "tiny" }))!;
      const dev = (await hangar.catalog.commits.getRef(repo.pk, "branch", "dev"))!;
      const main = (await hangar.catalog.commits.getRef(repo.pk, "branch", "main"))!;
      assert.equal(dev.commitOid, onDev.commit);
      assert.notEqual(main.commitOid, onDev.commit);
      const devCommit = (await hangar.catalog.commits.getCommit(repo.pk, dev.commitOid))!;
      assert.equal(devCommit.title, "Add notes");
      assert.deepEqual(devCommit.parents, [main.commitOid]);
    } finally {
      await hangar.close();
    }
  });

  it("imports a dataset as a private repo", async () => {
    const result = await json<ImportJson>([
      "import",
      folder.path,
      "team/tiny-data",
      "--type",
      "dataset",
      "--private",
      "--home",
      home.path,
    ]);
    assert.equal(result.type, "dataset");
    assert.equal(result.url, null);
    const hangar = await createHangar(defaultConfig(home.path));
    try {
      const repo = await hangar.catalog.repos.get({ type: "dataset", namespace: "team", name: "tiny-data" });
      assert.equal(repo?.private, true);
    } finally {
      await hangar.close();
    }
  });

  it("refuses a missing folder, a bad repo id or type, and creates nothing", async () => {
    const missing = join(folder.path, "does-not-exist");
    const cases: Array<[string[], RegExp]> = [
      [
        ["import", missing, "team/other", "--revision", "dev", "--home", home.path],
        /^hangar import: .*does-not-exist is not a folder$/,
      ],
      [
        ["import", folder.path, "not a repo id", "--home", home.path],
        /^hangar import: Invalid repo id "not a repo id": expected "namespace\/name"$/,
      ],
      [
        ["import", folder.path, "team/x", "--type", "notebook", "--home", home.path],
        /^hangar import: Invalid repo type "notebook"/,
      ],
      [
        ["import", folder.path, "team/x", "--revision", "bad..name", "--home", home.path],
        /^hangar import: Invalid branch name "bad..name": it contains "\.\.", "\/\/" or "@\{"$/,
      ],
      [["import", folder.path, "--home", home.path], /missing arguments/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    for (const [index, [, pattern]] of cases.entries()) assertOneLineError(results[index]!, pattern);
    const hangar = await createHangar(defaultConfig(home.path));
    try {
      assert.equal(
        await hangar.catalog.repos.get({ type: "model", namespace: "team", name: "other" }),
        undefined,
      );
      assert.equal(
        await hangar.catalog.repos.get({ type: "model", namespace: "team", name: "x" }),
        undefined,
      );
    } finally {
      await hangar.close();
    }
  });
});
