import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HangarError } from "../../src/core/errors.ts";
import { isRetryable, retryAfterMs, upstreamError } from "../../src/inference/backends/backend-errors.ts";
import { CircuitBreaker, type CircuitState } from "../../src/inference/router/circuit-breaker.ts";
import { Deployment } from "../../src/inference/router/deployment.ts";
import { ResponseCache } from "../../src/inference/router/response-cache.ts";
import { orderDeployments } from "../../src/inference/router/route-attempts.ts";
import { parseRoutesYaml, type RouteConfig } from "../../src/inference/router/route-config.ts";
import type { InferenceCall, LoadedModel } from "../../src/inference/runtime/model-loader.ts";
import { ModelQueue } from "../../src/inference/runtime/model-queue.ts";

describe("circuit breaker", () => {
  it("opens after consecutive failures, lets one probe through after the cooldown, and closes on its success", () => {
    let now = 1_000;
    const changes: Array<[CircuitState, CircuitState]> = [];
    const breaker = new CircuitBreaker(
      { failures: 2, cooldownMs: 500 },
      (from, to) => changes.push([from, to]),
      () => now,
    );
    assert.equal(breaker.tryAcquire(), true);
    breaker.failure();
    breaker.success();
    breaker.failure();
    assert.equal(breaker.state, "closed", "a success in between resets the count");
    breaker.failure();
    assert.equal(breaker.state, "open");
    assert.equal(breaker.tryAcquire(), false);
    assert.equal(breaker.retryInMs, 500);
    now += 500;
    assert.equal(breaker.tryAcquire(), true, "the probe");
    assert.equal(breaker.state, "half-open");
    assert.equal(breaker.tryAcquire(), false, "only one probe at a time");
    breaker.failure();
    assert.equal(breaker.state, "open", "a failed probe opens it again");
    now += 500;
    assert.equal(breaker.tryAcquire(), true);
    breaker.success();
    assert.equal(breaker.state, "closed");
    assert.deepEqual(changes, [
      ["closed", "open"],
      ["open", "half-open"],
      ["half-open", "open"],
      ["open", "half-open"],
      ["half-open", "closed"],
    ]);
  });
});

describe("route files", () => {
  it("fill in defaults and name the line and field of an error", () => {
    const config = parseRoutesYaml(
      "routes:\n  - name: a\n    deployments:\n      - backend: local\n        model: x/y\n",
      "routes.yaml",
    );
    assert.deepEqual(config.routes[0], {
      name: "a",
      policy: "priority",
      retries: 2,
      timeout_ms: 30_000,
      attempt_timeout_ms: 10_000,
      circuit: { failures: 3, cooldown_ms: 5_000 },
      cache: false,
      deployments: [{ backend: "local", model: "x/y" }],
    });
    assert.throws(
      () => parseRoutesYaml("routes:\n  - name: a\n    polcy: latency\n    deployments: []\n", "r.yaml"),
      { message: /^r\.yaml:3: routes\[0\]\.polcy is not a known field/ },
    );
    assert.throws(
      () =>
        parseRoutesYaml(
          "routes:\n  - name: a\n    deployments:\n      - backend: openai\n        model: m\n        url: http://h/v1\n        api_key_env: sk-123secret\n",
          "r.yaml",
        ),
      {
        message:
          /^r\.yaml:7: routes\[0\]\.deployments\[0\]\.api_key_env must be the name of an environment variable/,
      },
    );
    assert.throws(
      () =>
        parseRoutesYaml(
          "routes:\n  - name: a\n    deployments:\n      - backend: openai\n        model: m\n        url: http://h/v1?key=sk-1\n",
          "r.yaml",
        ),
      { message: /^r\.yaml:6: routes\[0\]\.deployments\[0\]\.url must not have a query string/ },
    );
    assert.throws(
      () =>
        parseRoutesYaml(
          "routes:\n  - name: a\n    deployments: [{backend: local, model: a/b}]\n  - name: a\n    deployments: [{backend: local, model: a/b}]\n",
          "r.yaml",
        ),
      { message: /^r\.yaml:4: routes\[1\]\.name "a" is already a route above/ },
    );
  });
});

describe("deployment order by policy", () => {
  const route = (policy: RouteConfig["policy"]): RouteConfig =>
    parseRoutesYaml(
      `routes:\n  - name: r\n    policy: ${policy}\n    deployments:\n      - {backend: local, model: a/a, cost: 3, weight: 0}\n      - {backend: local, model: b/b, cost: 1, weight: 1}\n`,
      "r.yaml",
    ).routes[0]!;
  const deployments = (config: RouteConfig) =>
    config.deployments.map(
      (deployment, index) =>
        new Deployment(`r/${index}`, deployment, { kind: "local" } as never, config, () => {}),
    );

  it("priority keeps the file's order; cost puts the cheapest first; least-busy the least loaded", () => {
    const priority = route("priority");
    assert.deepEqual(
      orderDeployments(priority, deployments(priority)).map((d) => d.id),
      ["r/0", "r/1"],
    );
    const cost = route("cost");
    assert.deepEqual(
      orderDeployments(cost, deployments(cost)).map((d) => d.id),
      ["r/1", "r/0"],
    );
    const busy = route("least-busy");
    const list = deployments(busy);
    list[0]!.inFlight = 2;
    assert.deepEqual(
      orderDeployments(busy, list).map((d) => d.id),
      ["r/1", "r/0"],
    );
    const latency = route("latency");
    const timed = deployments(latency);
    timed[0]!.record(true, 50);
    timed[1]!.record(true, 10);
    assert.deepEqual(
      orderDeployments(latency, timed).map((d) => d.id),
      ["r/1", "r/0"],
    );
    const weighted = route("weighted");
    for (let round = 0; round < 20; round++) {
      assert.equal(
        orderDeployments(weighted, deployments(weighted))[0]!.id,
        "r/1",
        "weight 0 never goes first",
      );
    }
  });
});

describe("upstream errors", () => {
  it("are retryable for 429 and 502-504, not for 400, 401, 404 and 422; Retry-After in seconds or as a date", () => {
    for (const status of [429, 502, 503, 504])
      assert.equal(isRetryable(upstreamError("u", status, "m")), true);
    for (const status of [400, 401, 404, 422])
      assert.equal(isRetryable(upstreamError("u", status, "m")), false);
    const error = upstreamError("http://u/v1", 404, "no such model");
    assert.equal(error.status, 404);
    assert.equal(error.message, "http://u/v1 answered 404: no such model");
    assert.equal(isRetryable(new HangarError("HANGAR_ERR_BAD_REQUEST", "x")), false);
    assert.equal(retryAfterMs("2"), 2000);
    assert.equal(retryAfterMs(new Date(11_000).toUTCString(), 1_000), 10_000);
    assert.equal(retryAfterMs("soon"), undefined);
  });
});

describe("response cache", () => {
  it("keeps at most its size, least recently used out first, and nothing past its age", () => {
    let now = 0;
    const cache = new ResponseCache<number>(2, 100, () => now);
    cache.set("a", 1);
    cache.set("b", 2);
    assert.equal(cache.get("a"), 1);
    cache.set("c", 3);
    assert.equal(cache.get("b"), undefined, "b was the least recently used");
    assert.equal(cache.get("a"), 1);
    now = 101;
    assert.equal(cache.get("a"), undefined);
  });
});

describe("model queue", () => {
  it("runs a lone request at once on an idle model, and batches what arrives while a call runs", async () => {
    const batches: number[] = [];
    let release: (() => void) | undefined;
    const model: LoadedModel = {
      key: "t/m@1",
      tasks: ["text-classification"],
      memoryBytes: 0,
      async run() {
        return "alone";
      },
      async runBatch(calls: readonly InferenceCall[]) {
        batches.push(calls.length);
        if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return calls.map((call) => call.inputs);
      },
      async dispose() {},
    };
    // A batching window far longer than the test: a request that waited for it would time the test out.
    const queue = new ModelQueue(model, {
      maxBatchSize: 8,
      maxQueueDelayMs: 60_000,
      maxQueue: 10,
      maxConcurrency: 1,
    });
    const call = (inputs: string): InferenceCall => ({
      task: "text-classification",
      inputs,
      parameters: {},
      signal: new AbortController().signal,
    });
    const first = queue.run(call("a"), "k");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(batches, [1], "dispatched without waiting for the window");
    const rest = [queue.run(call("b"), "k"), queue.run(call("c"), "k")];
    release!();
    assert.deepEqual(await first, { output: "a", batchSize: 1 });
    assert.deepEqual(await Promise.all(rest), [
      { output: "b", batchSize: 2 },
      { output: "c", batchSize: 2 },
    ]);
    assert.deepEqual(batches, [1, 2]);
  });
});
