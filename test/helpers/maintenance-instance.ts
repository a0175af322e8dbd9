// What the maintenance tests (test/integration/maintenance-*.test.ts and commit-limits.test.ts) work on: an
// instance opened in-process, files stored and committed without HTTP, and blobs made to look old.
import { utimes } from "node:fs/promises";
import { defaultConfig } from "../../src/core/config.ts";
import { lfsPointerOid } from "../../src/core/git-objects.ts";
import type { Repo } from "../../src/core/types.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createCommit, type StoredFile } from "../../src/hub/create-commit.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { rawDb } from "./raw-store.ts";
import { fsBlobs, makeTempDir } from "./test-hangar.ts";

/** The local administrator, author of every commit these tests make. */
export const admin = localAdministrator();
export const HOUR_MS = 60 * 60 * 1000;

/** Stores `content` in the blob store, as a regular or an LFS file of a commit. */
export async function storeFile(hangar: Hangar, content: string | Buffer, lfs = false): Promise<StoredFile> {
  const bytes = Buffer.from(content);
  const stored = await hangar.blobs.put(bytes, { expectedSize: bytes.byteLength });
  return {
    sha256: stored.sha256,
    size: stored.size,
    lfs,
    gitOid: lfs ? lfsPointerOid(stored.sha256, stored.size) : stored.gitOid!,
  };
}

/** Commits `files` to the main branch of `repo`; the new commit's id. */
export async function commitFiles(
  hangar: Hangar,
  repo: Repo,
  files: Record<string, StoredFile>,
): Promise<string> {
  const result = await createCommit(hangar, {
    repo,
    revision: "main",
    title: "Add files",
    author: admin.user,
    operations: Object.entries(files).map(([path, file]) => ({ kind: "put", path, file })),
  });
  return result.commit.oid;
}

/** Makes a blob look as if it was stored (and registered) `ageMs` ago. */
export async function age(hangar: Hangar, sha256: string, ageMs: number): Promise<void> {
  const when = new Date(Date.now() - ageMs);
  await utimes(fsBlobs(hangar).pathOf(sha256), when, when);
  rawDb(hangar.catalog)
    .prepare("UPDATE blobs SET created_at = ? WHERE sha256 = ?")
    .run(when.toISOString(), sha256);
}

/** An instance in a temp home, opened in-process, with one model repo team/model. */
export async function openInstance(): Promise<{ hangar: Hangar; repo: Repo; close: () => Promise<void> }> {
  const temp = await makeTempDir();
  const hangar = await createHangar(defaultConfig(temp.path));
  const repo = await createRepo(hangar, admin, { type: "model", namespace: "team", name: "model" });
  return {
    hangar,
    repo,
    close: async () => {
      await hangar.close();
      await temp.remove();
    },
  };
}
