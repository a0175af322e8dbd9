import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { recordReceivedLfsObject } from "../../src/hub/write/held-lfs-objects.ts";
import { HangarMetrics } from "../../src/server/operations/metrics.ts";
import { startMetricsListener } from "../../src/server/operations/metrics-listener.ts";
import { ADMIN_TOKEN, type OperationsApp, startOperationsApp } from "../helpers/operations-app.ts";
import { type Exposition, parsePrometheusText, sampleValue } from "../helpers/prometheus-text.ts";
import { importFiles } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe("GET /metrics", () => {
  let ops: OperationsApp;
  before(async () => {
    ops = await startOperationsApp();
    await ops.listen();
  });
  after(() => ops.close());

  async function scrape(): Promise<Exposition> {
    const response = await fetch(`${ops.url}/metrics`, { headers: admin });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  }

  it("is for admins: 401 without a token, 403 with a token that is not an admin's, in Hangar's error shape", async () => {
    const anonymous = await fetch(`${ops.url}/metrics`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get("x-error-code"), "Unauthorized");
    assert.deepEqual(await anonymous.json(), {
      error: "GET /metrics needs an admin token",
      code: "HANGAR_ERR_UNAUTHORIZED",
    });
    const writer = await ops.addUser("writer", "write");
    const forbidden = await fetch(`${ops.url}/metrics`, { headers: { authorization: `Bearer ${writer}` } });
    assert.equal(forbidden.status, 403);
    assert.deepEqual(await forbidden.json(), {
      error: "GET /metrics is for admins; writer is not one",
      code: "HANGAR_ERR_FORBIDDEN",
    });
  });

  it("parses as Prometheus text, every name prefixed hangar_, Node's process metrics included", async () => {
    const exposition = await scrape();
    for (const name of exposition.types.keys()) assert.match(name, /^hangar_/);
    for (const name of [
      "hangar_http_requests_total",
      "hangar_http_request_duration_seconds",
      "hangar_http_received_bytes_total",
      "hangar_http_sent_bytes_total",
      "hangar_commits_total",
      "hangar_lfs_objects_stored_total",
      "hangar_inference_requests_total",
      "hangar_inference_request_duration_seconds",
      "hangar_inference_queue_depth",
      "hangar_inference_batch_size",
      "hangar_inference_models_loaded",
      "hangar_inference_model_memory_bytes",
      "hangar_process_cpu_user_seconds_total",
      "hangar_process_resident_memory_bytes",
      "hangar_nodejs_eventloop_lag_seconds",
    ]) {
      assert.ok(exposition.types.has(name.replace(/_total$/, "")) || exposition.types.has(name), name);
    }
    assert.equal(exposition.types.get("hangar_http_request_duration_seconds"), "histogram");
  });

  it("counts requests by method, route pattern and status, with their duration", async () => {
    const labels = { method: "GET", route: "/api/models", status: "200" };
    const before = await scrape();
    for (let index = 0; index < 3; index++)
      await (await fetch(`${ops.url}/api/models?search=x${index}`)).text();
    await (await fetch(`${ops.url}/no/such/route/at/all/here`)).text();
    const after = await scrape();
    assert.equal(
      sampleValue(after, "hangar_http_requests_total", labels) -
        sampleValue(before, "hangar_http_requests_total", labels),
      3,
    );
    const durations = { method: "GET", route: "/api/models" };
    assert.equal(
      sampleValue(after, "hangar_http_request_duration_seconds_count", durations) -
        sampleValue(before, "hangar_http_request_duration_seconds_count", durations),
      3,
    );
    assert.equal(
      sampleValue(after, "hangar_http_request_duration_seconds_bucket", { ...durations, le: "+Inf" }),
      sampleValue(after, "hangar_http_request_duration_seconds_count", durations),
    );
    // Only the scrape itself is in flight.
    assert.equal(sampleValue(after, "hangar_http_requests_in_flight"), 1);
    // A path no route matches is one series, whatever the path.
    assert.ok(sampleValue(after, "hangar_http_requests_total", { route: "unmatched", status: "404" }) >= 1);
    assert.ok(!after.samples.some((sample) => sample.labels.route?.includes("no/such")));
  });

  it("counts bytes downloaded and uploaded, also through routes that write the raw response", async () => {
    const route = { method: "GET", route: "/:namespace/:name/resolve/*" };
    const upload = { method: "PUT", route: "/api/lfs-upload/:oid" };
    const before = await scrape();
    const download = await fetch(`${ops.url}/org/model/resolve/main/weights.bin?size=100000`);
    assert.equal((await download.arrayBuffer()).byteLength, 100_000);
    const put = await fetch(`${ops.url}/api/lfs-upload/abc`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: Buffer.alloc(250_000, 1),
    });
    assert.deepEqual(await put.json(), { received: 250_000 });
    const after = await scrape();
    const sent =
      sampleValue(after, "hangar_http_sent_bytes_total", route) -
      sampleValue(before, "hangar_http_sent_bytes_total", route);
    assert.ok(sent >= 100_000 && sent < 101_000, String(sent));
    const received =
      sampleValue(after, "hangar_http_received_bytes_total", upload) -
      sampleValue(before, "hangar_http_received_bytes_total", upload);
    assert.ok(received >= 250_000 && received < 251_000, String(received));
    assert.equal(
      sampleValue(after, "hangar_http_requests_total", { ...route, status: "200" }) -
        sampleValue(before, "hangar_http_requests_total", { ...route, status: "200" }),
      1,
    );
  });

  it("counts a request whose client went away before the answer as 499", async () => {
    const labels = { method: "GET", route: "/slow", status: "499" };
    const before = await scrape();
    await assert.rejects(fetch(`${ops.url}/slow?ms=5000`, { signal: AbortSignal.timeout(150) }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = await scrape();
    assert.equal(
      sampleValue(after, "hangar_http_requests_total", labels) -
        sampleValue(before, "hangar_http_requests_total", labels),
      1,
    );
  });

  it("counts commits and stored LFS objects as the hub records them", async () => {
    const before = await scrape();
    await importFiles(ops.hangar, "org/data", { "README.md": "# data" }, { type: "dataset" });
    const bytes = Buffer.alloc(4096, 3);
    const oid = createHash("sha256").update(bytes).digest("hex");
    await ops.hangar.blobs.put(bytes, { expectedSha256: oid, expectedSize: bytes.byteLength });
    const repo = (await ops.hangar.catalog.repos.get({ type: "dataset", namespace: "org", name: "data" }))!;
    await recordReceivedLfsObject(ops.hangar, {
      repoPk: repo.pk,
      repoId: repo.id,
      object: { oid, size: bytes.byteLength },
    });
    const after = await scrape();
    assert.equal(
      sampleValue(after, "hangar_commits_total", { repo_type: "dataset" }) -
        sampleValue(before, "hangar_commits_total", { repo_type: "dataset" }),
      1,
    );
    assert.equal(
      sampleValue(after, "hangar_lfs_objects_stored_total") -
        sampleValue(before, "hangar_lfs_objects_stored_total"),
      1,
    );
    assert.equal(
      sampleValue(after, "hangar_lfs_stored_bytes_total") -
        sampleValue(before, "hangar_lfs_stored_bytes_total"),
      4096,
    );
  });

  it("records inference requests by model and task: latency, batch size, queue depth, models loaded and memory", async () => {
    await importTinyModels(ops.hangar, ["tests/tiny-embedder"]);
    const run = (inputs: string) =>
      ops.hangar.inference.run({
        caller: null,
        model: "tests/tiny-embedder",
        task: "feature-extraction",
        inputs,
        parameters: {},
        api: "library",
      });
    await Promise.all(["one", "two", "three", "four"].map(run));
    await assert.rejects(
      ops.hangar.inference.run({ caller: null, model: "nobody/none", inputs: "x", api: "library" }),
    );
    const exposition = await scrape();
    const labels = { model: "tests/tiny-embedder", task: "feature-extraction" };
    assert.equal(sampleValue(exposition, "hangar_inference_requests_total", { ...labels, status: "200" }), 4);
    assert.equal(sampleValue(exposition, "hangar_inference_request_duration_seconds_count", labels), 4);
    assert.equal(sampleValue(exposition, "hangar_inference_batch_size_count", labels), 4);
    assert.ok(sampleValue(exposition, "hangar_inference_batch_size_sum", labels) >= 4);
    assert.equal(sampleValue(exposition, "hangar_inference_queue_depth", labels), 0);
    assert.ok(exposition.samples.some((sample) => sample.name === "hangar_inference_queue_depth"));
    assert.equal(
      sampleValue(exposition, "hangar_inference_requests_total", {
        model: "nobody/none",
        task: "unknown",
        // An anonymous caller is told 401, as for any repo it cannot see.
        status: "401",
      }),
      1,
    );
    assert.equal(sampleValue(exposition, "hangar_inference_models_loaded"), 1);
    const memory = exposition.samples.find((sample) => sample.name === "hangar_inference_model_memory_bytes");
    assert.equal(memory?.labels.model, "tests/tiny-embedder");
    assert.match(memory?.labels.revision ?? "", /^[0-9a-f]{40}$/);
    assert.ok(memory!.value > 0);
  });

  it("can be served without authentication on a port of its own", async () => {
    const listener = await startMetricsListener(ops.operations.metrics, { host: "127.0.0.1", port: 0 });
    try {
      const response = await fetch(`${listener.url}/metrics`);
      assert.equal(response.status, 200);
      const exposition = parsePrometheusText(await response.text());
      assert.ok(sampleValue(exposition, "hangar_http_requests_total", { route: "/api/models" }) >= 3);
      const other = await fetch(`${listener.url}/api/models`);
      assert.equal(other.status, 404);
      assert.equal(((await other.json()) as { code: string }).code, "HANGAR_ERR_NOT_FOUND");
    } finally {
      await listener.close();
    }
  });
});

describe("HangarMetrics", () => {
  it("keeps one registry per instance: two in one process do not collide", async () => {
    const [one, two] = [new HangarMetrics(), new HangarMetrics()];
    one.observeRequest({
      method: "GET",
      route: "/x",
      status: 200,
      seconds: 0.01,
      receivedBytes: 10,
      sentBytes: 20,
    });
    const first = parsePrometheusText(await one.render());
    const second = parsePrometheusText(await two.render());
    assert.equal(sampleValue(first, "hangar_http_requests_total", { route: "/x" }), 1);
    assert.equal(sampleValue(second, "hangar_http_requests_total", { route: "/x" }), 0);
  });

  it("labels methods it does not know as other", async () => {
    const metrics = new HangarMetrics();
    metrics.observeRequest({
      method: "BREW",
      route: "unmatched",
      status: 405,
      seconds: 0,
      receivedBytes: 0,
      sentBytes: 0,
    });
    const exposition = parsePrometheusText(await metrics.render());
    assert.equal(sampleValue(exposition, "hangar_http_requests_total", { method: "other" }), 1);
  });
});
