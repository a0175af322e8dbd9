import { parseArgs } from "node:util";
import { resolveConfig } from "../core/config.ts";
import { HangarError } from "../core/errors.ts";
import { collectWarnings } from "../core/response-warnings.ts";
import type { CliOutput, Command, OptionSpec } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { commandFailure, reportFailure, usageFailure } from "./report-error.ts";

const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "Print machine-readable JSON" },
  help: { type: "boolean", short: "h", description: "Show help" },
};
const HOME_OPTION: Record<string, OptionSpec> = {
  home: { type: "string", description: "Instance folder (HANGAR_HOME, default ~/.hangar)", valueName: "DIR" },
  database: {
    type: "string",
    description: "Catalog on PostgreSQL (HANGAR_DATABASE_URL; default the SQLite file in the home)",
    valueName: "postgres://…",
  },
  blobs: {
    type: "string",
    description: "Blobs in an S3-compatible store (HANGAR_BLOB_STORE; default HOME/blobs)",
    valueName: "s3://BUCKET/PREFIX",
  },
};

function findCommand(args: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of COMMANDS) {
    const matches = command.name.every((word, index) => args[index] === word);
    if (matches && (!best || command.name.length > best.command.name.length)) {
      best = { command, rest: args.slice(command.name.length) };
    }
  }
  return best;
}

function optionsOf(command: Command): Record<string, OptionSpec> {
  return { ...(command.usesHome ? HOME_OPTION : {}), ...command.options, ...COMMON_OPTIONS };
}

function commandHelp(command: Command): string {
  const lines = [
    `Usage: hangar ${command.name.join(" ")}${command.usage ? ` ${command.usage}` : ""} [options]`,
    "",
    command.summary,
    "",
    "Options:",
  ];
  for (const [name, spec] of Object.entries(optionsOf(command))) {
    const flag = `${spec.short ? `-${spec.short}, ` : ""}--${name}${spec.type === "string" ? ` ${spec.valueName ?? "VALUE"}` : ""}`;
    lines.push(`  ${flag.padEnd(30)} ${spec.description}`);
  }
  return `${lines.join("\n")}\n`;
}

function generalHelp(prefix: string[] = []): string {
  const lines = [
    "Usage: hangar <command> [options]",
    "",
    "A self-hostable model hub that speaks Hugging Face's protocols.",
    "",
    "Commands:",
  ];
  for (const command of COMMANDS) {
    if (!prefix.every((word, index) => command.name[index] === word)) continue;
    const name = `${command.name.join(" ")}${command.usage ? ` ${command.usage}` : ""}`;
    lines.push(`  ${name.padEnd(44)} ${command.summary}`);
  }
  lines.push("", "Run `hangar <command> --help` for a command's options.");
  return `${lines.join("\n")}\n`;
}

/** Where `main` and the commands write; the process's own streams unless a caller (a test) passes others. */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
}

/**
 * Runs one CLI invocation and resolves to its exit code, without exiting: `bin/hangar.js` sets the exit code.
 * Exit codes: 1 for a failed operation, 2 for a usage error. Errors go to stderr as one line, or under
 * `--json` as one JSON object with the error's code, whatever failed (also options that do not parse).
 */
export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const { stdout, stderr } = io;
  const wantsJson = argv.includes("--json");
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      stdout.write(generalHelp());
      return 0;
    }
    const prefixMatches = COMMANDS.some((command) => command.name[0] === argv[0]);
    if (prefixMatches && (argv.includes("--help") || argv.includes("-h") || argv.length === 1)) {
      stdout.write(generalHelp([argv[0]!]));
      return argv.length === 1 ? 2 : 0;
    }
    return reportFailure({
      failure: usageFailure(`unknown command "${argv.join(" ")}"; run \`hangar --help\` for the list`),
      json: wantsJson,
      prefix: "hangar",
      stderr,
    });
  }
  const { command, rest } = found;
  const prefix = `hangar ${command.name.join(" ")}`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: optionsOf(command), allowPositionals: true, strict: true });
  } catch (error) {
    const failure = usageFailure((error as Error).message);
    return reportFailure({ failure, json: wantsJson, prefix, stderr });
  }
  if (parsed.values.help) {
    stdout.write(commandHelp(command));
    return 0;
  }
  try {
    const values = parsed.values as Record<string, string | boolean | undefined>;
    const config = resolveConfig({
      env,
      flags: {
        ...(typeof values.home === "string" ? { home: values.home } : {}),
        ...(typeof values.database === "string" ? { database: values.database } : {}),
        ...(typeof values.blobs === "string" ? { blobs: values.blobs } : {}),
        ...(typeof values.host === "string" ? { host: values.host } : {}),
        ...(typeof values.port === "string" ? { port: values.port } : {}),
        ...(typeof values["log-level"] === "string" ? { logLevel: values["log-level"] } : {}),
        ...(typeof values.routes === "string" ? { routes: values.routes } : {}),
      },
    });
    // Warnings of operations that succeed (a licence under review) go to stderr, once each; under
    // `hangar serve` each request collects its own into a response header instead.
    const warned = new Set<string>();
    const code = await collectWarnings(
      (warning) => {
        if (warned.has(warning)) return;
        warned.add(warning);
        stderr.write(`Warning: ${warning}\n`);
      },
      () =>
        command.run({
          positionals: parsed.positionals,
          values: parsed.values,
          config,
          env,
          json: Boolean(parsed.values.json),
          stdout,
          stderr,
        }),
    );
    return typeof code === "number" ? code : 0;
  } catch (error) {
    if (!HangarError.isInstance(error) && env.HANGAR_DEBUG)
      stderr.write(`${(error as Error)?.stack ?? error}\n`);
    const json = Boolean(parsed.values.json);
    return reportFailure({ failure: commandFailure(error), json, prefix, stderr });
  }
}
