import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { stopChild } from "./child.ts";

/** The checkout's root: where `bin/hangar.js` is. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The most of the server's stderr kept for a report (its newest part). */
const STDERR_KEPT = 1024 * 1024;

export interface HangarProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** What the server wrote to stderr so far (its newest megabyte): stacks of internal errors land there. */
  stderr(): string;
  /** How the server ended, once it has (a crash under load shows here); undefined while it runs. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

export interface HangarProcessOptions {
  /** How long the server may take to print its URL (a first start that seeds the demo models takes longer). */
  startTimeoutMs?: number;
}

/**
 * Runs `hangar serve --home <home> --port 0 --json` as a child process (so its memory is its own) and
 * resolves with the URL from the JSON line it prints once listening. `env` is added to the environment;
 * an empty value unsets a default (an empty variable counts as unset), e.g. `HANGAR_NO_DEMO: ""` seeds.
 */
export function startHangarProcess(
  home: string,
  env: Record<string, string> = {},
  options: HangarProcessOptions = {},
): Promise<HangarProcess> {
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const child = spawn(
    process.execPath,
    [
      // For profiling the server: e.g. HANGAR_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
      ...(process.env.HANGAR_BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      join(REPO_ROOT, "bin", "hangar.js"),
      "serve",
      "--home",
      home,
      "--port",
      "0",
      "--json",
    ],
    {
      cwd: REPO_ROOT,
      // By default no demo repos and no bundled catalog snapshot: the benchmark builds exactly the catalog it
      // measures.
      env: { ...process.env, HANGAR_NO_DEMO: "1", HANGAR_NO_CATALOG: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 2 * STDERR_KEPT) stderr = stderr.slice(-STDERR_KEPT);
  });
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`hangar serve did not print its URL within ${startTimeoutMs / 1000} s: ${stderr.trim()}`),
      );
    }, startTimeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timeout);
      reject(new Error(`hangar serve exited with ${code}: ${stderr.trim()}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      let parsed: { url?: unknown };
      try {
        parsed = JSON.parse(line) as { url?: unknown };
      } catch {
        return;
      }
      if (typeof parsed.url !== "string") return;
      clearTimeout(timeout);
      child.removeAllListeners("exit");
      let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      child.once("exit", (code, signal) => {
        ended = { code, signal };
      });
      resolve({
        url: parsed.url,
        pid: child.pid!,
        stop: () => stopChild(child),
        stderr: () => stderr.slice(-STDERR_KEPT),
        exit: () => ended,
      });
    });
  });
}
