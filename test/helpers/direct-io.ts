import { statfs } from "node:fs/promises";

/** tmpfs keeps files in memory and refuses O_DIRECT; the disk filesystems Linux runs on take it. */
const TMPFS_MAGIC = 0x01021994;

/** Whether Hangar's direct writes should work in `folder`: Linux, on a filesystem other than tmpfs. */
export async function takesDirectIo(folder: string): Promise<boolean> {
  if (process.platform !== "linux") return false;
  return (await statfs(folder)).type !== TMPFS_MAGIC;
}
