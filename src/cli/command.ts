import type { ParseArgsConfig } from "node:util";
import type { HangarConfig } from "../core/config.ts";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>[string] & {
  description: string;
  valueName?: string;
};

/** One CLI command: its options, its help and what it runs. */
export interface Command {
  /** Words that name the command, e.g. `["token", "create"]`. */
  name: string[];
  summary: string;
  /** Positional arguments, for the help text (e.g. `<dir> <repo_id>`). */
  usage?: string;
  options?: Record<string, OptionSpec>;
  /** Whether the command works on an instance's home folder (adds `--home`). */
  usesHome?: boolean;
  /** A number is the exit code of a run that did not fail (`hangar scan` exits 1 or 2 on findings). */
  run(input: CommandInput): Promise<void> | Promise<number>;
}

/** An output stream the CLI writes to; `isTTY` is set on a terminal (progress bars draw only there). */
export type CliOutput = NodeJS.WritableStream & { isTTY?: boolean };

export interface CommandInput {
  positionals: string[];
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  /** Resolved once from flags and environment by `main`. */
  config: HangarConfig;
  env: Record<string, string | undefined>;
  /** Whether `--json` was given: print machine-readable output only. */
  json: boolean;
  stdout: CliOutput;
  stderr: CliOutput;
}
