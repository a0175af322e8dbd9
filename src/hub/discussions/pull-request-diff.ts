import { lfsPointer, type TreeFile } from "../../core/types.ts";
import type { BlobStorage } from "../../store/blob-store-types.ts";
import type { PullRequestChange } from "./pull-request-changes.ts";

/** Regular files larger than this are shown as changed binary files rather than line by line. */
const MAX_TEXT_BYTES = 1024 ** 2;
const NO_OID = "0000000000000000000000000000000000000000";

/** A file's text as git shows it (an LFS file is its pointer), or undefined for a binary file. */
async function textOf(blobs: BlobStorage, file: TreeFile | undefined): Promise<string[] | undefined> {
  if (!file) return [];
  if (file.lfs) return splitLines(lfsPointer(file.sha256, file.size));
  if (file.size > MAX_TEXT_BYTES) return undefined;
  const bytes = await blobs.read(file.sha256);
  if (bytes.includes(0)) return undefined;
  return splitLines(bytes.toString("utf8"));
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/**
 * The pull request's changes as a git diff, as the Hub serves it with `?diff=1`. Each changed text file is
 * one hunk, every old line removed and every new line added: a valid diff that `git apply` takes, though
 * not the shortest one.
 */
export async function pullRequestDiff(
  blobs: BlobStorage,
  changes: readonly PullRequestChange[],
): Promise<string> {
  const parts: string[] = [];
  for (const { path, before, after } of changes) {
    parts.push(`diff --git a/${path} b/${path}`);
    if (!before) parts.push("new file mode 100644");
    if (!after) parts.push("deleted file mode 100644");
    parts.push(
      `index ${(before?.gitOid ?? NO_OID).slice(0, 7)}..${(after?.gitOid ?? NO_OID).slice(0, 7)}${before && after ? " 100644" : ""}`,
    );
    const [old, now] = await Promise.all([textOf(blobs, before), textOf(blobs, after)]);
    const from = before ? `a/${path}` : "/dev/null";
    const to = after ? `b/${path}` : "/dev/null";
    if (old === undefined || now === undefined) {
      parts.push(`Binary files ${from} and ${to} differ`);
      continue;
    }
    parts.push(`--- ${from}`, `+++ ${to}`);
    const range = (lines: string[]) => (lines.length === 0 ? "0,0" : `1,${lines.length}`);
    parts.push(`@@ -${range(old)} +${range(now)} @@`);
    for (const line of old) parts.push(`-${line}`);
    for (const line of now) parts.push(`+${line}`);
  }
  return parts.length === 0 ? "" : `${parts.join("\n")}\n`;
}
