import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { stopChild } from "./child.ts";

/**
 * The simplest server that takes an upload: Node's http module, each PUT body fed to a sha256 and dropped,
 * nothing written to disk. Run as a child process like Hangar, it is the ceiling of what any Node.js
 * server can ingest over this client and loopback on this machine.
 */
const SINK_SOURCE = `
const http = require("node:http");
const { createHash } = require("node:crypto");
const server = http.createServer((request, response) => {
  const hash = createHash("sha256");
  request.on("data", (chunk) => hash.update(chunk));
  request.on("end", () => {
    response.setHeader("ETag", '"' + hash.digest("hex").slice(0, 32) + '"');
    response.end("{}");
  });
});
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

export interface HashingSink {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function startHashingSink(): Promise<HashingSink> {
  const child = spawn(process.execPath, ["-e", SINK_SOURCE], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the hashing sink exited with ${code}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      child.removeAllListeners("exit");
      const { port } = JSON.parse(line) as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child) });
    });
  });
}
