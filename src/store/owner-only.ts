import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";

/** Rights of group and others: an instance's folder and catalog (which holds secrets) give them none. */
const GROUP_AND_OTHERS = 0o077;

/**
 * Takes the group's and others' rights off an existing file or folder; the owner's stay as they are. A path
 * this user does not own is left alone (chmod is refused): its owner chose its rights. Missing paths are
 * skipped.
 */
export function restrictToOwner(path: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if ((mode & GROUP_AND_OTHERS) === 0) return;
  try {
    chmodSync(path, mode & 0o700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") throw error;
  }
}

/** Creates a folder (and missing parents) readable by its owner only, or tightens the one that exists. */
export function ensureOwnerOnlyFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  restrictToOwner(path);
}

/** Creates an empty file readable by its owner only (0600) if it is missing, or tightens the one that exists. */
export function ensureOwnerOnlyFile(path: string): void {
  closeSync(openSync(path, "a", 0o600));
  restrictToOwner(path);
}
