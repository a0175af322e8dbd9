import { readFile } from "node:fs/promises";
import { badRequest } from "../../core/errors.ts";
import { CONNECTION_OPTIONS, stringOption } from "../client/cli-options.ts";
import type { Command } from "../command.ts";
import { apiCall, BUDGET_HEADER, budgetRows } from "./budget.ts";
import { expectPositionals, writeJson, writeTable } from "./local-home.ts";

interface UsageGroup {
  [dimension: string]: string | number | null;
  requests: number;
  tokens: number;
  compute_seconds: number;
  cost_usd: number;
}

const FILTERS = ["from", "to", "user", "org", "model", "route"] as const;

export const usageCommand: Command = {
  name: ["usage"],
  summary:
    "Metered requests, tokens, compute and cost by user, org, token, model, route or day, and spend against each budget",
  options: {
    ...CONNECTION_OPTIONS,
    "group-by": {
      type: "string",
      description: "Comma-separated: user, org, token, model, route, day, task, api",
      valueName: "LIST",
    },
    from: { type: "string", description: "Events at or after this ISO date or time", valueName: "TIME" },
    to: { type: "string", description: "Events before this ISO date or time", valueName: "TIME" },
    user: { type: "string", description: "Only this user's (administrators)", valueName: "NAME" },
    org: { type: "string", description: "Only calls billed to this organisation", valueName: "NAME" },
    "token-id": { type: "string", description: "Only this token id's", valueName: "ID" },
    model: { type: "string", description: "Only this model", valueName: "ID" },
    route: { type: "string", description: "Only this route's", valueName: "NAME" },
  },
  async run(input) {
    expectPositionals(input.positionals, 0, "no arguments");
    const query = new URLSearchParams();
    const groupBy = stringOption(input, "group-by");
    if (groupBy) query.set("group_by", groupBy);
    for (const name of FILTERS) {
      const value = stringOption(input, name);
      if (value !== undefined) query.set(name, value);
    }
    const tokenId = stringOption(input, "token-id");
    if (tokenId !== undefined) query.set("token", tokenId);
    const report = await apiCall<{
      group_by: string[];
      groups: UsageGroup[];
      totals: UsageGroup;
      budgets: never[];
    }>(input, "GET", `/v1/usage${query.size ? `?${query}` : ""}`);
    if (input.json) return writeJson(input.stdout, report);
    const columns = [...report.group_by, "requests", "tokens", "compute_s", "cost_usd"];
    const row = (group: UsageGroup) => [
      ...report.group_by.map((dimension) => String(group[dimension] ?? "-")),
      String(group.requests),
      String(group.tokens),
      group.compute_seconds.toFixed(3),
      group.cost_usd.toFixed(6),
    ];
    writeTable(input.stdout, columns, report.groups.map(row), "no usage");
    input.stdout.write(
      `Total: ${report.totals.requests} requests, ${report.totals.tokens} tokens, $${report.totals.cost_usd.toFixed(6)}\n`,
    );
    if (report.budgets.length) {
      input.stdout.write("\nBudgets:\n");
      writeTable(input.stdout, BUDGET_HEADER, budgetRows(report.budgets), "no budgets");
    }
  },
};

export const usageEstimateCommand: Command = {
  name: ["usage", "estimate"],
  summary:
    "Estimate a workload's cost before it runs (a Batch API JSONL file), or a batch's estimate against its metered cost (--batch ID)",
  usage: "[<file.jsonl>]",
  options: {
    ...CONNECTION_OPTIONS,
    batch: {
      type: "string",
      description: "A batch that ran: its estimate vs its metered cost",
      valueName: "ID",
    },
  },
  async run(input) {
    const batch = stringOption(input, "batch");
    if (batch !== undefined) expectPositionals(input.positionals, 0, "no file with --batch");
    else if (input.positionals.length !== 1) throw badRequest("give a JSONL file, or --batch ID");
    const body =
      batch !== undefined ? { batch_id: batch } : { jsonl: await readFile(input.positionals[0]!, "utf8") };
    const result = await apiCall<Record<string, unknown>>(input, "POST", "/v1/usage/estimate", body);
    if (input.json) return writeJson(input.stdout, result);
    if (batch !== undefined) {
      const compared = result as {
        estimate: { cost_usd: number };
        metered: { cost_usd: number };
        error_percent: number | null;
      };
      input.stdout.write(
        `Estimate $${compared.estimate.cost_usd.toFixed(6)}, metered $${compared.metered.cost_usd.toFixed(6)}, error ${compared.error_percent ?? "-"} %\n`,
      );
      return;
    }
    const estimate = result as {
      requests: number;
      cost_usd: number;
      models: Array<{
        model: string;
        requests: number;
        cost_usd: number;
        method: { input: string; output: string };
        price: { source: string };
      }>;
    };
    writeTable(
      input.stdout,
      ["model", "requests", "cost_usd", "input", "output", "price"],
      estimate.models.map((model) => [
        model.model,
        String(model.requests),
        model.cost_usd.toFixed(6),
        model.method.input,
        model.method.output,
        model.price.source,
      ]),
      "no requests",
    );
    input.stdout.write(`Total: ${estimate.requests} requests, estimated $${estimate.cost_usd.toFixed(6)}\n`);
  },
};
