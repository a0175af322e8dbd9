// Usage events are appended off the event loop (SQLite: a worker thread's own connection); on both engines
// they are committed when recordMany resolves, alongside other writers, and a close waits for them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { UsageEvent } from "../../src/core/catalog-types.ts";
import { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";

function event(model: string, n: number): UsageEvent {
  return {
    ...{ at: `2026-01-01T00:00:${String(n % 60).padStart(2, "0")}.000Z`, model, revision: "main" },
    ...{ task: "fill-mask", api: "task", caller: "alice", inputUnits: n, outputUnits: 1, unit: "tokens" },
    ...{ outputUnit: "labels", inputBytes: 1, outputBytes: 1, latencyMs: 1, status: 200, outcome: "ok" },
    ...{ errorCode: null, batchSize: 1 },
  };
}

for (const engine of CATALOG_ENGINES) {
  describe(`usage appends: ${engine.name}`, () => {
    it("commits appends made alongside write transactions, rolls back those made in a failed one, and a close waits for appends in flight", async () => {
      const { catalog, location, dispose } = await engine.open();
      let reopened: Catalog | undefined;
      try {
        await Promise.all(
          Array.from({ length: 20 }, (_, index) =>
            Promise.all([
              catalog.usage.recordMany([event("Append/a", index), event("Append/a", index + 20)]),
              catalog.transaction((tx) =>
                tx.accounts.insertNamespace({
                  ...{ name: `user${index}`, kind: "user", fullname: "", email: null },
                  ...{ isAdmin: false, createdAt: "2026-01-01T00:00:00.000Z" },
                }),
              ),
            ]),
          ),
        );
        assert.equal((await catalog.usage.list({ model: "Append/a" })).length, 40);
        assert.equal((await catalog.accounts.listNamespaces("user")).length, 20);

        await assert.rejects(
          catalog.transaction(async (tx) => {
            await tx.usage.recordMany([event("Append/rolled-back", 1)]);
            throw new Error("no");
          }),
          /no/,
        );
        assert.deepEqual(await catalog.usage.list({ model: "Append/rolled-back" }), []);

        // On SQLite, appends go to a worker thread: a close while they are under way waits for them.
        // (PostgreSQL's writes are the pool's queries, awaited before its close as any other.)
        const pending = Array.from({ length: 5 }, (_, index) =>
          catalog.usage.recordMany([event("Append/late", index), event("Append/late", index + 5)]),
        );
        if (engine.name !== "SQLite") await Promise.all(pending);
        await catalog.close();
        await Promise.all(pending);
        reopened = await Catalog.open(location);
        assert.equal((await reopened.usage.list({ model: "Append/late" })).length, 10);
      } finally {
        await reopened?.close();
        await dispose();
      }
    });
  });
}
