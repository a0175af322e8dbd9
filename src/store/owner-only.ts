import { chmodSync, closeSync, mkdirSync, openSync, type Stats, statSync } from "node:fs";

/** Rights of group and others: an instance's folder and catalog (which holds secrets) give them none. */
const GROUP_AND_OTHERS = 0o077;

/** The sticky bit: a folder anyone may add files to, such as /tmp. */
const STICKY = 0o1000;

/**
 * Takes the group's and others' rights off an existing file or folder; the owner's stay as they are. Left
 * alone: a path this user does not own (its owner chose its rights; root too must not take them over), a
 * folder shared by design (sticky, as /tmp is, should a home be pointed there), and a missing path.
 */
export function restrictToOwner(path: string): void {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if ((stats.mode & GROUP_AND_OTHERS) === 0 || (stats.mode & STICKY) !== 0) return;
  if (process.getuid !== undefined && stats.uid !== process.getuid()) return;
  try {
    chmodSync(path, stats.mode & 0o700);
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
