import { parseArgs } from "node:util";
import { resolveConfig } from "../core/config.ts";
import { HangarError } from "../core/errors.ts";
import type { Command, OptionSpec } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";

const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "Print machine-readable JSON" },
  help: { type: "boolean", short: "h", description: "Show help" },
};
const HOME_OPTION: Record<string, OptionSpec> = {
  home: { type: "string", description: "Instance folder (HANGAR_HOME, default ~/.hangar)", valueName: "DIR" },
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

/** Exit codes: 1 for a failed operation, 2 for a usage error. */
export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const found = findCommand(argv);
  if (!found) {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      process.stdout.write(generalHelp());
      return 0;
    }
    const prefixMatches = COMMANDS.some((command) => command.name[0] === argv[0]);
    if (prefixMatches && (argv.includes("--help") || argv.includes("-h") || argv.length === 1)) {
      process.stdout.write(generalHelp([argv[0]!]));
      return argv.length === 1 ? 2 : 0;
    }
    process.stderr.write(`hangar: unknown command "${argv.join(" ")}"; run \`hangar --help\` for the list\n`);
    return 2;
  }
  const { command, rest } = found;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: optionsOf(command), allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`hangar ${command.name.join(" ")}: ${(error as Error).message.split("\n")[0]}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  try {
    const values = parsed.values as Record<string, string | boolean | undefined>;
    const config = resolveConfig({
      env,
      flags: {
        ...(typeof values.home === "string" ? { home: values.home } : {}),
        ...(typeof values.host === "string" ? { host: values.host } : {}),
        ...(typeof values.port === "string" ? { port: values.port } : {}),
      },
    });
    await command.run({
      positionals: parsed.positionals,
      values: parsed.values,
      config,
      env,
      json: Boolean(parsed.values.json),
      stdout: process.stdout,
      stderr: process.stderr,
    });
    return 0;
  } catch (error) {
    const message = HangarError.isInstance(error) || error instanceof Error ? error.message : String(error);
    process.stderr.write(`hangar ${command.name.join(" ")}: ${message.split("\n")[0]}\n`);
    if (!HangarError.isInstance(error) && env.HANGAR_DEBUG) console.error(error);
    return HangarError.isInstance(error) && error.status === 400 ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2), process.env);
