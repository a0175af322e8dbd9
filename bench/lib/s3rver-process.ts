// s3rver, the S3-compatible server the tests use, run as a child process so the bytes it serves cost its own
// CPU (not the benchmark client's event loop). Production runs on a real store (AWS S3, MinIO, R2, ...); the
// figures here are those of s3rver, a small Node.js server, and say nothing of a real store's speed.
// As a script it serves a fresh folder `argv[2]` on 127.0.0.1 and prints `{"endpoint": ...}`.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { S3RVER_CREDENTIALS } from "../../test/helpers/s3.ts";
import { stopChild } from "./child.ts";

export { S3RVER_CREDENTIALS };

export interface RunningS3 {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts s3rver in a child process on `directory` and creates `bucket` on it. */
export async function startS3rverProcess(directory: string, bucket: string): Promise<RunningS3> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), directory], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`s3rver did not start within 20 s: ${stderr.trim()}`));
    }, 20_000);
    child.once("exit", (code) => {
      clearTimeout(timeout);
      reject(new Error(`s3rver exited with ${code}: ${stderr.trim()}`));
    });
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timeout);
      child.removeAllListeners("exit");
      resolve((JSON.parse(line) as { endpoint: string }).endpoint);
    });
  });
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: S3RVER_CREDENTIALS,
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return { endpoint, pid: child.pid!, stop: () => stopChild(child) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = new S3rver({ address: "127.0.0.1", port: 0, directory: process.argv[2]!, silent: true });
  const address = await server.run();
  process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${address.port}` })}\n`);
  process.once("SIGTERM", () => {
    server.close().then(() => process.exit(0));
  });
}
