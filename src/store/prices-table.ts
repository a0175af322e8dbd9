import type { SqlExecutor } from "./sql/sql-database.ts";

export const PRICE_SCOPES = ["model", "route", "backend", "local", "replica"] as const;
export type PriceScope = (typeof PRICE_SCOPES)[number];

/** A price set over the API: per million input/output tokens, and/or per hour of compute. USD. */
export interface PriceRow {
  scopeKind: PriceScope;
  scopeName: string;
  inputPerMillion: number | null;
  outputPerMillion: number | null;
  perHour: number | null;
  updatedBy: string | null;
  updatedAt: string;
}

/** A token rate limit of a user or a token: tokens per minute. */
export interface TokenRateLimitRow {
  scopeKind: "user" | "token";
  scopeName: string;
  tokensPerMinute: number;
  updatedBy: string | null;
  updatedAt: string;
}

/** Prices set over the API (they override the prices file and the defaults) and token rate limits. */
export class PricesTable {
  constructor(private readonly db: SqlExecutor) {}

  async list(): Promise<PriceRow[]> {
    const rows = await this.db.all<PriceRow>(
      `SELECT scope_kind AS "scopeKind", scope_name AS "scopeName", input_per_million AS "inputPerMillion",
         output_per_million AS "outputPerMillion", per_hour AS "perHour", updated_by AS "updatedBy",
         updated_at AS "updatedAt" FROM prices ORDER BY scope_kind, scope_name`,
    );
    return rows.map((row) => ({
      ...row,
      inputPerMillion: row.inputPerMillion === null ? null : Number(row.inputPerMillion),
      outputPerMillion: row.outputPerMillion === null ? null : Number(row.outputPerMillion),
      perHour: row.perHour === null ? null : Number(row.perHour),
    }));
  }

  async set(row: PriceRow): Promise<void> {
    await this.db.run(
      `INSERT INTO prices (scope_kind, scope_name, input_per_million, output_per_million, per_hour, updated_by, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope_kind, scope_name) DO UPDATE SET input_per_million = excluded.input_per_million,
         output_per_million = excluded.output_per_million, per_hour = excluded.per_hour,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [
        row.scopeKind,
        row.scopeName,
        row.inputPerMillion,
        row.outputPerMillion,
        row.perHour,
        row.updatedBy,
        row.updatedAt,
      ],
    );
  }

  async remove(scopeKind: PriceScope, scopeName: string): Promise<boolean> {
    return (
      (
        await this.db.run("DELETE FROM prices WHERE scope_kind = ? AND scope_name = ?", [
          scopeKind,
          scopeName,
        ])
      ).changes > 0
    );
  }

  async tokenRateLimits(): Promise<TokenRateLimitRow[]> {
    const rows = await this.db.all<TokenRateLimitRow>(
      `SELECT scope_kind AS "scopeKind", scope_name AS "scopeName", tokens_per_minute AS "tokensPerMinute",
         updated_by AS "updatedBy", updated_at AS "updatedAt" FROM token_rate_limits ORDER BY scope_kind, scope_name`,
    );
    return rows.map((row) => ({ ...row, tokensPerMinute: Number(row.tokensPerMinute) }));
  }

  async setTokenRateLimit(row: TokenRateLimitRow): Promise<void> {
    await this.db.run(
      `INSERT INTO token_rate_limits (scope_kind, scope_name, tokens_per_minute, updated_by, updated_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (scope_kind, scope_name) DO UPDATE SET tokens_per_minute = excluded.tokens_per_minute,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [row.scopeKind, row.scopeName, row.tokensPerMinute, row.updatedBy, row.updatedAt],
    );
  }

  async removeTokenRateLimit(scopeKind: "user" | "token", scopeName: string): Promise<boolean> {
    return (
      (
        await this.db.run(
          "DELETE FROM token_rate_limits WHERE scope_kind = ? AND lower(scope_name) = lower(?)",
          [scopeKind, scopeName],
        )
      ).changes > 0
    );
  }
}
