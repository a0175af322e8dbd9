import { Writable } from "node:stream";
import { main } from "../../src/cli/main.ts";
import type { HangarCliRun } from "./hangar-cli.ts";

/**
 * Variables that would point the CLI at another instance than the one a test names with `--home` or
 * `--endpoint`, or change how it reports: left out of the environment `runCli` gives `main`.
 */
const UNSET = [
  "HANGAR_HOME",
  "HANGAR_ADMIN_TOKEN",
  "HANGAR_PUBLIC_URL",
  "HANGAR_PORT",
  "HANGAR_HOST",
  "HANGAR_DATABASE_URL",
  "HANGAR_BLOB_STORE",
  "HANGAR_DEBUG",
  "HF_TOKEN",
  "HF_ENDPOINT",
];

/** Collects what the CLI writes; not a terminal, so progress bars stay off as they do when piped. */
class Captured extends Writable {
  private readonly chunks: Buffer[] = [];
  readonly isTTY = false;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    done();
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/**
 * Runs `hangar <args>` in this process through the CLI's own `main`, as `bin/hangar.js` does, and returns its
 * exit code and output. The environment is this process's without the variables above, plus `env`; nothing
 * global is changed. Commands that serve, exit the process or listen for signals still need `hangarCli`.
 */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<HangarCliRun> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of UNSET) delete base[name];
  const stdout = new Captured();
  const stderr = new Captured();
  const code = await main(args, { ...base, ...env }, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
