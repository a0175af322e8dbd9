// The tests' OpenAI-compatible stand-in (`test/helpers/openai-upstream.ts`) run as a child process, so that a
// client calling it directly crosses processes as it would with a real upstream (vLLM, TGI, another host):
// answered in the benchmark's own process, a direct call never waits for another process to be woken.
// As a script it listens on 127.0.0.1 and prints `{"url": ...}`.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { OpenAiUpstream } from "../../test/helpers/openai-upstream.ts";
import { stopChild } from "./child.ts";

export interface UpstreamProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts an `OpenAiUpstream` in a child process; resolves with its URL once it listens. */
export async function startOpenAiUpstreamProcess(): Promise<UpstreamProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the upstream did not start within 20 s: ${stderr.trim()}`));
    }, 20_000);
    child.once("exit", (code) => {
      clearTimeout(timeout);
      reject(new Error(`the upstream exited with ${code}: ${stderr.trim()}`));
    });
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timeout);
      child.removeAllListeners("exit");
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const upstream = await new OpenAiUpstream().start();
  process.stdout.write(`${JSON.stringify({ url: upstream.url })}\n`);
  process.once("SIGTERM", () => {
    upstream.kill().then(() => process.exit(0));
  });
}
