import { randomUUID } from "node:crypto";
import { HangarError } from "../../core/errors.ts";
import { inferenceSettings } from "../../core/inference-config.ts";
import { reservationTtl, type SpendSettings, spendSettings } from "../../core/spend-config.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import type { BackendCall, InferenceBackend } from "../../inference/backend.ts";
import type { GateTicket, InferenceGate, MeteredCall, UsageCharge } from "../../inference/inference-gate.ts";
import { isRecord } from "../../inference/tasks/task-definition.ts";
import type { BudgetReservation, BudgetRow, BudgetScope, BudgetUnit } from "../../store/budgets-table.ts";
import { MemoryWindowCounter, type WindowCounter } from "../../store/window-counter.ts";
import { costNanos, type Price, PriceBook, readPricesFile } from "../pricing/price-book.ts";
import { AlertLogger, type BudgetAlert, crossedThresholds } from "./budget-alerts.ts";
import { budgetLabel, formatAmount } from "./budget-view.ts";
import { periodKey } from "./periods.ts";
import { ReservationSweeper } from "./reservation-sweeper.ts";
import { TokenRateLimits, type TokenWindow } from "./token-rate-limits.ts";
import { answeredBy, candidatesOf, tokenBounds } from "./worst-case.ts";

/** What one admitted call holds in one budget until it settles. */
interface Reservation {
  budget: BudgetRow;
  row: BudgetReservation;
}

/** The organisation a call is billed to: the model's namespace when the caller belongs to it, else the caller's only organisation. */
export function billedOrg(caller: Caller, model: string): string | null {
  if (!caller || caller.orgs.length === 0) return null;
  const namespace = model.includes("/") ? model.split("/")[0]!.toLowerCase() : undefined;
  const own = namespace ? caller.orgs.find((org) => org.name.toLowerCase() === namespace) : undefined;
  if (own) return own.name;
  return caller.orgs.length === 1 ? caller.orgs[0]!.name : null;
}

function tokenIdOf(caller: Caller): number | null {
  // Local administration (the CLI on its own home) has no token of its own: id 0.
  return caller && caller.token.id > 0 ? caller.token.id : null;
}

/**
 * Prices, budgets and token rate limits around every inference call (the runtime's gate). A call reserves
 * its worst-case cost in every budget that applies to it (its user, token, organisation, model and route)
 * in one catalog transaction of conditional updates, so concurrent calls can never take a budget past its
 * limit; the call is refused with 402 when one has too little left. When the call ends it settles to what
 * was metered, and thresholds crossed fire their alerts once per period. A reservation its process never
 * settled (it died) stops counting once older than any call may run (reservation-sweeper.ts).
 */
export class SpendControl implements InferenceGate {
  readonly settings: SpendSettings;
  readonly prices: PriceBook;
  readonly alerts: AlertLogger;
  readonly tokenLimits: TokenRateLimits;
  readonly reservations: ReservationSweeper;

  constructor(
    private readonly hub: HubContext,
    counter: WindowCounter = new MemoryWindowCounter(),
  ) {
    this.settings = spendSettings(hub.config);
    this.prices = new PriceBook(
      hub.catalog,
      this.settings.pricesFile ? readPricesFile(this.settings.pricesFile) : [],
    );
    this.alerts = new AlertLogger();
    this.tokenLimits = new TokenRateLimits(hub.catalog, counter, this.settings);
    this.reservations = new ReservationSweeper(
      hub.catalog,
      reservationTtl(this.settings, inferenceSettings(hub.config).timeoutMs),
      () => this.alerts.log,
    );
  }

  /** Releases the reservations of processes that died, now and periodically (`hangar serve` starts it). */
  start(): void {
    this.reservations.start();
  }

  /** Counts token rate limits in `counter` (the server's: Redis when several nodes share the limits). */
  useCounter(counter: WindowCounter): void {
    this.tokenLimits.useCounter(counter);
  }

  attribute(call: BackendCall, backend: InferenceBackend): UsageCharge {
    return {
      costNanos: 0,
      tokens: 0,
      tokenId: tokenIdOf(call.caller),
      org: billedOrg(call.caller, call.model),
      route: backend.kind === "route" ? call.model : null,
      priceSource: null,
    };
  }

  private scopesOf(charge: UsageCharge, call: BackendCall): Array<{ kind: BudgetScope; name: string }> {
    const scopes: Array<{ kind: BudgetScope; name: string }> = [{ kind: "model", name: call.model }];
    if (call.caller) scopes.push({ kind: "user", name: call.caller.user });
    if (charge.tokenId !== null) scopes.push({ kind: "token", name: String(charge.tokenId) });
    if (charge.org) scopes.push({ kind: "org", name: charge.org });
    if (charge.route) scopes.push({ kind: "route", name: charge.route });
    return scopes;
  }

  async admit(call: BackendCall, backend: InferenceBackend): Promise<GateTicket> {
    const base = this.attribute(call, backend);
    const budgets = await this.hub.catalog.budgets.matching(this.scopesOf(base, call));
    const tokenLimit = await this.tokenLimits.limitOf(call.caller);
    // Nothing to reserve in and no limit to count against: the call's worst case is not needed.
    if (budgets.length === 0 && tokenLimit === undefined)
      return this.ticket(call, backend, base, [], undefined, 0);
    const bounds = tokenBounds(call, backend, this.settings.maxTokensBound);
    const bounded = budgets.some((budget) => budget.unit !== "requests") || tokenLimit !== undefined;
    if (bounds.bound !== undefined && bounded) {
      // The reservation is a true bound only if the upstream cannot generate more than it counts.
      call.parameters = {
        ...(isRecord(call.parameters) ? call.parameters : {}),
        max_new_tokens: bounds.bound,
      };
    }
    const worstTokens = bounds.input + bounds.output;
    let worstCost = 0;
    if (budgets.some((budget) => budget.unit === "usd")) {
      const timeoutMs = inferenceSettings(this.hub.config).timeoutMs;
      for (const candidate of candidatesOf(call, backend)) {
        const price = await this.prices.priceOf(candidate);
        worstCost = Math.max(
          worstCost,
          costNanos(price, {
            inputTokens: bounds.input,
            outputTokens: bounds.output,
            computeMs: price.perHour > 0 ? timeoutMs : 0,
          }),
        );
      }
    }
    const worst: Record<BudgetUnit, number> = { usd: worstCost, requests: 1, tokens: worstTokens };
    const window: TokenWindow | undefined =
      tokenLimit === undefined
        ? undefined
        : await this.tokenLimits.take(call.caller!, tokenLimit, worstTokens);
    let reservations: Reservation[] = [];
    try {
      if (budgets.length > 0) reservations = await this.reserve(budgets, worst);
    } catch (error) {
      if (window) await this.tokenLimits.giveBack(window, worstTokens);
      throw error;
    }
    return this.ticket(call, backend, base, reservations, window, worstTokens);
  }

  /**
   * Reserves `worst` in every budget at once, or none: the first one short refuses the call with 402, unless
   * releasing its stale reservations makes room.
   */
  private reserve(budgets: readonly BudgetRow[], worst: Record<BudgetUnit, number>): Promise<Reservation[]> {
    const now = new Date();
    const id = randomUUID();
    return this.hub.catalog.transaction(async (tx) => {
      const reservations: Reservation[] = [];
      // In id order: two calls reserving in the same budgets lock them in the same order.
      for (const budget of [...budgets].sort((a, b) => a.id.localeCompare(b.id))) {
        const key = periodKey(budget.period, now);
        const row = {
          id,
          budgetId: budget.id,
          periodKey: key,
          amount: worst[budget.unit],
          createdAt: now.getTime(),
        };
        const reserved =
          (await tx.budgets.reserve(row, budget.limitAmount)) ||
          ((await this.reservations.releaseStale(tx, budget.id, key)) > 0 &&
            (await tx.budgets.reserve(row, budget.limitAmount)));
        if (!reserved) {
          const spend = await tx.budgets.spend(budget.id, key);
          throw budgetExceeded(budget, key, spend.spent + spend.reserved, row.amount);
        }
        reservations.push({ budget, row });
      }
      return reservations;
    });
  }

  private ticket(
    call: BackendCall,
    backend: InferenceBackend,
    base: UsageCharge,
    reservations: Reservation[],
    window: TokenWindow | undefined,
    worstTokens: number,
  ): GateTicket {
    let settled: Promise<UsageCharge> | undefined;
    const settle = async (metered: MeteredCall): Promise<UsageCharge> => {
      const tokens =
        (metered.unit === "tokens" ? metered.inputUnits : 0) +
        (metered.outputUnit === "tokens" ? metered.outputUnits : 0);
      let price: Price | undefined;
      let cost = 0;
      try {
        price = await this.prices.priceOf(answeredBy(call, backend));
        cost = costNanos(price, {
          inputTokens: metered.unit === "tokens" ? metered.inputUnits : 0,
          outputTokens: metered.outputUnit === "tokens" ? metered.outputUnits : 0,
          computeMs: metered.latencyMs,
        });
        const actual: Record<BudgetUnit, number> = { usd: cost, requests: 1, tokens };
        if (window) await this.tokenLimits.giveBack(window, worstTokens - tokens);
        if (reservations.length > 0) {
          const alerts = await this.hub.catalog.transaction(async (tx) => {
            const crossed: BudgetAlert[] = [];
            for (const reservation of reservations) {
              const spend = await tx.budgets.settle(reservation.row, actual[reservation.budget.unit]);
              crossed.push(
                ...(await crossedThresholds(
                  tx,
                  reservation.budget,
                  reservation.row.periodKey,
                  spend,
                  this.settings,
                )),
              );
            }
            return crossed;
          });
          this.alerts.write(alerts);
        }
      } catch (error) {
        // The answer is given already: a settlement that fails is logged, not thrown at the caller.
        this.alerts.log({ err: (error as Error).message }, "budget settlement failed");
      }
      return { ...base, costNanos: cost, tokens, priceSource: price?.source ?? null };
    };
    return {
      settle(metered) {
        settled ??= settle(metered);
        return settled;
      },
    };
  }

  async close(): Promise<void> {
    await this.reservations.close();
  }
}

/** 402: which budget, what is left of it, and what the request might have cost. */
export function budgetExceeded(budget: BudgetRow, key: string, taken: number, required: number): HangarError {
  const left = Math.max(0, budget.limitAmount - taken);
  return new HangarError(
    "HANGAR_ERR_BUDGET_EXCEEDED",
    `Budget exceeded: ${budgetLabel(budget)} has ${formatAmount(budget.unit, left)} left in ${key}; this request may take up to ${formatAmount(budget.unit, required)}`,
    {
      details: {
        budget: {
          id: budget.id,
          scope: budget.scopeKind,
          name: budget.scopeName,
          unit: budget.unit,
          period: budget.period,
          period_key: key,
        },
        limit: formatAmount(budget.unit, budget.limitAmount),
        remaining: formatAmount(budget.unit, left),
        required: formatAmount(budget.unit, required),
      },
    },
  );
}

export function newBudgetId(): string {
  return `bgt_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
}
