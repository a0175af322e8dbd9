import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { HANGAR_BIN } from "./hangar-cli.ts";

export interface ServeProcess {
  child: ChildProcess;
  /** The URL `hangar serve` printed. */
  url: string;
  /** Everything it printed on stdout so far. */
  output: () => string;
}

/** Starts `hangar serve` and resolves with the URL it prints; rejects with its stderr if it exits first. */
export async function spawnServe(args: string[], env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  const child = spawn(process.execPath, [HANGAR_BIN, "serve", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = / at (http:\/\/[^\s]+)\n/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`hangar serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, output: () => stdout };
}

/** Stops a `hangar serve` child with SIGTERM and waits for it to exit. */
export async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}
