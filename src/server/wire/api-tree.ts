import { lfsPointer } from "../../core/types.ts";
import type { TreeEntry } from "../../hub/read/list-tree.ts";
import { securityFileStatus } from "../../hub/scan/repo-scan-status.ts";

/** A tree entry as `tree` and `paths-info` return it. Never carries `xetHash`: Hangar serves plain LFS. */
export interface ApiTreeEntry {
  type: "file" | "directory";
  oid: string;
  size: number;
  path: string;
  lfs?: { oid: string; size: number; pointerSize: number };
  lastCommit?: { id: string; title: string; date: string };
  /** With `expand`: the Hub's per-file scan status (`status`, `avScan`, `pickleImportScan`). */
  securityFileStatus?: ReturnType<typeof securityFileStatus>;
}

export function toApiTreeEntry(entry: TreeEntry): ApiTreeEntry {
  const lastCommit = entry.lastCommit ? { lastCommit: { ...entry.lastCommit } } : {};
  if (entry.type === "directory") {
    return { type: "directory", oid: entry.oid, size: 0, path: entry.path, ...lastCommit };
  }
  const { file } = entry;
  return {
    type: "file",
    oid: file.gitOid,
    size: file.size,
    path: file.path,
    ...(file.lfs
      ? {
          lfs: {
            oid: file.sha256,
            size: file.size,
            pointerSize: Buffer.byteLength(lfsPointer(file.sha256, file.size)),
          },
        }
      : {}),
    ...lastCommit,
    ...(entry.security === undefined
      ? {}
      : { securityFileStatus: securityFileStatus(entry.security ?? undefined) }),
  };
}
