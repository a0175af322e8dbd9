import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { OpenAiUpstream, oneRouteFile } from "../helpers/openai-upstream.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { until } from "../helpers/until.ts";
import { PRIVATE_TARGETS_ALLOWED } from "../helpers/webhook-receiver.ts";

/** A webhook receiver on 127.0.0.1 that keeps each body with its signature header. */
class AlertReceiver {
  readonly received: Array<{ body: string; signature: string | undefined; delivery: string | undefined }> =
    [];
  /** Requests still to answer with 503 (after keeping them), as a receiver that is down would. */
  failNext = 0;
  private server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      this.received.push({
        body: Buffer.concat(chunks).toString("utf8"),
        signature: request.headers["x-hangar-signature"] as string | undefined,
        delivery: request.headers["x-webhook-delivery"] as string | undefined,
      });
      if (this.failNext > 0) {
        this.failNext--;
        response.statusCode = 503;
      }
      response.end("ok");
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alerts`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function api<T>(hub: TestHangar, method: string, path: string, body?: unknown, token = hub.adminToken) {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
}

interface ApiBudget {
  id: string;
  limit: number;
  current: { spent: number; reserved: number; remaining: number };
}

/** The budget tests on one catalog engine: the same assertions on SQLite and PostgreSQL. */
function budgetSuite(engine: "SQLite" | "PostgreSQL") {
  describe(`budgets on ${engine}`, () => {
    const upstream = new OpenAiUpstream(["one", " two", " three"]);
    const receiver = new AlertReceiver();
    let hub: TestHangar;
    let database: TestDatabase | undefined;
    let folder: Awaited<ReturnType<typeof makeTempDir>>;
    let aliceToken: string;
    let client: OpenAI;

    before(async () => {
      await Promise.all([upstream.start(), receiver.start()]);
      folder = await makeTempDir("hangar-budgets-");
      const routes = join(folder.path, "routes.yaml");
      await writeFile(routes, oneRouteFile(upstream, "priced-chat", "priced-model"));
      if (engine === "PostgreSQL") database = await createTestDatabase();
      hub = await startTestHangar({
        routes,
        outbound: PRIVATE_TARGETS_ALLOWED,
        ...(database ? { database: database.url } : {}),
        spend: {
          alertWebhookSecret: "instance-wide-secret",
          alertThresholds: [50, 80, 100],
          maxTokensBound: 4096,
        },
      });
      // Alerts go out through the webhook delivery queue, as under `hangar serve`; retries come quickly here.
      hub.hangar.webhooks.start({ baseUrl: hub.url, intervalMs: 100, retryBaseMs: 100 });
      aliceToken = await hub.addUser("alice");
      client = new OpenAI({ baseURL: `${hub.url}/v1`, apiKey: aliceToken, maxRetries: 0 });
      const price = await api(hub, "PUT", "/v1/prices", {
        model: "priced-model",
        input_per_million: 2,
        output_per_million: 10,
      });
      assert.equal(price.status, 200);
    });

    after(async () => {
      await hub?.close();
      await database?.drop();
      await Promise.all([upstream.kill(), receiver.close(), folder?.remove()]);
    });

    it("admits exactly 10 of 100 concurrent requests against a budget of 10 requests, and the spend never passes it", async () => {
      const set = await api<ApiBudget>(hub, "POST", "/v1/budgets", {
        scope: "user",
        name: "alice",
        limit: 10,
        unit: "requests",
        period: "day",
        webhook_url: receiver.url,
      });
      assert.equal(set.status, 201);
      // The upstream holds every answer until all 100 have been admitted or refused.
      upstream.mode = { kind: "stall", ms: 400 };
      const outcomes = await Promise.allSettled(
        Array.from({ length: 100 }, () =>
          client.chat.completions.create({
            model: "priced-chat",
            messages: [{ role: "user", content: "hi" }],
            max_tokens: 3,
          }),
        ),
      );
      upstream.mode = { kind: "ok" };
      const succeeded = outcomes.filter((outcome) => outcome.status === "fulfilled");
      const refused = outcomes.filter((outcome) => outcome.status === "rejected");
      assert.equal(succeeded.length, 10);
      assert.equal(refused.length, 90);
      for (const outcome of refused) {
        const error = (outcome as PromiseRejectedResult).reason as InstanceType<typeof OpenAI.APIError>;
        assert.equal(error.status, 402);
        assert.equal(error.headers?.get("x-error-code"), "BudgetExceeded");
        assert.match(
          error.message,
          /Budget exceeded: the daily requests budget of user alice \(10 requests\) has 0 requests left/,
        );
      }
      const listed = await api<{ budgets: ApiBudget[] }>(hub, "GET", "/v1/budgets", undefined, aliceToken);
      const budget = listed.body.budgets.find((candidate) => candidate.id === set.body.id)!;
      assert.deepEqual(
        {
          spent: budget.current.spent,
          reserved: budget.current.reserved,
          remaining: budget.current.remaining,
        },
        { spent: 10, reserved: 0, remaining: 0 },
      );
      // 50, 80 and 100 % each fired once, signed with the instance's secret.
      await until(() => receiver.received.length >= 3, "three alerts");
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(receiver.received.length, 3);
      const thresholds = receiver.received.map((alert) => {
        const expected = `sha256=${createHmac("sha256", "instance-wide-secret").update(alert.body).digest("hex")}`;
        assert.ok(alert.signature && timingSafeEqual(Buffer.from(alert.signature), Buffer.from(expected)));
        return (JSON.parse(alert.body) as { threshold: number }).threshold;
      });
      assert.deepEqual(
        thresholds.sort((a, b) => a - b),
        [50, 80, 100],
      );
      const audit = await api<{ entries: Array<{ action: string; target: string }> }>(
        hub,
        "GET",
        `/v1/audit?target=${encodeURIComponent(`budget:${set.body.id}`)}`,
      );
      assert.deepEqual(
        audit.body.entries.map((entry) => entry.action),
        ["budget.set", "budget.alert", "budget.alert", "budget.alert"],
      );
      assert.equal((await api(hub, "DELETE", `/v1/budgets/${set.body.id}`)).status, 204);
    });

    it("sends an alert again, as the same delivery, while its receiver fails", async () => {
      const set = await api<ApiBudget>(hub, "POST", "/v1/budgets", {
        scope: "model",
        name: "priced-chat",
        limit: 1,
        unit: "requests",
        period: "total",
        thresholds: [100],
        webhook_url: receiver.url,
        webhook_secret: "budget-secret",
      });
      assert.equal(set.status, 201);
      const before = receiver.received.length;
      receiver.failNext = 2;
      await client.chat.completions.create({
        model: "priced-chat",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 3,
      });
      await until(() => receiver.received.length >= before + 3, "an alert tried three times");
      const attempts = receiver.received.slice(before);
      assert.equal(new Set(attempts.map((attempt) => attempt.delivery)).size, 1, "one delivery, sent again");
      assert.equal(new Set(attempts.map((attempt) => attempt.body)).size, 1);
      const alert = JSON.parse(attempts[0]!.body) as { threshold: number; budget: { id: string } };
      assert.deepEqual([alert.threshold, alert.budget.id], [100, set.body.id]);
      const expected = `sha256=${createHmac("sha256", "budget-secret").update(attempts[0]!.body).digest("hex")}`;
      assert.equal(attempts[2]!.signature, expected);
      assert.equal((await api(hub, "DELETE", `/v1/budgets/${set.body.id}`)).status, 204);
    });

    it("reserves the worst case in USD and settles to the metered cost", async () => {
      // Worst case of this request: 16 + its JSON bytes of prompt at $2/M and 3 tokens at $10/M.
      const set = await api<ApiBudget>(hub, "POST", "/v1/budgets", {
        scope: "model",
        name: "priced-chat",
        limit: 0.01,
        unit: "usd",
        period: "month",
      });
      assert.equal(set.status, 201);
      upstream.mode = { kind: "stall", ms: 300 };
      const calls = () => upstream.seen.filter((request) => request.url === "/v1/chat/completions").length;
      const before = calls();
      const pending = client.chat.completions.create({
        model: "priced-chat",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 3,
      });
      await until(() => calls() > before, "the call");
      const during = await api<{ budgets: ApiBudget[] }>(hub, "GET", "/v1/budgets");
      const reserved = during.body.budgets.find((candidate) => candidate.id === set.body.id)!.current
        .reserved;
      const answer = await pending;
      upstream.mode = { kind: "ok" };
      // The upstream counts 5 prompt tokens and 3 completion tokens: 5 × $2/M + 3 × $10/M.
      assert.deepEqual(answer.usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
      const metered = (5 * 2 + 3 * 10) / 1e6;
      assert.ok(
        reserved > metered,
        `reserved ${reserved} is the worst case, more than the metered ${metered}`,
      );
      const settled = (await api<{ budgets: ApiBudget[] }>(hub, "GET", "/v1/budgets")).body.budgets.find(
        (candidate) => candidate.id === set.body.id,
      )!;
      assert.equal(settled.current.reserved, 0);
      assert.equal(settled.current.spent, metered);
      const usage = await api<{
        groups: Array<{ model: string; requests: number; cost_usd: number; tokens: number }>;
      }>(hub, "GET", "/v1/usage?group_by=model&model=priced-chat");
      assert.equal(usage.status, 200);
      assert.equal(usage.body.groups.length, 1);
      assert.equal(usage.body.groups[0]!.model, "priced-chat");
      assert.ok(usage.body.groups[0]!.requests >= 11);
      assert.equal((await api(hub, "DELETE", `/v1/budgets/${set.body.id}`)).status, 204);
    });
  });
}

budgetSuite("SQLite");
budgetSuite("PostgreSQL");
