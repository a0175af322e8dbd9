import { execFile } from "node:child_process";
import { join } from "node:path";

/** `bin/hangar.js` of this checkout. */
export const HANGAR_BIN = join(import.meta.dirname, "..", "..", "bin", "hangar.js");

export interface HangarCliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in a child process without the caller's HANGAR_HOME (tests pass `--home`). */
export function hangarCli(args: string[]): Promise<HangarCliRun> {
  const env = { ...process.env };
  delete env.HANGAR_HOME;
  return new Promise((resolve) => {
    execFile(process.execPath, [HANGAR_BIN, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
