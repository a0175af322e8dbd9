/** The dimensions usage can be grouped by (`GET /v1/usage?group_by=user,model`). */
export const USAGE_DIMENSIONS = ["user", "org", "token", "model", "route", "day", "task", "api"] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

/** Which usage events a read covers: each field set narrows it (names without regard to case). */
export interface UsageFilter {
  /** ISO times: events at or after `from`, before `to`. */
  from?: string;
  to?: string;
  user?: string;
  org?: string;
  tokenId?: number;
  model?: string;
  route?: string;
}

/** Which events a usage report covers and how it groups them. */
export interface UsageReportQuery extends UsageFilter {
  groupBy: readonly UsageDimension[];
}

/** One group of a usage report: its dimensions' values, then the sums. */
export type UsageGroupRow = Partial<Record<UsageDimension, string | number | null>> & {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  tokens: number;
  /** Time the calls took, ms (local compute is priced by it). */
  computeMs: number;
  costNanos: number;
};

/** Each dimension's column expression (both engines: `substr` of the ISO time is its UTC day). */
const COLUMN: Record<UsageDimension, string> = {
  user: "caller",
  org: "org",
  token: "token_id",
  model: "model",
  route: "route",
  day: "substr(at, 1, 10)",
  task: "task",
  api: "api",
};

/** The WHERE clause (empty when nothing narrows) and its parameters of a filter over `usage_events`. */
export function usageWhere(filter: UsageFilter): { where: string; values: Array<string | number> } {
  const clauses: string[] = [];
  const values: Array<string | number> = [];
  const add = (clause: string, value: string | number | undefined) => {
    if (value === undefined) return;
    clauses.push(clause);
    values.push(value);
  };
  add("at >= ?", filter.from);
  add("at < ?", filter.to);
  add("lower(caller) = lower(?)", filter.user);
  add("lower(org) = lower(?)", filter.org);
  add("token_id = ?", filter.tokenId);
  add("lower(model) = lower(?)", filter.model);
  add("lower(route) = lower(?)", filter.route);
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", values };
}

/** The report's statement; dimension names come from `USAGE_DIMENSIONS`, values are parameters. */
export function usageReportSql(query: UsageReportQuery): { sql: string; values: Array<string | number> } {
  const { where, values } = usageWhere(query);
  const selected = query.groupBy.map((dimension) => `${COLUMN[dimension]} AS "${dimension}"`);
  const grouped = query.groupBy.map((dimension) => COLUMN[dimension]);
  const sql = `SELECT ${[...selected, ""].join(", ")}COUNT(*) AS requests,
      SUM(CASE WHEN outcome <> 'ok' THEN 1 ELSE 0 END) AS errors,
      SUM(CASE WHEN unit = 'tokens' THEN input_units ELSE 0 END) AS "inputTokens",
      SUM(CASE WHEN output_unit = 'tokens' THEN output_units ELSE 0 END) AS "outputTokens",
      SUM(tokens) AS tokens, SUM(latency_ms) AS "computeMs", SUM(cost_nanos) AS "costNanos"
    FROM usage_events ${where}
    ${grouped.length ? `GROUP BY ${grouped.join(", ")} ORDER BY ${grouped.join(", ")}` : ""}`;
  return { sql, values };
}
