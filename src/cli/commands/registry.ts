import { badRequest } from "../../core/errors.ts";
import { parseRepoId } from "../../core/validate.ts";
import { CONNECTION_OPTIONS, connectionOf, stringOption } from "../client/cli-options.ts";
import { type Connection, hubRequest, withClientErrors } from "../client/hub-client.ts";
import type { Command, CommandInput } from "../command.ts";
import { expectPositionals, requiredOption, writeJson, writeTable } from "./local-home.ts";

interface VersionView {
  version: number;
  repoId: string;
  commitOid: string;
  revision: string;
  description: string;
  createdAt: string;
  createdBy: string;
  approvals?: Array<{ user: string; role: string }>;
  evidence?: { scans?: { scansDone?: boolean; filesWithIssues?: unknown[] } };
}

interface ModelView {
  name: string;
  description: string;
  gates: Record<string, unknown>;
  versions: VersionView[];
  aliases: Array<{ alias: string; version: number; updatedAt: string }>;
}

interface AliasEvent {
  alias: string;
  action: string;
  fromVersion: number | null;
  toVersion: number;
  actor: string;
  reason: string;
  createdAt: string;
}

/** The registered model named by the first positional, and the connection to the server that holds it. */
function target(input: CommandInput): { connection: Connection; name: string; url: string } {
  const [name] = expectPositionals(input.positionals, 1, "<name>");
  const ref = parseRepoId(name!, "model");
  const connection = connectionOf(input);
  const url = `${connection.hubUrl}/v1/registry/models/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}`;
  return { connection, name: `${ref.namespace}/${ref.name}`, url };
}

function versionOption(input: CommandInput): number {
  const text = requiredOption(input.values, "version");
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw badRequest(`--version must be a whole number from 1, got "${text}"`);
  return Number(text);
}

function call<T>(input: CommandInput, method: string, path: string, body?: unknown): Promise<T> {
  const { connection, name, url } = target(input);
  return withClientErrors({ ...connection, id: name }, () =>
    hubRequest<T>(connection, method, `${url}${path}`, body),
  );
}

const REASON = {
  reason: { type: "string", description: "Why (kept in the alias history)", valueName: "TEXT" },
} as const;

export const registryRegisterCommand: Command = {
  name: ["registry", "register"],
  summary: "Register a new version of a model: a repo pinned at the commit its revision points to now",
  usage: "<name>",
  options: {
    ...CONNECTION_OPTIONS,
    repo: {
      type: "string",
      description: "Model repo the version pins (namespace/name)",
      valueName: "REPO_ID",
    },
    revision: { type: "string", description: "Branch, tag or commit id (default: main)", valueName: "REV" },
    description: { type: "string", description: "What this version is", valueName: "TEXT" },
  },
  async run(input) {
    const revision = stringOption(input, "revision");
    const description = stringOption(input, "description");
    const version = await call<VersionView>(input, "POST", "/versions", {
      repo: requiredOption(input.values, "repo"),
      ...(revision ? { revision } : {}),
      ...(description ? { description } : {}),
    });
    if (input.json) writeJson(input.stdout, version);
    else input.stdout.write(`${version.version}\n`);
  },
};

export const registryConfigureCommand: Command = {
  name: ["registry", "configure"],
  summary: "Set a registered model's description and promotion gates (JSON)",
  usage: "<name>",
  options: {
    ...CONNECTION_OPTIONS,
    description: { type: "string", description: "What the model is for", valueName: "TEXT" },
    gates: {
      type: "string",
      description:
        'Gates as JSON, e.g. {"scans":{},"approvals":{"count":2},"evaluations":[{"dataset":"acme/tickets@v3","metric":"accuracy","min":0.9}]}',
      valueName: "JSON",
    },
  },
  async run(input) {
    const description = stringOption(input, "description");
    const gatesText = stringOption(input, "gates");
    let gates: unknown;
    if (gatesText !== undefined) {
      try {
        gates = JSON.parse(gatesText);
      } catch {
        throw badRequest('--gates must be JSON, e.g. \'{"scans": {"allowSuspicious": false}}\'');
      }
    }
    const model = await call<ModelView>(input, "PUT", "", {
      ...(description === undefined ? {} : { description }),
      ...(gates === undefined ? {} : { gates }),
    });
    if (input.json) writeJson(input.stdout, model);
    else input.stdout.write(`Configured ${model.name}: gates ${JSON.stringify(model.gates)}\n`);
  },
};

export const registryPromoteCommand: Command = {
  name: ["registry", "promote"],
  summary: "Point an alias at a version once every gate guarding the alias passes",
  usage: "<name>",
  options: {
    ...CONNECTION_OPTIONS,
    version: { type: "string", description: "The version to promote", valueName: "N" },
    alias: { type: "string", description: "The alias to move (production, staging...)", valueName: "ALIAS" },
    ...REASON,
  },
  async run(input) {
    const alias = requiredOption(input.values, "alias");
    const reason = stringOption(input, "reason");
    const result = await call<{ event: AliasEvent; gates: Array<{ gate: string; reason: string }> }>(
      input,
      "POST",
      `/aliases/${encodeURIComponent(alias)}`,
      { version: versionOption(input), ...(reason ? { reason } : {}) },
    );
    if (input.json) return writeJson(input.stdout, result);
    const { event } = result;
    input.stdout.write(
      `${alias}: ${event.fromVersion === null ? "new" : `version ${event.fromVersion}`} -> version ${event.toVersion}\n`,
    );
    for (const gate of result.gates) input.stdout.write(`  passed ${gate.gate}: ${gate.reason}\n`);
  },
};

export const registryApproveCommand: Command = {
  name: ["registry", "approve"],
  summary: "Approve a version as the token's user (counted by an approvals gate)",
  usage: "<name>",
  options: {
    ...CONNECTION_OPTIONS,
    version: { type: "string", description: "The version to approve", valueName: "N" },
    comment: { type: "string", description: "A note with the approval", valueName: "TEXT" },
  },
  async run(input) {
    const comment = stringOption(input, "comment");
    const version = versionOption(input);
    const approval = await call<{ user: string; role: string; version: number }>(
      input,
      "POST",
      `/versions/${version}/approvals`,
      comment ? { comment } : {},
    );
    if (input.json) writeJson(input.stdout, approval);
    else input.stdout.write(`Approved version ${approval.version} as ${approval.user} (${approval.role})\n`);
  },
};

export const registryRollbackCommand: Command = {
  name: ["registry", "rollback"],
  summary: "Move an alias back to the version it held before its current one was promoted",
  usage: "<name>",
  options: {
    ...CONNECTION_OPTIONS,
    alias: { type: "string", description: "The alias to move back", valueName: "ALIAS" },
    ...REASON,
  },
  async run(input) {
    const alias = requiredOption(input.values, "alias");
    const reason = stringOption(input, "reason");
    const event = await call<AliasEvent>(
      input,
      "POST",
      `/aliases/${encodeURIComponent(alias)}/rollback`,
      reason ? { reason } : {},
    );
    if (input.json) writeJson(input.stdout, event);
    else
      input.stdout.write(`${alias}: version ${event.fromVersion} -> version ${event.toVersion} (rollback)\n`);
  },
};

export const registryShowCommand: Command = {
  name: ["registry", "show"],
  summary: "Show a registered model: versions, aliases, gates",
  usage: "<name>",
  options: { ...CONNECTION_OPTIONS },
  async run(input) {
    const model = await call<ModelView>(input, "GET", "");
    if (input.json) return writeJson(input.stdout, model);
    const { stdout } = input;
    stdout.write(`${model.name}${model.description ? ` — ${model.description}` : ""}\n`);
    stdout.write(`Gates: ${Object.keys(model.gates).length ? JSON.stringify(model.gates) : "none"}\n\n`);
    const aliasesOf = (version: number) =>
      model.aliases
        .filter((alias) => alias.version === version)
        .map((alias) => alias.alias)
        .join(", ");
    writeTable(
      stdout,
      ["version", "repo", "commit", "revision", "aliases", "approvals", "registered"],
      model.versions.map((version) => [
        String(version.version),
        version.repoId,
        version.commitOid.slice(0, 12),
        version.revision,
        aliasesOf(version.version),
        (version.approvals ?? []).map((approval) => approval.user).join(", "),
        `${version.createdAt} by ${version.createdBy}`,
      ]),
      "no versions",
    );
  },
};

export const registryHistoryCommand: Command = {
  name: ["registry", "history"],
  summary:
    "Every move of a registered model's aliases: who moved which alias from which version to which, when, why",
  usage: "<name>",
  options: {
    ...CONNECTION_OPTIONS,
    alias: { type: "string", description: "Only this alias", valueName: "ALIAS" },
  },
  async run(input) {
    const alias = stringOption(input, "alias");
    const { events } = await call<{ events: AliasEvent[] }>(
      input,
      "GET",
      `/history${alias ? `?alias=${encodeURIComponent(alias)}` : ""}`,
    );
    if (input.json) return writeJson(input.stdout, events);
    writeTable(
      input.stdout,
      ["time", "alias", "action", "from", "to", "by", "reason"],
      events.map((event) => [
        event.createdAt,
        event.alias,
        event.action,
        event.fromVersion === null ? "-" : String(event.fromVersion),
        String(event.toVersion),
        event.actor,
        event.reason,
      ]),
      "no alias moves",
    );
  },
};

export const REGISTRY_COMMANDS: Command[] = [
  registryRegisterCommand,
  registryConfigureCommand,
  registryPromoteCommand,
  registryApproveCommand,
  registryRollbackCommand,
  registryShowCommand,
  registryHistoryCommand,
];
