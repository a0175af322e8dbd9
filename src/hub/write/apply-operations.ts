import { HangarError } from "../../core/errors.ts";
import type { TreeFile } from "../../core/types.ts";
import type { CommitOperation } from "../create-commit.ts";

/**
 * A commit's operations applied to the files of its parent's tree (create-commit.ts): puts, deletes and
 * folder deletes, and the check that the resulting tree holds no path as both a file and a folder.
 */

/** Applies one operation to `files` (path to file), adding the paths it touches to `changed`. */
export function applyOperation(
  files: Map<string, TreeFile>,
  changed: Set<string>,
  operation: CommitOperation,
): void {
  switch (operation.kind) {
    case "put": {
      // Re-putting identical content keeps the commit that last changed the file.
      const previous = files.get(operation.path);
      const lastCommit = previous?.gitOid === operation.file.gitOid ? previous.lastCommit : "";
      files.set(operation.path, { path: operation.path, ...operation.file, lastCommit });
      changed.add(operation.path);
      return;
    }
    case "delete": {
      if (!files.delete(operation.path)) {
        throw new HangarError("HANGAR_ERR_ENTRY_NOT_FOUND", `Cannot delete ${operation.path}: no such file`);
      }
      changed.add(operation.path);
      return;
    }
    case "deleteFolder": {
      const prefix = operation.path.endsWith("/") ? operation.path : `${operation.path}/`;
      let removed = 0;
      for (const path of [...files.keys()]) {
        if (path.startsWith(prefix)) {
          files.delete(path);
          changed.add(path);
          removed++;
        }
      }
      if (removed === 0) {
        throw new HangarError(
          "HANGAR_ERR_ENTRY_NOT_FOUND",
          `Cannot delete the folder ${operation.path}: no such folder`,
        );
      }
      return;
    }
  }
}

/** A path may not be both a file and a folder: `a` as a file and `a/b` cannot live in one tree. */
export function assertNoFolderCollision(
  files: ReadonlyMap<string, TreeFile>,
  changed: ReadonlySet<string>,
): void {
  const folders = new Set<string>();
  for (const path of files.keys()) {
    for (let slash = path.indexOf("/"); slash !== -1; slash = path.indexOf("/", slash + 1)) {
      folders.add(path.slice(0, slash));
    }
  }
  for (const path of changed) {
    if (!files.has(path)) continue;
    if (folders.has(path))
      throw new HangarError("HANGAR_ERR_INVALID_PATH", `Cannot add ${path}: a folder has that path`);
    for (let slash = path.indexOf("/"); slash !== -1; slash = path.indexOf("/", slash + 1)) {
      const folder = path.slice(0, slash);
      if (files.has(folder)) {
        throw new HangarError(
          "HANGAR_ERR_INVALID_PATH",
          `Cannot add ${path}: ${folder} is a file, not a folder`,
        );
      }
    }
  }
}
