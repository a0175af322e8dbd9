import { badRequest } from "../../core/errors.ts";
import type { CommandInput, OptionSpec } from "../command.ts";
import {
  type Connection,
  DEFAULT_ENDPOINT,
  type HubTarget,
  makeTarget,
  resolveConnection,
} from "./hub-client.ts";

/** The options every client command takes: which hub, which token, which kind of repo. */
export const CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  endpoint: {
    type: "string",
    description: `Hub to talk to (HANGAR_ENDPOINT, default ${DEFAULT_ENDPOINT})`,
    valueName: "URL",
  },
  token: { type: "string", description: "Access token (HF_TOKEN)", valueName: "TOKEN" },
};

export const REPO_OPTIONS: Record<string, OptionSpec> = {
  ...CONNECTION_OPTIONS,
  "repo-type": { type: "string", description: "model (default), dataset or space", valueName: "TYPE" },
};

/** `--include` / `--exclude` for commands that pick a repo's files by pattern (`*` crosses `/`). */
export function fileFilterOptions(verb: string): Record<string, OptionSpec> {
  return {
    include: {
      type: "string",
      multiple: true,
      description: `${verb} only files matching this pattern (repeatable; * ? [abc], * crosses /)`,
      valueName: "PATTERN",
    },
    exclude: {
      type: "string",
      multiple: true,
      description: "Skip files matching this pattern (repeatable)",
      valueName: "PATTERN",
    },
  };
}

export function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.values[name];
  return typeof value === "string" ? value : undefined;
}

export function listOption(input: CommandInput, name: string): string[] {
  const value = input.values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === "string");
}

export function connectionOf(input: CommandInput): Connection {
  const endpoint = stringOption(input, "endpoint");
  const token = stringOption(input, "token");
  return resolveConnection({
    ...(endpoint ? { endpoint } : {}),
    ...(token ? { token } : {}),
    env: input.env,
  });
}

/** The positional at `index`, or a usage error naming it. */
export function requiredPositional(input: CommandInput, index: number, name: string): string {
  const value = input.positionals[index];
  if (!value) throw badRequest(`missing ${name}; see --help`);
  return value;
}

export function rejectExtraPositionals(input: CommandInput, count: number): void {
  if (input.positionals.length > count) {
    throw badRequest(`unexpected argument "${input.positionals[count]}"; see --help`);
  }
}

/** The repo named by the first positional, on the hub chosen by the connection options. */
export function targetOf(input: CommandInput): HubTarget {
  const repoId = requiredPositional(input, 0, "<repo_id>");
  return makeTarget(connectionOf(input), repoId, stringOption(input, "repo-type"));
}
