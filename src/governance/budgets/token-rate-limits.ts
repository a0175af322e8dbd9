import { HangarError } from "../../core/errors.ts";
import type { SpendSettings } from "../../core/spend-config.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { CatalogTables } from "../../store/catalog.ts";
import type { TokenRateLimitRow } from "../../store/prices-table.ts";
import type { WindowCounter } from "../../store/window-counter.ts";

const WINDOW_MS = 60_000;
const CACHE_MS = 2_000;

/** A caller's tokens-per-minute window after a call took its worst case from it. */
export interface TokenWindow {
  key: string;
  limit: number;
  count: number;
  resetAt: number;
}

/** OpenAI's duration format for `x-ratelimit-reset-*`: `1s`, `6m0s`, `250ms`. */
export function resetDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const seconds = Math.ceil(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

/** OpenAI's headers of a token window: limit, remaining and reset of `-tokens`. */
export function tokenHeaders(
  window: Pick<TokenWindow, "limit" | "count" | "resetAt">,
): Record<string, string> {
  return {
    "x-ratelimit-limit-tokens": String(window.limit),
    "x-ratelimit-remaining-tokens": String(Math.max(0, window.limit - window.count)),
    "x-ratelimit-reset-tokens": resetDuration(window.resetAt - Date.now()),
  };
}

/**
 * Tokens per minute per token: the token's own limit, else its user's, else the instance's default
 * (`HANGAR_TOKEN_RATE_LIMIT`). A call counts its worst case (prompt bound plus `max_tokens`) against the
 * window when it is admitted, atomically (increment, then give back and refuse if past the limit), and
 * gives back what it did not use when it ends. The window counter is the server's (Redis across nodes).
 */
export class TokenRateLimits {
  private cached: { at: number; rows: TokenRateLimitRow[] } | undefined;

  constructor(
    private readonly catalog: CatalogTables,
    private counter: WindowCounter,
    private readonly settings: SpendSettings,
  ) {}

  useCounter(counter: WindowCounter): void {
    this.counter = counter;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async rows(): Promise<TokenRateLimitRow[]> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.rows;
    const rows = await this.catalog.prices.tokenRateLimits();
    this.cached = { at: Date.now(), rows };
    return rows;
  }

  /** The caller's tokens per minute, or undefined when none applies (anonymous callers, local administration). */
  async limitOf(caller: Caller): Promise<number | undefined> {
    if (!caller || caller.token.id <= 0) return undefined;
    const rows = await this.rows();
    const token = rows.find((row) => row.scopeKind === "token" && row.scopeName === String(caller.token.id));
    if (token) return token.tokensPerMinute;
    const user = rows.find(
      (row) => row.scopeKind === "user" && row.scopeName.toLowerCase() === caller.user.toLowerCase(),
    );
    return user?.tokensPerMinute ?? this.settings.tokensPerMinute;
  }

  private keyOf(caller: NonNullable<Caller>): string {
    return `tokens:token:${caller.token.id}`;
  }

  /** Takes `amount` tokens from the caller's window, or refuses with 429 and OpenAI's headers. */
  async take(caller: NonNullable<Caller>, limit: number, amount: number): Promise<TokenWindow> {
    const key = this.keyOf(caller);
    const window = await this.counter.increment(key, WINDOW_MS, amount);
    if (window.count > limit) {
      const after = await this.counter.increment(key, WINDOW_MS, -amount);
      const headers = tokenHeaders({ limit, count: after.count, resetAt: after.resetAt });
      const seconds = Math.max(1, Math.ceil((after.resetAt - Date.now()) / 1000));
      throw new HangarError(
        "HANGAR_ERR_RATE_LIMITED",
        `Too many tokens from your token: the limit is ${limit} tokens per minute, ${Math.max(0, limit - after.count)} are left and this request may take up to ${amount}. Try again in ${seconds} s`,
        { headers: { ...headers, "Retry-After": String(seconds) }, details: { limit: "tokens" } },
      );
    }
    return { key, limit, count: window.count, resetAt: window.resetAt };
  }

  /** Gives back tokens taken but not used (a negative amount takes more: a call that used past its bound). */
  async giveBack(window: TokenWindow, amount: number): Promise<void> {
    if (amount === 0) return;
    // Only into the window the tokens were taken from: a new window starts from zero.
    const open = await this.counter.peek(window.key);
    if (!open || open.resetAt > window.resetAt + 1000) return;
    await this.counter.increment(window.key, WINDOW_MS, -amount);
  }

  /** The caller's window as it is now, for the response headers; undefined when no limit applies. */
  async windowOf(caller: Caller): Promise<Pick<TokenWindow, "limit" | "count" | "resetAt"> | undefined> {
    const limit = await this.limitOf(caller);
    if (limit === undefined || !caller) return undefined;
    const open = await this.counter.peek(this.keyOf(caller));
    return { limit, count: open?.count ?? 0, resetAt: open?.resetAt ?? Date.now() + WINDOW_MS };
  }
}
