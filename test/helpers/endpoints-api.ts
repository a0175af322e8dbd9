import assert from "node:assert/strict";
import { commitFactoryModels } from "./factory-models.ts";
import { startTestHangar, type TestHangar } from "./test-hangar.ts";

/**
 * The Inference Endpoints v2 API as `huggingface_hub` calls it: its headers, the body
 * `create_inference_endpoint` sends, and what `InferenceEndpoint.from_raw` and `.wait()` do; and a Hangar
 * with the factory's sentiment and generator models, quick autoscaling, and users alice and bob.
 */

/** The headers `huggingface_hub`'s `_build_hf_headers` sends (its user agent and the bearer token). */
export function hfHeaders(token: string | undefined, json = false): Record<string, string> {
  return {
    "user-agent": "unknown/None; hf_hub/1.3.0; python/3.12.3",
    "accept-encoding": "gzip, deflate",
    accept: "*/*",
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(json ? { "content-type": "application/json" } : {}),
  };
}

/** The body `create_inference_endpoint` sends for these arguments (None fields included, as it sends them). */
export function createPayload(options: {
  name: string;
  repository: string;
  task?: string;
  minReplica?: number;
  maxReplica?: number;
  scaleToZeroTimeout?: number | null;
  instanceSize?: string;
  type?: string;
  vendor?: string;
}) {
  const payload: Record<string, unknown> = {
    accountId: null,
    compute: {
      accelerator: "cpu",
      instanceSize: options.instanceSize ?? "x1",
      instanceType: "cpu",
      scaling: {
        maxReplica: options.maxReplica ?? 1,
        minReplica: options.minReplica ?? 1,
        scaleToZeroTimeout: options.scaleToZeroTimeout ?? null,
      },
    },
    model: {
      framework: "pytorch",
      repository: options.repository,
      revision: null,
      image: { huggingface: {} },
    },
    name: options.name,
    provider: { region: "local", vendor: options.vendor ?? "hangar" },
    type: options.type ?? "authenticated",
  };
  if (options.task) (payload.model as Record<string, unknown>).task = options.task;
  return payload;
}

export interface RawEndpoint {
  name: string;
  type: string;
  healthRoute: string;
  model: { repository: string; revision: string; task: string; framework: string };
  compute: { instanceSize: string; scaling: { minReplica: number; maxReplica: number } };
  status: { state: string; url: string | null; createdAt: string; updatedAt: string; readyReplica: number };
}

export interface EndpointsHub {
  hub: TestHangar;
  /** alice's write token, a read token of hers, and bob's write token. */
  alice: string;
  aliceRead: string;
  bob: string;
}

export async function startEndpointsHub(): Promise<EndpointsHub> {
  const hub = await startTestHangar({ endpoints: { autoscaleIntervalMs: 100, scaleDownAfterMs: 400 } });
  await commitFactoryModels(hub.hangar, ["sentiment", "generator"]);
  const alice = await hub.addUser("alice");
  const aliceRead = await hub.addUser("alice", "read");
  const bob = await hub.addUser("bob");
  return { hub, alice, aliceRead, bob };
}

/** Calls on /api/endpoints/v2/endpoint/ of the hub `hubOf` returns (read at each call). */
export function endpointsApi(hubOf: () => TestHangar) {
  const api = (path: string) => `${hubOf().url}/api/endpoints/v2/endpoint/${path}`;

  async function call(method: string, path: string, token: string | undefined, body?: unknown) {
    const response = await fetch(api(path), {
      method,
      headers: hfHeaders(token, body !== undefined),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined, response };
  }

  /** `InferenceEndpoint.from_raw`: every field it reads, with its type. */
  function fromRaw(raw: RawEndpoint) {
    assert.equal(typeof raw.name, "string");
    assert.equal(typeof raw.model.repository, "string");
    assert.equal(typeof raw.status.state, "string");
    assert.ok(raw.status.url === null || typeof raw.status.url === "string");
    assert.equal(typeof raw.healthRoute, "string");
    assert.equal(typeof raw.model.framework, "string");
    assert.ok(raw.model.revision === null || typeof raw.model.revision === "string");
    assert.ok(raw.model.task === null || typeof raw.model.task === "string");
    assert.ok(!Number.isNaN(Date.parse(raw.status.createdAt)));
    assert.ok(!Number.isNaN(Date.parse(raw.status.updatedAt)));
    assert.equal(typeof raw.type, "string");
    return raw;
  }

  /** `InferenceEndpoint.wait()`: re-GET until running with a URL whose health route answers 200. */
  async function waitRunning(namespace: string, name: string, token: string): Promise<RawEndpoint> {
    for (let attempt = 0; attempt < 600; attempt++) {
      const { json } = await call("GET", `${namespace}/${name}`, token);
      const raw = fromRaw(json as RawEndpoint);
      assert.notEqual(raw.status.state, "failed", JSON.stringify(raw.status));
      if (raw.status.state === "running" && raw.status.url) {
        const health = await fetch(
          `${raw.status.url.replace(/\/$/, "")}/${raw.healthRoute.replace(/^\//, "")}`,
          {
            headers: hfHeaders(token),
          },
        );
        await health.body?.cancel();
        if (health.status === 200) return raw;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${namespace}/${name} did not come up`);
  }

  async function waitForState(namespace: string, name: string, token: string, state: string) {
    for (let attempt = 0; attempt < 600; attempt++) {
      const { json } = await call("GET", `${namespace}/${name}`, token);
      if ((json as RawEndpoint).status.state === state) return json as RawEndpoint;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${namespace}/${name} never reached ${state}`);
  }

  return { call, fromRaw, waitRunning, waitForState };
}
