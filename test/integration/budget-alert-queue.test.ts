// A budget alert is queued in the catalog with the settlement that fires it, so one that a stopped process
// never sent is sent by the next process on the same catalog.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { defaultConfig, type HangarConfig } from "../../src/core/config.ts";
import { createHangar } from "../../src/hangar.ts";
import { createToken, createUser } from "../../src/hub/accounts/manage-accounts.ts";
import { startServer } from "../../src/server/create-server.ts";
import { OpenAiUpstream, oneRouteFile } from "../helpers/openai-upstream.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";
import { until } from "../helpers/until.ts";
import { PRIVATE_TARGETS_ALLOWED, startReceiver } from "../helpers/webhook-receiver.ts";

const ADMIN_TOKEN = "hf_test_admin_token_0123456789abcdef";

/** A Hangar on `config` serving HTTP, as `hangar serve` runs one (its deliverer started only when asked). */
async function serve(config: HangarConfig, deliver: boolean) {
  const hangar = await createHangar(config);
  const running = await startServer(hangar, { host: "127.0.0.1", port: 0 });
  if (deliver) hangar.webhooks.start({ baseUrl: running.url, intervalMs: 100 });
  return {
    hangar,
    url: running.url,
    async close() {
      await running.close();
      await hangar.close();
    },
  };
}

function queueSuite(engine: "SQLite" | "PostgreSQL") {
  describe(`budget alerts queued on ${engine}`, () => {
    const upstream = new OpenAiUpstream(["one", " two", " three"]);
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let home: Awaited<ReturnType<typeof makeTempDir>>;
    let database: TestDatabase | undefined;
    let config: HangarConfig;

    before(async () => {
      await upstream.start();
      receiver = await startReceiver();
      home = await makeTempDir("hangar-alert-queue-");
      if (engine === "PostgreSQL") database = await createTestDatabase();
      const routes = join(home.path, "routes.yaml");
      await writeFile(routes, oneRouteFile(upstream, "priced-chat", "priced-model"));
      config = defaultConfig(home.path, {
        adminToken: ADMIN_TOKEN,
        routes,
        outbound: PRIVATE_TARGETS_ALLOWED,
        ...(database ? { database: database.url } : {}),
      });
    });

    after(async () => {
      await new Promise((resolve) => receiver?.server.close(resolve));
      await upstream.kill();
      await database?.drop();
      await home?.remove();
    });

    it("an alert fired by a process stopped before sending it is sent by the next one", async () => {
      const first = await serve(config, false);
      await createUser(first.hangar, { name: "alice" });
      const token = (await createToken(first.hangar, { user: "alice", role: "write" })).token;
      const created = await fetch(`${first.url}/v1/budgets`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          scope: "user",
          name: "alice",
          limit: 1,
          unit: "requests",
          period: "total",
          thresholds: [100],
          webhook_url: receiver.url,
          webhook_secret: "budget-secret",
        }),
      });
      assert.equal(created.status, 201);
      const budgetId = ((await created.json()) as { id: string }).id;
      const client = new OpenAI({ baseURL: `${first.url}/v1`, apiKey: token, maxRetries: 0 });
      await client.chat.completions.create({
        model: "priced-chat",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 3,
      });
      await first.close();
      assert.equal(receiver.received.length, 0, "the first process sent nothing");

      const second = await serve(config, true);
      try {
        await until(() => receiver.received.length > 0, "the queued alert", { ms: 15_000 });
        const [alert] = receiver.received;
        const payload = JSON.parse(alert!.body) as {
          event: string;
          threshold: number;
          budget: { id: string };
        };
        assert.deepEqual(
          [payload.event, payload.threshold, payload.budget.id],
          ["budget.threshold", 100, budgetId],
        );
        assert.equal(
          alert!.headers["x-hangar-signature"],
          `sha256=${createHmac("sha256", "budget-secret").update(alert!.body).digest("hex")}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(receiver.received.length, 1, "sent once");
      } finally {
        await second.close();
      }
    });
  });
}

queueSuite("SQLite");
queueSuite("PostgreSQL");
