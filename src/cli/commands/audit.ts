import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { badRequest } from "../../core/errors.ts";
import {
  type AuditEntry,
  type ListAuditParams,
  listAudit,
  verifyAuditChain,
} from "../../governance/audit/index.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import { stringOption } from "../client/cli-options.ts";
import type { Command, CommandInput } from "../command.ts";
import { expectPositionals, withLocalHome, writeJson, writeTable } from "./local-home.ts";

const FILTER_OPTIONS = {
  actor: { type: "string", description: "Only entries by this user", valueName: "USER" },
  action: {
    type: "string",
    description: 'Only this action (repo.create), or a scope ending in "." (repo.)',
    valueName: "ACTION",
  },
  target: {
    type: "string",
    description: "Only entries on this target (model:acme/classifier, token:12...)",
    valueName: "TARGET",
  },
  since: { type: "string", description: "Only entries at or after this ISO time", valueName: "TIME" },
  until: { type: "string", description: "Only entries at or before this ISO time", valueName: "TIME" },
} as const;

function filtersOf(input: CommandInput): ListAuditParams {
  const params: ListAuditParams = {};
  for (const name of ["actor", "action", "target", "since", "until"] as const) {
    const value = stringOption(input, name);
    if (value !== undefined) params[name] = value;
  }
  return params;
}

function wholeNumber(input: CommandInput, name: string): number | undefined {
  const value = stringOption(input, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

function actorOf(entry: AuditEntry): string {
  if (!entry.actor.user) return "-";
  return entry.actor.tokenId === null
    ? entry.actor.user
    : `${entry.actor.user} (token ${entry.actor.tokenId})`;
}

export const auditListCommand: Command = {
  name: ["audit", "list"],
  summary: "List audit log entries, oldest first, filtered by actor, action, target and time",
  usesHome: true,
  options: {
    ...FILTER_OPTIONS,
    limit: {
      type: "string",
      description: "At most this many entries (default 100, at most 1000)",
      valueName: "N",
    },
    after: { type: "string", description: "Entries after this sequence number (paging)", valueName: "SEQ" },
  },
  async run(input) {
    expectPositionals(input.positionals, 0, "no arguments");
    const limit = wholeNumber(input, "limit");
    const after = wholeNumber(input, "after");
    const page = await withLocalHome(input.config, (hangar) =>
      listAudit(hangar.catalog, localAdministrator(), {
        ...filtersOf(input),
        ...(limit === undefined ? {} : { limit }),
        ...(after === undefined ? {} : { after }),
      }),
    );
    if (input.json) return writeJson(input.stdout, page);
    writeTable(
      input.stdout,
      ["seq", "time", "actor", "action", "target", "outcome", "address"],
      page.entries.map((entry) => [
        String(entry.seq),
        entry.time,
        actorOf(entry),
        entry.action,
        entry.target,
        entry.outcome,
        entry.clientAddress ?? "-",
      ]),
      "no entries",
    );
    if (page.next !== null) input.stdout.write(`More: --after ${page.next}\n`);
  },
};

export const auditExportCommand: Command = {
  name: ["audit", "export"],
  summary:
    "Write the whole audit log as JSON Lines, one entry per line in chain order (to stdout or --output)",
  usesHome: true,
  options: {
    output: {
      type: "string",
      short: "o",
      description: "Write to this file instead of stdout",
      valueName: "FILE",
    },
  },
  async run(input) {
    expectPositionals(input.positionals, 0, "no arguments");
    const path = stringOption(input, "output");
    const out = path ? createWriteStream(path, { mode: 0o600 }) : input.stdout;
    let count = 0;
    await withLocalHome(input.config, (hangar) =>
      hangar.catalog.transaction(
        async (tx) => {
          for await (const page of tx.audit.pages()) {
            for (const entry of page) {
              if (!out.write(`${JSON.stringify(entry)}\n`)) await once(out, "drain");
              count++;
            }
          }
        },
        { readOnly: true },
      ),
    );
    if (path) {
      (out as NodeJS.WritableStream).end();
      await once(out, "finish");
      input.stderr.write(`Exported ${count} entries to ${path}\n`);
    }
  },
};

export const auditVerifyCommand: Command = {
  name: ["audit", "verify"],
  summary:
    "Recompute the audit log's hash chain; names the first entry altered, removed or reordered (exit 1)",
  usesHome: true,
  async run(input) {
    expectPositionals(input.positionals, 0, "no arguments");
    const result = await withLocalHome(input.config, (hangar) => verifyAuditChain(hangar.catalog));
    if (input.json) writeJson(input.stdout, result);
    else if (result.ok)
      input.stdout.write(`The audit log is intact: ${result.entries} entries, head ${result.head.hash}\n`);
    else
      input.stdout.write(
        `The audit log is broken at entry ${result.firstBreak!.seq}: ${result.firstBreak!.message}\n`,
      );
    return result.ok ? 0 : 1;
  },
};

export const AUDIT_COMMANDS: Command[] = [auditListCommand, auditExportCommand, auditVerifyCommand];
