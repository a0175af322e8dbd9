import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { uploadBatchInput, waitForBatch } from "../helpers/batch-jobs.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { OpenAiUpstream, oneRouteFile } from "../helpers/openai-upstream.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** The upstream's stand-in tokenizer: one token per word of the messages, plus 3 per message. */
function wordTokens(body: Record<string, unknown>): number {
  const messages = (body.messages ?? []) as Array<{ content: string }>;
  return messages.reduce((sum, message) => sum + message.content.split(/\s+/).filter(Boolean).length + 3, 0);
}

/** A ticket to summarise: the same shape whatever `n`, as a real batch's rows often are. */
const ticket = (n: number) => `Summarise support ticket ${1000 + n} about a late delivery in one line`;

describe("usage, cost, token rate limits and estimates", () => {
  const upstream = new OpenAiUpstream(["one", " two", " three"]);
  let hub: TestHangar;
  let folder: Awaited<ReturnType<typeof makeTempDir>>;
  let bobToken: string;
  let bob: OpenAI;
  const cli = (args: string[], token = hub.adminToken) =>
    runCli([...args, "--endpoint", hub.url, "--token", token]);

  before(async () => {
    await upstream.start();
    upstream.promptTokens = wordTokens;
    folder = await makeTempDir("hangar-usage-");
    const routes = join(folder.path, "routes.yaml");
    await writeFile(routes, oneRouteFile(upstream, "tickets", "ticket-model"));
    hub = await startTestHangar({ routes });
    hub.hangar.batches.start();
    bobToken = await hub.addUser("bob");
    bob = new OpenAI({ baseURL: `${hub.url}/v1`, apiKey: bobToken, maxRetries: 0 });
  });

  after(async () => {
    await hub?.close();
    await Promise.all([upstream.kill(), folder?.remove()]);
  });

  it("sets, lists and removes budgets from the CLI, audited", async () => {
    const set = await cli([
      "budget",
      "set",
      "--user",
      "bob",
      "--limit",
      "2.5",
      "--unit",
      "usd",
      "--period",
      "month",
      "--json",
    ]);
    assert.equal(set.code, 0, set.stderr);
    const budget = JSON.parse(set.stdout) as { id: string; limit: number; scope: string; name: string };
    assert.deepEqual([budget.scope, budget.name, budget.limit], ["user", "bob", 2.5]);
    const listed = await cli(["budget", "list"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      new RegExp(`${budget.id}\\s+user:bob\\s+month\\s+usd\\s+\\$2\\.50\\s+\\$0\\.000000`),
    );
    // Bob sees his own budget; he may not set one.
    assert.match((await cli(["budget", "list"], bobToken)).stdout, new RegExp(budget.id));
    const refused = await cli(
      ["budget", "set", "--user", "bob", "--limit", "99", "--unit", "usd", "--period", "day"],
      bobToken,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /administrators/);
    const bad = await cli([
      "budget",
      "set",
      "--user",
      "bob",
      "--limit",
      "1",
      "--unit",
      "euros",
      "--period",
      "day",
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unit must be one of usd, requests, tokens/);
    const removed = await cli(["budget", "remove", budget.id]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await cli(["budget", "list", "--json"])).stdout.includes(budget.id), false);
    const audit = await hub.hangar.catalog.audit.list({ target: `budget:${budget.id}` });
    assert.deepEqual(
      audit.map((entry) => entry.action),
      ["budget.set", "budget.remove"],
    );
  });

  it("refuses a budget alert webhook on a private address unless the operator allows it", async () => {
    const response = await fetch(`${hub.url}/v1/budgets`, {
      method: "POST",
      headers: { Authorization: `Bearer ${hub.adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        scope: "user",
        name: "bob",
        limit: 5,
        unit: "requests",
        period: "day",
        webhook_url: "http://169.254.169.254/latest/meta-data/",
      }),
    });
    const body = (await response.json()) as { error: string };
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("x-error-code"), "UrlNotAllowed");
    assert.match(body.error, /^webhook_url: 169\.254\.169\.254 is a private, loopback or link-local address/);
  });

  it("limits tokens per minute with OpenAI's headers", async () => {
    const carolToken = await hub.addUser("carol");
    const carol = new OpenAI({ baseURL: `${hub.url}/v1`, apiKey: carolToken, maxRetries: 0 });
    const limit = await fetch(`${hub.url}/v1/rate-limits/tokens`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${hub.adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ scope: "user", name: "carol", tokens_per_minute: 200 }),
    });
    assert.equal(limit.status, 200);
    const first = await carol.chat.completions
      .create({ model: "tickets", messages: [{ role: "user", content: "hi there" }], max_tokens: 3 })
      .withResponse();
    assert.equal(first.response.headers.get("x-ratelimit-limit-tokens"), "200");
    assert.equal(first.response.headers.get("x-ratelimit-remaining-tokens"), "200");
    assert.match(first.response.headers.get("x-ratelimit-reset-tokens") ?? "", /^\d+(ms|s|m\d+s)$/);
    assert.ok(first.response.headers.get("ratelimit-limit"));
    assert.ok(first.response.headers.get("x-ratelimit-limit-requests"));
    // The first call took 5 prompt + 3 generated tokens; what it reserved beyond that was given back.
    const second = await carol.chat.completions
      .create({ model: "tickets", messages: [{ role: "user", content: "hi there" }], max_tokens: 3 })
      .withResponse();
    assert.equal(second.response.headers.get("x-ratelimit-remaining-tokens"), String(200 - 8));
    // A request whose worst case (its prompt's bytes and max_tokens) passes what is left is refused.
    const error = await carol.chat.completions
      .create({ model: "tickets", messages: [{ role: "user", content: "hi" }], max_tokens: 190 })
      .then(
        () => undefined,
        (caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>,
      );
    assert.ok(error, "the third request is refused");
    assert.equal(error.status, 429);
    assert.match(
      error.message,
      /Too many tokens from your token: the limit is 200 tokens per minute, 184 are left/,
    );
    assert.equal(error.headers?.get("x-ratelimit-remaining-tokens"), "184");
    assert.ok(Number(error.headers?.get("retry-after")) >= 1);
  });

  it("reports usage by user, model, route and day, as JSON from the CLI; callers see only their own", async () => {
    for (let n = 0; n < 4; n++) {
      await bob.chat.completions.create({
        model: "tickets",
        messages: [{ role: "user", content: ticket(n) }],
        max_tokens: 3,
      });
    }
    const report = await cli(["usage", "--group-by", "user,route,day", "--json"]);
    assert.equal(report.code, 0, report.stderr);
    const parsed = JSON.parse(report.stdout) as {
      groups: Array<{
        user: string;
        route: string;
        day: string;
        requests: number;
        tokens: number;
        cost_usd: number;
      }>;
      totals: { requests: number };
    };
    const bobs = parsed.groups.find((group) => group.user === "bob" && group.route === "tickets")!;
    assert.equal(bobs.requests, 4);
    assert.equal(bobs.day, new Date().toISOString().slice(0, 10));
    // The default remote price ($1 per million input tokens, $3 per million output), stated as a default.
    const prompt = wordTokens({ messages: [{ content: ticket(0) }] });
    assert.equal(bobs.tokens, 4 * (prompt + 3));
    assert.equal(bobs.cost_usd, (4 * prompt * 1 + 4 * 3 * 3) / 1e6);
    const prices = (await (
      await fetch(`${hub.url}/v1/prices`, { headers: { Authorization: `Bearer ${bobToken}` } })
    ).json()) as { prices: Array<Record<string, unknown>> };
    assert.deepEqual(
      prices.prices.find((price) => price.backend === "openai"),
      { backend: "openai", input_per_million: 1, output_per_million: 3, per_hour: 0, source: "default" },
    );
    const own = JSON.parse((await cli(["usage", "--group-by", "user", "--json"], bobToken)).stdout) as {
      groups: Array<{ user: string }>;
    };
    assert.deepEqual(
      own.groups.map((group) => group.user),
      ["bob"],
    );
    const forbidden = await cli(["usage", "--user", "carol"], bobToken);
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.stderr, /Only administrators/);
  });

  it("estimates a batch before it runs within 1 % of its metered cost", async () => {
    const price = await fetch(`${hub.url}/v1/prices`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${hub.adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ model: "ticket-model", input_per_million: 2, output_per_million: 10 }),
    });
    assert.equal(price.status, 200);
    const lines = Array.from({ length: 40 }, (_, n) => ({
      custom_id: `t-${n}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "tickets", messages: [{ role: "user", content: ticket(100 + n) }], max_tokens: 3 },
    }));
    const file = join(folder.path, "batch.jsonl");
    await writeFile(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
    const before = await cli(["usage", "estimate", file, "--json"], bobToken);
    assert.equal(before.code, 0, before.stderr);
    const estimate = JSON.parse(before.stdout) as {
      cost_usd: number;
      models: Array<{ method: { input: string; output: string }; price: { source: string } }>;
    };
    assert.deepEqual(estimate.models[0]!.method, { input: "history", output: "history" });
    assert.equal(estimate.models[0]!.price.source, "api");
    const upload = await uploadBatchInput(bob, lines);
    const created = await bob.batches.create({
      input_file_id: upload.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const done = await waitForBatch(bob, created.id);
    assert.equal(done.status, "completed");
    const compared = await cli(["usage", "estimate", "--batch", created.id, "--json"], bobToken);
    assert.equal(compared.code, 0, compared.stderr);
    const result = JSON.parse(compared.stdout) as {
      estimate: { cost_usd: number };
      metered: { requests: number; cost_usd: number };
      error_percent: number;
    };
    assert.equal(result.metered.requests, 40);
    const prompt = wordTokens({ messages: [{ content: ticket(100) }] });
    assert.equal(result.metered.cost_usd, (40 * prompt * 2 + 40 * 3 * 10) / 1e6);
    assert.equal(result.estimate.cost_usd, estimate.cost_usd);
    assert.ok(Math.abs(result.error_percent) <= 1, `error ${result.error_percent} %`);
    const text = await cli(["usage", "estimate", "--batch", created.id], bobToken);
    assert.match(text.stdout, /^Estimate \$0\.\d{6}, metered \$0\.\d{6}, error -?\d+(\.\d+)? %\n$/);
  });
});
