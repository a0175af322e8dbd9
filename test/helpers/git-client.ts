import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { makeTempDir } from "./test-hangar.ts";

export interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface GitRunOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/**
 * The real git (and git-lfs) as a user runs them against a server, in a temp folder with its own HOME: no
 * user or system configuration but git-lfs's filters, never prompting for credentials, killed if it hangs.
 * Runs asynchronously, so a server in the same process keeps answering.
 */
export class GitClient {
  private clones = 0;

  private constructor(
    readonly dir: string,
    private readonly home: string,
  ) {}

  static async create(): Promise<{ client: GitClient; remove: () => Promise<void> }> {
    const temp = await makeTempDir("hangar-git-client-");
    const client = new GitClient(temp.path, join(temp.path, "home"));
    await client.ok(["init", "-q", client.home]);
    await client.ok(["lfs", "install", "--skip-repo"]);
    return { client, remove: temp.remove };
  }

  /** A fresh folder to clone into. */
  folder(): string {
    return join(this.dir, `clone-${++this.clones}`);
  }

  run(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("git", args, {
        cwd: options.cwd ?? this.dir,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: this.home,
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_TERMINAL_PROMPT: "0",
          GIT_ASKPASS: "",
          LC_ALL: "C",
          ...options.env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Runs git and expects success; its trimmed output. */
  async ok(args: string[], options: GitRunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    assert.equal(result.code, 0, `git ${args.join(" ")} failed:\n${result.stderr}`);
    return result.stdout.trim();
  }
}
