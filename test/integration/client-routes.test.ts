import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadClientRoutes } from "../../src/server/routes/not-implemented.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** A concrete URL for a route pattern: the first choice of each `:param(a|b)`, sample values elsewhere. */
function sampleUrl(pattern: string): string {
  const samples: Record<string, string> = {
    namespace: "alice",
    name: "walk",
    repo: "walk.git",
    owner: "alice",
    slugName: "missing-0123456789abcdef01234567",
    id: "0123456789abcdef01234567",
    num: "1",
  };
  return pattern
    .split("/")
    .map((segment) => {
      const choice = /^:(\w+)\(([^|)]+)/.exec(segment);
      if (choice) return choice[2]!;
      if (segment.startsWith(":")) return samples[segment.slice(1)] ?? "sample";
      if (segment.startsWith("*")) return "main";
      return segment;
    })
    .join("/");
}

describe("every route the Hub's clients call is served or answers 501 (data/hub-client-routes.json)", () => {
  let hub: TestHangar;
  let token: string;
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice", "write");
  });
  after(() => hub.close());

  it("lists routes of both clients, each with where it comes from and, when not served, why", () => {
    const routes = loadClientRoutes();
    assert.ok(routes.length >= 100, `${routes.length} routes`);
    assert.ok(routes.some((route) => route.calledBy.includes("huggingface_hub")));
    assert.ok(routes.some((route) => route.calledBy.includes("@huggingface/hub")));
    for (const route of routes) {
      assert.ok(["served", "not-implemented"].includes(route.status), `${route.method} ${route.path}`);
      if (route.status === "not-implemented") assert.ok(route.reason.length > 10, `${route.path} says why`);
    }
  });

  it("never answers 404 No route, and answers 501 NotImplemented for what Hangar does not serve", async () => {
    const problems: string[] = [];
    for (const route of loadClientRoutes()) {
      const url = `${hub.url}${sampleUrl(route.path)}`;
      const withBody = route.method !== "GET" && route.method !== "HEAD";
      const response = await fetch(url, {
        method: route.method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(withBody ? { "content-type": "application/json" } : {}),
        },
        ...(withBody ? { body: "{}" } : {}),
      });
      const text = await response.text();
      const code = response.headers.get("x-error-code");
      const where = `${route.method} ${sampleUrl(route.path)} (${route.status})`;
      if (/No route/.test(text) || response.status === 405) {
        problems.push(`${where}: ${response.status} ${text.slice(0, 120)}`);
        continue;
      }
      if (route.status === "not-implemented") {
        if (response.status !== 501 || code !== "NotImplemented")
          problems.push(`${where}: expected 501 NotImplemented, got ${response.status} ${code}`);
        else if (!/not implemented/i.test(JSON.parse(text).error as string))
          problems.push(`${where}: the message does not say it is not implemented`);
      } else if (response.status === 501) {
        problems.push(`${where}: listed as served, answered 501 ${text.slice(0, 120)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it("answers a route that is not implemented in the Hub's error shape, with a stable code", async () => {
    const response = await fetch(`${hub.url}/api/spaces/alice/walk/runtime`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 501);
    assert.equal(response.headers.get("x-error-code"), "NotImplemented");
    assert.match(
      response.headers.get("x-error-message")!,
      /not implemented in Hangar: Hangar does not run Spaces/,
    );
    assert.deepEqual(await response.json(), {
      error: "GET /api/spaces/alice/walk/runtime is not implemented in Hangar: Hangar does not run Spaces",
      code: "HANGAR_ERR_ROUTE_NOT_IMPLEMENTED",
    });
  });
});
