import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { stopChild } from "./child.ts";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface HangarProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Runs `hangar serve --home <home> --port 0 --json` as a child process (so its memory is its own) and
 * resolves with the URL from the JSON line it prints once listening.
 */
export function startHangarProcess(home: string, env: Record<string, string> = {}): Promise<HangarProcess> {
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
      // No demo repos and no bundled catalog snapshot: the benchmark builds exactly the catalog it measures.
      env: { ...process.env, HANGAR_NO_DEMO: "1", HANGAR_NO_CATALOG: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hangar serve did not print its URL within 30 s: ${stderr.trim()}`));
    }, 30_000);
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
      resolve({ url: parsed.url, pid: child.pid!, stop: () => stopChild(child) });
    });
  });
}
