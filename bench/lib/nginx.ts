import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stopChild } from "./child.ts";
import { freePort } from "./free-port.ts";

const NGINX_CANDIDATES = [
  "/usr/sbin/nginx",
  "/usr/bin/nginx",
  "/usr/local/sbin/nginx",
  "/usr/local/bin/nginx",
];

export const NGINX_INSTALL_HINT =
  "nginx is not installed: run `apt-get update && apt-get install -y nginx` as root (Debian/Ubuntu), then rerun the benchmark";

/** The nginx binary on this machine, or null. */
export function findNginx(): string | null {
  for (const candidate of NGINX_CANDIDATES) if (existsSync(candidate)) return candidate;
  for (const folder of (process.env.PATH ?? "").split(":")) {
    if (folder && existsSync(join(folder, "nginx"))) return join(folder, "nginx");
  }
  return null;
}

export interface RunningNginx {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts nginx in the foreground as a child process, serving `root` with sendfile on 127.0.0.1, with every
 * path it writes (pid, logs, temp folders) inside `workDir`.
 */
export async function startNginx(binary: string, root: string, workDir: string): Promise<RunningNginx> {
  const port = await freePort();
  for (const folder of ["logs", "body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
    await mkdir(join(workDir, folder), { recursive: true });
  }
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${join(workDir, "nginx.pid")};
error_log ${join(workDir, "logs", "error.log")} warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path ${join(workDir, "body")};
  proxy_temp_path ${join(workDir, "proxy")};
  fastcgi_temp_path ${join(workDir, "fastcgi")};
  uwsgi_temp_path ${join(workDir, "uwsgi")};
  scgi_temp_path ${join(workDir, "scgi")};
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`;
  const configPath = join(workDir, "nginx.conf");
  await writeFile(configPath, config);
  const child = spawn(binary, ["-p", workDir, "-e", join(workDir, "logs", "error.log"), "-c", configPath], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, child, () => stderr);
  return {
    url,
    pid: child.pid!,
    stop: () => stopChild(child),
  };
}

async function waitForHttp(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr().trim()}`);
    try {
      await fetch(url, { method: "HEAD" });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nginx did not answer on ${url} within 10 s: ${stderr().trim()}`);
}
