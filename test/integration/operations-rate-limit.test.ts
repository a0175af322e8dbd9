import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { resolveConfig } from "../../src/core/config.ts";
import { DEFAULT_RATE_LIMITS, parseRateLimits } from "../../src/core/operations-config.ts";
import { routeGroup } from "../../src/server/operations/rate-limit.ts";
import { ADMIN_TOKEN, type OperationsApp, startOperationsApp } from "../helpers/operations-app.ts";
import { parsePrometheusText, sampleValue } from "../helpers/prometheus-text.ts";

const REDIS_URL = process.env.HANGAR_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const PREFIX = `hangar-test:${randomBytes(6).toString("hex")}:`;
const WRONG = "hf_WrongWrongWrongWrongWrongWrongWrong";

after(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

interface ErrorBody {
  error: string;
  code: string;
}

describe("rate limits", () => {
  it("limit each caller per route group, with RateLimit-* headers and a 429 with Retry-After past the limit", async () => {
    const ops = await startOperationsApp({
      config: {
        redisUrl: REDIS_URL,
        rateLimits: { "hub-read": { limit: 3, windowMs: 60_000 } },
      },
      redisPrefix: `${PREFIX}groups:`,
    });
    try {
      await ops.listen();
      const seen: Array<[number, string | null, string | null]> = [];
      let refused: Response | undefined;
      for (let attempt = 0; attempt < 5; attempt++) {
        const response = await fetch(`${ops.url}/api/models`);
        seen.push([
          response.status,
          response.headers.get("ratelimit-limit"),
          response.headers.get("ratelimit-remaining"),
        ]);
        const reset = Number(response.headers.get("ratelimit-reset"));
        assert.ok(Number.isInteger(reset) && reset >= 1 && reset <= 60, String(reset));
        if (response.status === 429) refused ??= response;
        else await response.arrayBuffer();
      }
      assert.deepEqual(seen, [
        [200, "3", "2"],
        [200, "3", "1"],
        [200, "3", "0"],
        [429, "3", "0"],
        [429, "3", "0"],
      ]);
      assert.equal(refused!.headers.get("x-error-code"), "RateLimited");
      const retryAfter = Number(refused!.headers.get("retry-after"));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
      const body = (await refused!.json()) as ErrorBody;
      assert.equal(body.code, "HANGAR_ERR_RATE_LIMITED");
      assert.match(
        body.error,
        /^Too many hub-read requests from your address: the limit is 3 per window\. Try again in \d+ s$/,
      );
      // Other groups count apart; a route that writes the raw response carries the headers too.
      const download = await fetch(`${ops.url}/org/model/resolve/main/file.bin?size=10`);
      assert.equal(download.status, 429, "resolve is a hub read");
      await download.arrayBuffer();
      const write = await fetch(`${ops.url}/api/repos/create`, { method: "POST" });
      assert.equal(write.status, 200);
      assert.equal(write.headers.get("ratelimit-limit"), String(DEFAULT_RATE_LIMITS["hub-write"]!.limit));
      // A token counts for itself, not for the address it comes from.
      const token = await ops.addUser("alice", "read");
      const withToken = await fetch(`${ops.url}/org/model/resolve/main/file.bin?size=10`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(withToken.status, 200);
      assert.equal(withToken.headers.get("ratelimit-remaining"), "2");
      assert.equal((await withToken.arrayBuffer()).byteLength, 10);
      // Probes and scrapes are never limited.
      assert.equal((await fetch(`${ops.url}/health`)).status, 200);
      const scrape = await fetch(`${ops.url}/metrics`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      assert.equal(scrape.status, 200);
      assert.equal(scrape.headers.get("ratelimit-limit"), null);
      const exposition = parsePrometheusText(await scrape.text());
      assert.equal(sampleValue(exposition, "hangar_rate_limited_requests_total", { group: "hub-read" }), 3);
    } finally {
      await ops.close();
    }
  });

  it("are shared by nodes on one Redis", async () => {
    const settings = {
      config: { redisUrl: REDIS_URL, rateLimits: { api: { limit: 2, windowMs: 60_000 } } },
      redisPrefix: `${PREFIX}shared:`,
    };
    const one = await startOperationsApp(settings);
    const two = await startOperationsApp({ ...settings, hangar: one.hangar });
    try {
      const ask = (node: OperationsApp) => node.app.inject({ method: "POST", url: "/v1/compare" });
      assert.equal((await ask(one)).headers["ratelimit-remaining"], "1");
      assert.equal((await ask(two)).headers["ratelimit-remaining"], "0");
      const third = await ask(one);
      assert.equal(third.statusCode, 429);
      assert.equal((third.json() as ErrorBody).code, "HANGAR_ERR_RATE_LIMITED");
    } finally {
      await two.close();
      await one.close();
    }
  });

  it("let requests through, unlimited, while the counters cannot be reached", async () => {
    const ops = await startOperationsApp({
      config: { redisUrl: REDIS_URL, rateLimits: { "hub-read": { limit: 1, windowMs: 60_000 } } },
      redisPrefix: `${PREFIX}down:`,
    });
    try {
      await ops.counter.close();
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await ops.app.inject({ method: "GET", url: "/api/models" });
        assert.equal(response.statusCode, 200);
        assert.equal(response.headers["ratelimit-limit"], undefined);
      }
      const ready = await ops.app.inject({ method: "GET", url: "/ready" });
      assert.equal(ready.statusCode, 503);
      assert.match((ready.json() as ErrorBody).error, /^Not ready: The rate-limit counters in Redis/);
    } finally {
      await ops.close();
    }
  });
});

describe("token guessing", () => {
  it("gets 429s after 10 failures from one address, counted in Redis so every node refuses it", async () => {
    const settings = { config: { redisUrl: REDIS_URL }, redisPrefix: `${PREFIX}guess:` };
    const one = await startOperationsApp(settings);
    const two = await startOperationsApp({ ...settings, hangar: one.hangar });
    try {
      await one.listen();
      await two.listen();
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 30; attempt++) {
        const node = attempt % 2 === 0 ? one : two;
        const response = await fetch(`${node.url}/api/whoami-v2`, {
          headers: { authorization: `Bearer ${WRONG}${attempt}` },
        });
        statuses.push(response.status);
        const body = (await response.json()) as ErrorBody;
        if (response.status === 429) {
          assert.equal(body.code, "HANGAR_ERR_RATE_LIMITED");
          assert.ok(Number(response.headers.get("retry-after")) >= 1);
        }
      }
      assert.deepEqual(statuses, [...Array(10).fill(401), ...Array(20).fill(429)]);
      // The refusals are counted in the request metrics of the node that gave them.
      const exposition = parsePrometheusText(await two.operations.metrics.render());
      assert.equal(
        sampleValue(exposition, "hangar_http_requests_total", { route: "/api/whoami-v2", status: "429" }),
        10,
      );
    } finally {
      await two.close();
      await one.close();
    }
  });
});

describe("rate limit settings", () => {
  it("HANGAR_RATE_LIMITS sets groups as LIMIT/PERIOD or off, or turns every limit off", () => {
    assert.deepEqual(parseRateLimits("hub-read=600/1m, inference=10/s,lfs=off", "HANGAR_RATE_LIMITS"), {
      "hub-read": { limit: 600, windowMs: 60_000 },
      inference: { limit: 10, windowMs: 1000 },
      lfs: null,
    });
    assert.deepEqual(resolveConfig({ env: { HANGAR_RATE_LIMITS: "off" } }).rateLimits, {
      "hub-read": null,
      "hub-write": null,
      lfs: null,
      inference: null,
      api: null,
    });
    assert.equal(resolveConfig({ env: {} }).rateLimits, undefined);
    assert.throws(
      () => resolveConfig({ env: { HANGAR_RATE_LIMITS: "downloads=5/s" } }),
      /HANGAR_RATE_LIMITS: unknown route group "downloads" \(the groups are hub-read, hub-write, lfs, inference, api\)/,
    );
    assert.throws(
      () => parseRateLimits("api=5 per second", "HANGAR_RATE_LIMITS"),
      /HANGAR_RATE_LIMITS: "api=5 per second" must be GROUP=LIMIT\/PERIOD/,
    );
    assert.equal(resolveConfig({ env: { HANGAR_SHUTDOWN_TIMEOUT: "5" } }).shutdownTimeoutMs, 5000);
    assert.equal(resolveConfig({ env: { HANGAR_METRICS_PORT: "9464" } }).metricsPort, 9464);
    assert.throws(
      () => resolveConfig({ env: { HANGAR_METRICS_PORT: "x" } }),
      /HANGAR_METRICS_PORT must be an integer from 0 to 65535/,
    );
  });

  it("groups routes by what they do", () => {
    const cases: Array<[string, string, string]> = [
      ["GET", "/api/:type(models|datasets|spaces)/:namespace/:name/resolve/*rest", "hub-read"],
      ["GET", "/:namespace/:name/resolve/*", "hub-read"],
      ["GET", "/api/models", "hub-read"],
      ["POST", "/api/models/:namespace/:name/commit/*revision", "hub-write"],
      ["POST", "/api/repos/create", "hub-write"],
      ["POST", "/:namespace/:repo/info/lfs/objects/batch", "lfs"],
      ["PUT", "/api/lfs-upload/:type/:namespace/:name/:oid", "lfs"],
      ["POST", "/v1/inference/:task", "inference"],
      ["POST", "/models/*model", "inference"],
      ["POST", "/v1/chat/completions", "inference"],
      ["POST", "/v1/embeddings", "inference"],
      ["POST", "/v1/compare", "api"],
      ["GET", "/v1/models", "api"],
      ["GET", "unmatched", "hub-read"],
      ["DELETE", "unmatched", "hub-write"],
    ];
    for (const [method, route, group] of cases)
      assert.equal(routeGroup(method, route), group, `${method} ${route}`);
  });
});
