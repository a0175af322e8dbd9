import { createHash } from "node:crypto";
import { lfsPointer, type TreeFile } from "../core/types.ts";

/** git's blob id: sha1 of `blob <size>\0` followed by the bytes. */
export function gitBlobOid(content: Uint8Array): string {
  return createHash("sha1").update(`blob ${content.byteLength}\0`).update(content).digest("hex");
}

/** The git blob id of the pointer file that stands in for an LFS object. */
export function lfsPointerOid(sha256: string, size: number): string {
  return gitBlobOid(Buffer.from(lfsPointer(sha256, size)));
}

/** A stable id for a folder's contents at a commit, used as the `oid` of directory entries. */
export function folderOid(files: readonly TreeFile[]): string {
  const hash = createHash("sha1");
  for (const file of files) hash.update(`${file.path}\0${file.gitOid}\n`);
  return hash.digest("hex");
}

/**
 * A commit id: sha1 over the tree, parents, author, date and message. The same repo state made by the same
 * author at the same moment gets the same id; anything else gets a different one.
 */
export function computeCommitOid(commit: {
  files: readonly TreeFile[];
  parents: readonly string[];
  author: string;
  date: string;
  message: string;
}): string {
  const hash = createHash("sha1");
  hash.update(`tree ${folderOid(commit.files)}\n`);
  for (const parent of commit.parents) hash.update(`parent ${parent}\n`);
  hash.update(`author ${commit.author} ${commit.date}\n\n${commit.message}`);
  return hash.digest("hex");
}

/** The Hub stores a file through LFS from 10 MB on, or when its first bytes look binary. */
export function looksBinary(sample: Uint8Array): boolean {
  const length = Math.min(sample.byteLength, 8000);
  for (let index = 0; index < length; index++) if (sample[index] === 0) return true;
  return false;
}
