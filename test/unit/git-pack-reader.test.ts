import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type PackObject, type PackObjectType, readPack } from "../../src/git/pack-reader.ts";

const LIMITS = { maxObjects: 1000, maxObjectSize: 10 * 1024 * 1024, maxTotalSize: 50 * 1024 * 1024 };

/** Packs written by the real git, read back: every object's id and bytes as `git cat-file` gives them. */
describe("pack reader", () => {
  let dir: string;
  const git = (args: string[], input?: string): Buffer => {
    const result = spawnSync("git", args, {
      cwd: dir,
      input,
      env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" },
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(result.status, 0, result.stderr.toString());
    return result.stdout;
  };
  const catFile = (oid: string): PackObject => ({
    oid,
    type: git(["cat-file", "-t", oid]).toString().trim() as PackObjectType,
    body: git(["cat-file", git(["cat-file", "-t", oid]).toString().trim(), oid]),
  });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "hangar-pack-"));
    git(["init", "-q", "-b", "main", "."]);
    git(["config", "user.name", "T"]);
    git(["config", "user.email", "t@example.com"]);
    const text = Array.from({ length: 5000 }, (_, index) => `row ${index} ${(index * 31) % 97}\n`).join("");
    for (const [round, edit] of ["", "x", "y"].entries()) {
      writeFileSync(join(dir, "big.txt"), `${text}${edit}\n`);
      writeFileSync(join(dir, `file-${round}.txt`), `file ${round}\n`);
      git(["add", "-A"]);
      git(["commit", "-q", "-m", `round ${round}`]);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const expectSame = (objects: PackObject[]) => {
    for (const object of objects) {
      const expected = catFile(object.oid);
      assert.equal(object.type, expected.type);
      assert.ok(object.body.equals(expected.body), `${object.oid} has git's bytes`);
    }
  };

  for (const ofs of [true, false]) {
    it(`reads a full pack with ${ofs ? "OFS_DELTA" : "REF_DELTA"} objects`, async () => {
      const all = git(["rev-list", "--objects", "--all"]).toString();
      const pack = git(["pack-objects", "--stdout", ...(ofs ? ["--delta-base-offset"] : [])], all);
      const objects = await readPack(pack, LIMITS, async () => undefined);
      assert.equal(objects.length, all.trim().split("\n").length);
      expectSame(objects);
    });
  }

  it("reads a thin pack, asking for the bases it lacks", async () => {
    const pack = git(
      ["pack-objects", "--stdout", "--thin", "--revs", "--delta-base-offset"],
      "main\n^main~1\n",
    );
    const asked: string[] = [];
    const objects = await readPack(pack, LIMITS, async (oid) => {
      asked.push(oid);
      return catFile(oid);
    });
    assert.ok(asked.length > 0, "the pack is thin");
    expectSame(objects);
    await assert.rejects(
      readPack(pack, LIMITS, async () => undefined),
      /neither in the pack nor in the repository/,
    );
  });

  it("refuses a corrupt pack and one past the limits", async () => {
    const pack = git(["pack-objects", "--stdout", "--revs"], "main\n");
    const corrupt = Buffer.from(pack);
    corrupt[40] = corrupt[40]! ^ 0xff;
    await assert.rejects(
      readPack(corrupt, LIMITS, async () => undefined),
      /checksum does not match/,
    );
    await assert.rejects(
      readPack(pack, { ...LIMITS, maxObjects: 2 }, async () => undefined),
      /a push may send at most 2/,
    );
    await assert.rejects(
      readPack(pack, { ...LIMITS, maxObjectSize: 1000 }, async () => undefined),
      /objects of at most 1000 bytes/,
    );
  });
});
