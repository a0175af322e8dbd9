import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cleanups: Array<() => Promise<void>> = [];

/** Registers work for `runCleanups` (stop a child, remove a folder); the last registered runs first. */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

/** Runs every registered cleanup, newest first, even when some fail. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop()!;
    await cleanup().catch((error: unknown) => {
      process.stderr.write(`cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  }
}

/** A temp folder under the system temp dir, removed by `runCleanups`. */
export async function makeTempDir(prefix: string): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), `hangar-bench-${prefix}-`));
  onCleanup(() => rm(path, { recursive: true, force: true }));
  return path;
}
