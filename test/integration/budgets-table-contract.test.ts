// Budget reservations through the budgets table's methods, on SQLite and PostgreSQL: each is given back
// once, whether by the call that settles it or by a sweep of stale ones.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ReservationSweeper } from "../../src/governance/budgets/reservation-sweeper.ts";
import type { BudgetReservation } from "../../src/store/budgets-table.ts";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";

const AT = "2026-01-02T03:04:05.000Z";
const PERIOD = "2026-01-02";
const MINUTE = 60_000;

for (const engine of CATALOG_ENGINES) {
  describe(`budget reservations: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const budget = async (id: string, limitAmount: number) => {
      await catalog.budgets.upsert({
        id,
        scopeKind: "user",
        scopeName: id,
        unit: "requests",
        period: "day",
        limitAmount,
        thresholds: [],
        webhookUrl: null,
        webhookSecret: null,
        createdBy: null,
        createdAt: AT,
        updatedAt: AT,
      });
    };
    const hold = (id: string, budgetId: string, createdAt: number): BudgetReservation => ({
      id,
      budgetId,
      periodKey: PERIOD,
      amount: 1,
      createdAt,
    });

    it("a reservation counts until it is settled; one settled after a sweep gave it back is not given back twice", async () => {
      await budget("bgt_a", 2);
      const now = Date.now();
      const crashed = hold("call-crashed", "bgt_a", now - 10 * MINUTE);
      const slow = hold("call-slow", "bgt_a", now - 10 * MINUTE);
      assert.equal(await catalog.budgets.reserve(crashed, 2), true);
      assert.equal(await catalog.budgets.reserve(slow, 2), true);
      assert.equal(await catalog.budgets.reserve(hold("call-3", "bgt_a", now), 2), false);
      assert.deepEqual(await catalog.budgets.spend("bgt_a", PERIOD), { spent: 0, reserved: 2 });

      // A bound of five minutes: both are stale; a sweep gives both back.
      const sweeper = new ReservationSweeper(catalog, 5 * MINUTE, () => () => {});
      assert.equal(await sweeper.sweep(), 2);
      assert.deepEqual(await catalog.budgets.spend("bgt_a", PERIOD), { spent: 0, reserved: 0 });
      assert.deepEqual(await catalog.budgets.staleReservations(now + MINUTE, 10), []);

      // A new call reserves; the slow one then settles: its spend counts, the new call's hold stays.
      const fresh = hold("call-fresh", "bgt_a", now);
      assert.equal(await catalog.budgets.reserve(fresh, 2), true);
      assert.deepEqual(await catalog.budgets.settle(slow, 1), { spent: 1, reserved: 1 });
      assert.equal(await catalog.budgets.reserve(hold("call-4", "bgt_a", now), 2), false);
      assert.deepEqual(await catalog.budgets.settle(fresh, 1), { spent: 2, reserved: 0 });
      assert.equal(await sweeper.sweep(), 0);
      await sweeper.close();
    });

    it("releases only the stale reservations of the budget and period asked for, in a transaction", async () => {
      await budget("bgt_b", 5);
      await budget("bgt_c", 5);
      const now = Date.now();
      await catalog.budgets.reserve(hold("old-b", "bgt_b", now - 10 * MINUTE), 5);
      await catalog.budgets.reserve(hold("new-b", "bgt_b", now), 5);
      await catalog.budgets.reserve(hold("old-c", "bgt_c", now - 10 * MINUTE), 5);
      const sweeper = new ReservationSweeper(catalog, 5 * MINUTE, () => () => {});
      const released = await catalog.transaction((tx) => sweeper.releaseStale(tx, "bgt_b", PERIOD));
      assert.equal(released, 1);
      assert.deepEqual(await catalog.budgets.spend("bgt_b", PERIOD), { spent: 0, reserved: 1 });
      assert.deepEqual(await catalog.budgets.spend("bgt_c", PERIOD), { spent: 0, reserved: 1 });
      assert.deepEqual(
        (await catalog.budgets.staleReservations(now - 5 * MINUTE, 10)).map((row) => [row.id, row.budgetId]),
        [["old-c", "bgt_c"]],
      );
      await sweeper.close();
    });
  });
}
