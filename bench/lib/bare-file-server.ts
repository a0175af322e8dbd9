// A bare Node.js file server: `node:http` + `fs.createReadStream` + `pipeline`, one `Range` form (`a-b`,
// `a-`, `-n`), nothing else. `bench:hub` runs it beside nginx and Hangar as the ceiling any Node.js server
// reaches on this machine (Node has no sendfile: every byte is read into a buffer and written to the socket).
// Run as a child process (`startBareFileServer`), so its CPU seconds are its own; as a script it serves
// `argv[2]` and prints `{"url": ...}` once listening. Read size: HANGAR_BENCH_BARE_CHUNK_KB (default 1024).
import { type ChildProcess, spawn } from "node:child_process";
import { createReadStream, statSync } from "node:fs";
import http from "node:http";
import { join, normalize } from "node:path";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { stopChild } from "./child.ts";

export interface RunningBareServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the bare server on 127.0.0.1 (a free port) serving the files of `root`, in a child process. */
export function startBareFileServer(root: string): Promise<RunningBareServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), root],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`The bare Node.js server did not start within 10 s: ${stderr.trim()}`));
    }, 10_000);
    child.once("exit", (code) => {
      clearTimeout(timeout);
      reject(new Error(`The bare Node.js server exited with ${code}: ${stderr.trim()}`));
    });
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timeout);
      child.removeAllListeners("exit");
      resolve({
        url: (JSON.parse(line) as { url: string }).url,
        pid: child.pid!,
        stop: () => stopChild(child),
      });
    });
  });
}

function serve(root: string, chunkBytes: number): http.Server {
  return http.createServer((request, response) => {
    const path = normalize(join(root, decodeURIComponent(new URL(request.url!, "http://x").pathname)));
    let size: number;
    try {
      if (!path.startsWith(root)) throw new Error("outside the root");
      size = statSync(path).size;
    } catch {
      response.writeHead(404).end();
      return;
    }
    let start = 0;
    let end = size - 1;
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? "");
    if (range && (range[1] !== "" || range[2] !== "")) {
      start = range[1] === "" ? Math.max(0, size - Number(range[2])) : Number(range[1]);
      end = range[1] !== "" && range[2] !== "" ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end) {
        response.writeHead(416, { "Content-Range": `bytes */${size}` }).end();
        return;
      }
      response.writeHead(206, {
        "Content-Length": end - start + 1,
        "Content-Range": `bytes ${start}-${end}/${size}`,
        "Content-Type": "application/octet-stream",
      });
    } else {
      response.writeHead(200, { "Content-Length": size, "Content-Type": "application/octet-stream" });
    }
    if (request.method === "HEAD" || size === 0) {
      response.end();
      return;
    }
    pipeline(createReadStream(path, { start, end, highWaterMark: chunkBytes }), response).catch(() => {});
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2];
  if (!root) throw new Error("usage: bare-file-server.ts <root folder>");
  const chunkBytes = Number(process.env.HANGAR_BENCH_BARE_CHUNK_KB ?? 1024) * 1024;
  const server = serve(normalize(root), chunkBytes);
  server.listen(0, "127.0.0.1", () => {
    const address = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
  });
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
}
