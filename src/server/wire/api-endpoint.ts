import type { EndpointView } from "../../inference/endpoints/endpoint-service.ts";

/** The route an endpoint's URL answers health checks on (`huggingface_hub`'s `wait()` GETs `url + healthRoute`). */
export const ENDPOINT_HEALTH_ROUTE = "/health";

/** Where an endpoint's URL points on this Hangar: `{base}/endpoints/{namespace}/{name}`. */
export function endpointUrl(baseUrl: string, namespace: string, name: string): string {
  return `${baseUrl}/endpoints/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

/** States in which the endpoint has a URL that answers (scaled to zero: the first request wakes it). */
const SERVING = new Set(["running", "scaledToZero", "updating", "updateFailed"]);

/**
 * An endpoint in the JSON shape of Hugging Face Inference Endpoints v2, which `huggingface_hub`'s
 * `InferenceEndpoint.from_raw` reads: `name`, `type`, `model.{repository, revision, task, framework}`,
 * `healthRoute`, `status.{state, url, createdAt, updatedAt}`. Hangar adds `compute.pricePerHour` and, for a
 * remote endpoint, `remote.{url, apiKeyEnv}` (the variable's name, never its value).
 */
export function toApiEndpoint(view: EndpointView, baseUrl: string) {
  const { record } = view;
  const spec = record.spec;
  return {
    accountId: null,
    name: record.name,
    type: spec.type,
    provider: { vendor: spec.provider.vendor, region: spec.provider.region },
    compute: {
      id: `${spec.provider.vendor}-${spec.provider.region}-${spec.compute.instanceType}-${spec.compute.instanceSize}`,
      accelerator: spec.compute.accelerator,
      instanceType: spec.compute.instanceType,
      instanceSize: spec.compute.instanceSize,
      pricePerHour: view.pricePerReplicaHour,
      scaling: {
        minReplica: spec.compute.scaling.minReplica,
        maxReplica: spec.compute.scaling.maxReplica,
        scaleToZeroTimeout: spec.compute.scaling.scaleToZeroTimeout,
        measure: spec.compute.scaling.measure,
      },
    },
    model: {
      repository: spec.model.repository,
      revision: spec.model.revision,
      task: spec.model.task,
      framework: spec.model.framework,
      image: spec.model.image,
      env: spec.model.env,
      secrets: {},
    },
    healthRoute: ENDPOINT_HEALTH_ROUTE,
    tags: spec.tags,
    ...(spec.remote ? { remote: { url: spec.remote.url, apiKeyEnv: spec.remote.apiKeyEnv } } : {}),
    status: {
      state: record.state,
      message: record.message || stateMessage(record.state),
      url: SERVING.has(record.state) ? endpointUrl(baseUrl, record.namespace, record.name) : null,
      private: null,
      readyReplica: view.readyReplicas,
      targetReplica: view.targetReplicas,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      createdBy: { id: record.createdBy, name: record.createdBy },
      updatedBy: { id: record.updatedBy, name: record.updatedBy },
    },
  };
}

export type ApiEndpoint = ReturnType<typeof toApiEndpoint>;

function stateMessage(state: string): string {
  switch (state) {
    case "pending":
      return "Endpoint waiting to be scheduled";
    case "initializing":
      return "Endpoint is initializing: loading the model on its replicas";
    case "running":
      return "Endpoint is running";
    case "scaledToZero":
      return "Endpoint scaled to zero: the next request starts a replica and waits for it";
    case "paused":
      return "Endpoint is paused: resume it to send requests";
    case "updating":
      return "Endpoint is updating";
    default:
      return `Endpoint is ${state}`;
  }
}
