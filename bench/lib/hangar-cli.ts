import { execFile } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./hangar-process.ts";

export interface CliResult {
  /** The process's exit code (0: done; 1: the operation failed; 2: bad usage). */
  code: number;
  /** stdout parsed as JSON (every command prints JSON under `--json`), or undefined when it is not JSON. */
  json: unknown;
  stdout: string;
  stderr: string;
}

/**
 * Runs `hangar <args> --home <home> --json` as a user would, in its own process, and returns what it printed.
 * A non-zero exit is a result, not an error: callers decide (fsck exits 1 when it finds problems).
 */
export function runHangarCli(params: { home: string; args: string[] }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, "bin", "hangar.js"), ...params.args, "--home", params.home, "--json"],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, env: process.env },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        if (error && typeof error.code !== "number") {
          reject(error);
          return;
        }
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        resolve({ code, json, stdout, stderr });
      },
    );
  });
}

/** Runs a CLI command that must succeed and returns its JSON output. */
export async function hangarCliJson<T>(params: { home: string; args: string[] }): Promise<T> {
  const result = await runHangarCli(params);
  if (result.code !== 0) {
    throw new Error(`hangar ${params.args.join(" ")} exited with ${result.code}: ${result.stderr.trim()}`);
  }
  return result.json as T;
}
