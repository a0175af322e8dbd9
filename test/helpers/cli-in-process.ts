import { Writable } from "node:stream";
import { main } from "../../src/cli/main.ts";

/** One CLI run: its exit code and everything it wrote. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Hangar's and the Hub client's variables (`HANGAR_*`, `HF_*`) could point the CLI at another instance, hub,
 * token or cache than the ones a test names: `runCli` leaves them out of the environment it gives `main`.
 */
const INHERITED = (name: string) => !/^(HANGAR_|HF_)/.test(name);

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
export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => INHERITED(name)));
  const stdout = new Captured();
  const stderr = new Captured();
  const code = await main(args, { ...base, ...env }, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
