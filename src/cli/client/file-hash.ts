import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";

/**
 * The two content ids the Hub protocol uses: the git blob sha1 of a regular file and the sha256 of an LFS
 * file. Both the upload (to skip what the server already has) and the download (to check what arrived)
 * compare against them.
 */
export type ContentAlgorithm = "git-sha1" | "sha256";

/** A hash to feed a file's bytes in order (for git-sha1 the blob header is already in). */
export function createContentHash(algorithm: ContentAlgorithm, size: number): Hash {
  if (algorithm === "sha256") return createHash("sha256");
  return createHash("sha1").update(`blob ${size}\0`);
}

export async function hashFile(path: string, algorithm: ContentAlgorithm): Promise<string> {
  const { size } = await stat(path);
  const hash = createContentHash(algorithm, size);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
