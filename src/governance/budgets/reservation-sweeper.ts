import type { BudgetReservation } from "../../store/budgets-table.ts";
import type { Catalog, CatalogTables } from "../../store/catalog.ts";
import type { AlertLog } from "./budget-alerts.ts";

/** Stale reservations released per transaction by a sweep. */
const SWEEP_BATCH = 100;
/** A sweep runs every half bound, at least every second and at most every minute. */
const SWEEP_MIN_MS = 1_000;
const SWEEP_MAX_MS = 60_000;

/**
 * Expiry of budget reservations. A call's reservation is released when it settles; one whose process died
 * first would count against its budget until the period ends. Past `ttlMs` (longer than any call may run),
 * a reservation no longer counts: a call refused for want of room releases its budget's stale ones and
 * tries again, and a sweep releases them all at start and periodically (on every node: a reservation is
 * released once, by whoever deletes its row).
 */
export class ReservationSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    private readonly catalog: Catalog,
    readonly ttlMs: number,
    private readonly log: () => AlertLog,
  ) {}

  /** Reservations taken before this are stale. */
  private cutoff(): number {
    return Date.now() - this.ttlMs;
  }

  /** Sweeps now, then periodically until `close`. */
  start(): void {
    if (this.timer) return;
    void this.sweep();
    const interval = Math.min(SWEEP_MAX_MS, Math.max(SWEEP_MIN_MS, Math.floor(this.ttlMs / 2)));
    this.timer = setInterval(() => void this.sweep(), interval);
    this.timer.unref();
  }

  /** Releases every stale reservation; resolves with how many this node released. */
  sweep(): Promise<number> {
    this.sweeping ??= this.releaseAll().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async releaseAll(): Promise<number> {
    const cutoff = this.cutoff();
    let released = 0;
    try {
      for (;;) {
        const stale = await this.catalog.budgets.staleReservations(cutoff, SWEEP_BATCH);
        released += await this.catalog.transaction((tx) => releaseEach(tx, stale));
        if (stale.length < SWEEP_BATCH) break;
      }
    } catch (error) {
      this.log()({ err: (error as Error).message }, "budget reservation sweep failed");
    }
    return released;
  }

  /** Releases the stale reservations of one budget's period, in the caller's transaction; how many it did. */
  async releaseStale(tx: CatalogTables, budgetId: string, periodKey: string): Promise<number> {
    const stale = await tx.budgets.staleReservations(this.cutoff(), Number.MAX_SAFE_INTEGER, {
      budgetId,
      periodKey,
    });
    return releaseEach(tx, stale);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }
}

/**
 * Releases reservations in budget id order: the order in which calls reserve and settle, so that a sweep and
 * a call never wait for each other's budget rows in opposite orders.
 */
async function releaseEach(tx: CatalogTables, reservations: readonly BudgetReservation[]): Promise<number> {
  const ordered = [...reservations].sort(
    (a, b) => a.budgetId.localeCompare(b.budgetId) || a.periodKey.localeCompare(b.periodKey),
  );
  let released = 0;
  for (const reservation of ordered) if (await tx.budgets.release(reservation)) released++;
  return released;
}
