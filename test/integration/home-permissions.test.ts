import assert from "node:assert/strict";
import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar } from "../../src/hangar.ts";
import { createToken, createUser } from "../../src/hub/accounts/manage-accounts.ts";
import { signUploadQuery } from "../../src/hub/write/lfs-signing.ts";
import { restrictToOwner } from "../../src/store/owner-only.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

/** The permission bits of a path, as `ls -l` shows them in octal. */
function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe("an instance's home, catalog and secrets are owner-only", () => {
  let temp: { path: string; remove: () => Promise<void> };
  let previousUmask: number;
  before(async () => {
    temp = await makeTempDir("hangar-permissions-");
    // The usual umask, which leaves new files readable by everyone unless Hangar says otherwise.
    previousUmask = process.umask(0o022);
  });
  after(async () => {
    process.umask(previousUmask);
    await temp.remove();
  });

  it("creates a new home 0700 and its database, -wal and -shm files 0600", async () => {
    const home = join(temp.path, "new", "home");
    const hangar = await createHangar(defaultConfig(home));
    try {
      await createUser(hangar, { name: "alice" });
      await createToken(hangar, { user: "alice", role: "write" });
      // The LFS signing secret is written into the catalog on first use.
      await signUploadQuery(hangar, {
        repo: { type: "model", namespace: "alice", name: "x" },
        oid: "a".repeat(64),
        size: 1,
        expires: 1,
        chunkSize: 0,
      });
      assert.equal(modeOf(home), "700");
      assert.equal(modeOf(join(home, "hangar.db")), "600");
      assert.equal(modeOf(join(home, "hangar.db-wal")), "600");
      assert.equal(modeOf(join(home, "hangar.db-shm")), "600");
      assert.equal(modeOf(join(home, "blobs")), "700");
    } finally {
      await hangar.close();
    }
  });

  it("tightens a home and catalog files that others could read, keeping the owner's rights", async () => {
    const home = join(temp.path, "old");
    const first = await createHangar(defaultConfig(home));
    await createUser(first, { name: "bob" });
    await first.close();
    // As an older Hangar left them, plus the -wal and -shm a killed process leaves behind.
    chmodSync(home, 0o755);
    chmodSync(join(home, "hangar.db"), 0o644);
    writeFileSync(join(home, "hangar.db-wal"), "");
    writeFileSync(join(home, "hangar.db-shm"), "");
    chmodSync(join(home, "hangar.db-wal"), 0o666);
    chmodSync(join(home, "hangar.db-shm"), 0o644);
    chmodSync(join(home, "blobs"), 0o775);

    const reopened = await createHangar(defaultConfig(home));
    try {
      assert.equal((await reopened.catalog.accounts.getNamespace("bob"))?.name, "bob");
      assert.equal(modeOf(home), "700");
      assert.equal(modeOf(join(home, "hangar.db")), "600");
      assert.equal(modeOf(join(home, "hangar.db-wal")), "600");
      assert.equal(modeOf(join(home, "hangar.db-shm")), "600");
      assert.equal(modeOf(join(home, "blobs")), "700");
    } finally {
      await reopened.close();
    }
  });

  it("takes rights away from group and others only, never adds the owner's", () => {
    const readOnly = join(temp.path, "read-only.txt");
    writeFileSync(readOnly, "x");
    chmodSync(readOnly, 0o444);
    restrictToOwner(readOnly);
    assert.equal(modeOf(readOnly), "400");
    restrictToOwner(join(temp.path, "missing"));
  });

  it("leaves a folder shared by design (sticky, as /tmp) as it is, and still protects the catalog", async () => {
    const shared = join(temp.path, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const hangar = await createHangar(defaultConfig(shared));
    try {
      assert.equal((statSync(shared).mode & 0o7777).toString(8), "1777");
      assert.equal(modeOf(join(shared, "hangar.db")), "600");
      assert.equal(modeOf(join(shared, "blobs")), "700");
    } finally {
      await hangar.close();
    }
  });

  it("the CLI creates a home owner-only too (hangar user add, token create)", async () => {
    const home = join(temp.path, "cli-home");
    const user = await runCli(["user", "add", "carol", "--home", home]);
    assert.equal(user.code, 0, user.stderr);
    const token = await runCli(["token", "create", "--user", "carol", "--role", "write", "--home", home]);
    assert.equal(token.code, 0, token.stderr);
    assert.equal(modeOf(home), "700");
    assert.equal(modeOf(join(home, "hangar.db")), "600");
  });
});
