import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { parsePrometheusText, sampleValue } from "../helpers/prometheus-text.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/**
 * The operations surface on the server Hangar really runs (not a bare app): probes, metrics of the Hub's
 * own routes under their route patterns, rate-limit headers, and the routes in the OpenAPI document.
 */
describe("operations on the served app", () => {
  let hub: TestHangar;
  let token: string;
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("ops", "write");
  });
  after(() => hub.close());

  const scrape = async () => {
    const response = await fetch(`${hub.url}/metrics`, {
      headers: { authorization: `Bearer ${hub.adminToken}` },
    });
    assert.equal(response.status, 200);
    return parsePrometheusText(await response.text());
  };

  it("answers /health and /ready without a token", async () => {
    const health = await fetch(`${hub.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
    const ready = await fetch(`${hub.url}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, "ready");
  });

  it("counts Hub requests under their route pattern, and commits made with the real client", async () => {
    const listRoute = "/api/:type(models|datasets|spaces)";
    const labels = { method: "GET", route: listRoute, status: "200" };
    const before = sampleValue(await scrape(), "hangar_http_requests_total", labels) ?? 0;
    const commitsBefore = sampleValue(await scrape(), "hangar_commits_total", { repo_type: "model" }) ?? 0;
    const listed = await fetch(`${hub.url}/api/models`);
    assert.equal(listed.status, 200);
    assert.ok(listed.headers.get("ratelimit-limit"), "rate-limit headers on a Hub route");
    await createRepo({ repo: "ops/counted", accessToken: token, hubUrl: hub.url });
    await uploadFiles({
      repo: "ops/counted",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "notes.txt", content: new Blob(["counted"]) }],
    });
    const after = await scrape();
    assert.equal(sampleValue(after, "hangar_http_requests_total", labels), before + 1);
    assert.ok((sampleValue(after, "hangar_commits_total", { repo_type: "model" }) ?? 0) >= commitsBefore + 1);
  });

  it("lists the probes and /metrics in the OpenAPI document", async () => {
    const document = (await (await fetch(`${hub.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const path of ["/health", "/ready", "/metrics"]) assert.ok(document.paths[path]?.get, path);
  });
});
