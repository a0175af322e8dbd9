import { badRequest } from "../../core/errors.ts";
import { CONNECTION_OPTIONS, connectionOf, stringOption } from "../client/cli-options.ts";
import { hubRequest, withClientErrors } from "../client/hub-client.ts";
import type { Command, CommandInput } from "../command.ts";
import { expectPositionals, requiredOption, writeJson, writeTable } from "./local-home.ts";

interface BudgetView {
  id: string;
  scope: string;
  name: string;
  unit: string;
  period: string;
  limit: number;
  thresholds: number[];
  current: { period_key: string; spent: number; reserved: number; remaining: number; used_percent: number };
}

const SCOPES = ["user", "org", "token", "model", "route"] as const;

/** Calls the budgets API of the server the connection options name. */
export function apiCall<T>(input: CommandInput, method: string, path: string, body?: unknown): Promise<T> {
  const connection = connectionOf(input);
  return withClientErrors(connection, () =>
    hubRequest<T>(connection, method, `${connection.hubUrl}${path}`, body),
  );
}

function amount(unit: string, value: number): string {
  return unit === "usd" ? `$${value.toFixed(value < 1 ? 6 : 2)}` : String(value);
}

export function budgetRows(budgets: readonly BudgetView[]): string[][] {
  return budgets.map((budget) => [
    budget.id,
    `${budget.scope}:${budget.name}`,
    budget.period,
    budget.unit,
    amount(budget.unit, budget.limit),
    amount(budget.unit, budget.current.spent),
    amount(budget.unit, budget.current.remaining),
    `${budget.current.used_percent}%`,
  ]);
}

export const BUDGET_HEADER = ["id", "scope", "period", "unit", "limit", "spent", "remaining", "used"];

export const budgetSetCommand: Command = {
  name: ["budget", "set"],
  summary:
    "Set a budget: (--user NAME | --org NAME | --token ID | --model ID | --route NAME) --limit N --unit usd|requests|tokens --period day|month|total",
  options: {
    ...CONNECTION_OPTIONS,
    user: { type: "string", description: "A user's budget", valueName: "NAME" },
    org: { type: "string", description: "An organisation's budget", valueName: "NAME" },
    token: { type: "string", description: "Access token for the server (HF_TOKEN)", valueName: "TOKEN" },
    "token-id": { type: "string", description: "A token's budget, by token id", valueName: "ID" },
    model: { type: "string", description: "A model's budget (the name clients send)", valueName: "ID" },
    route: { type: "string", description: "A route's budget", valueName: "NAME" },
    limit: { type: "string", description: "The limit: USD for --unit usd, else a count", valueName: "N" },
    unit: { type: "string", description: "usd, requests or tokens", valueName: "UNIT" },
    period: { type: "string", description: "day, month or total (UTC)", valueName: "PERIOD" },
    thresholds: { type: "string", description: "Alert percentages (default 50,80,100)", valueName: "LIST" },
    "webhook-url": { type: "string", description: "Where this budget's alerts are POSTed", valueName: "URL" },
    "webhook-secret": {
      type: "string",
      description: "HMAC key of the alerts' X-Hangar-Signature",
      valueName: "SECRET",
    },
  },
  async run(input) {
    expectPositionals(input.positionals, 0, "no arguments");
    // --token is the connection's access token (as in every client command): a token budget is --token-id.
    const named = (["user", "org", "token-id", "model", "route"] as const).filter(
      (flag) => stringOption(input, flag) !== undefined,
    );
    if (named.length !== 1) {
      throw badRequest("name exactly one of --user, --org, --token-id, --model, --route");
    }
    const flag = named[0]!;
    const scope = flag === "token-id" ? "token" : (flag as (typeof SCOPES)[number]);
    const limitText = requiredOption(input.values, "limit");
    const limit = Number(limitText);
    if (!Number.isFinite(limit) || limit < 0)
      throw badRequest(`--limit must be a number, got "${limitText}"`);
    const thresholds = stringOption(input, "thresholds");
    const webhookUrl = stringOption(input, "webhook-url");
    const webhookSecret = stringOption(input, "webhook-secret");
    const budget = await apiCall<BudgetView>(input, "POST", "/v1/budgets", {
      scope,
      name: stringOption(input, flag),
      limit,
      unit: requiredOption(input.values, "unit"),
      period: requiredOption(input.values, "period"),
      ...(thresholds ? { thresholds: thresholds.split(",").map((part) => Number(part.trim())) } : {}),
      ...(webhookUrl ? { webhook_url: webhookUrl } : {}),
      ...(webhookSecret ? { webhook_secret: webhookSecret } : {}),
    });
    if (input.json) return writeJson(input.stdout, budget);
    input.stdout.write(
      `Budget ${budget.id}: ${budget.scope} ${budget.name}, ${amount(budget.unit, budget.limit)} ${budget.unit === "usd" ? "" : `${budget.unit} `}per ${budget.period}\n`,
    );
  },
};

export const budgetListCommand: Command = {
  name: ["budget", "list"],
  summary: "List budgets and their spend this period (administrators: all; others: their own)",
  options: { ...CONNECTION_OPTIONS },
  async run(input) {
    expectPositionals(input.positionals, 0, "no arguments");
    const { budgets } = await apiCall<{ budgets: BudgetView[] }>(input, "GET", "/v1/budgets");
    if (input.json) return writeJson(input.stdout, { budgets });
    writeTable(input.stdout, BUDGET_HEADER, budgetRows(budgets), "no budgets");
  },
};

export const budgetRemoveCommand: Command = {
  name: ["budget", "remove"],
  summary: "Remove a budget by id (`hangar budget list` shows them)",
  usage: "<id>",
  options: { ...CONNECTION_OPTIONS },
  async run(input) {
    const [id] = expectPositionals(input.positionals, 1, "<id>");
    await apiCall(input, "DELETE", `/v1/budgets/${encodeURIComponent(id!)}`);
    if (input.json) return writeJson(input.stdout, { removed: id });
    input.stdout.write(`Removed budget ${id}\n`);
  },
};

export const BUDGET_COMMANDS: Command[] = [budgetSetCommand, budgetListCommand, budgetRemoveCommand];
