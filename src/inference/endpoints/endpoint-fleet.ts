import { endpointSettings, inferenceSettings } from "../../core/inference-config.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import type { BackendCall, InferenceBackend } from "../backend.ts";
import type { InferenceRegistry } from "../registry.ts";
import { Endpoint, type EndpointContext } from "./endpoint.ts";
import type { EndpointMetricsReport } from "./endpoint-metrics.ts";
import { isMember, notFound, recordOf } from "./endpoint-records.ts";
import type { EndpointState } from "./endpoint-spec.ts";

/** The model name that reaches an endpoint through the inference API: `endpoints/{namespace}/{name}`. */
export const ENDPOINT_MODEL_PREFIX = "endpoints/";

export function endpointModelName(namespace: string, name: string): string {
  return `${ENDPOINT_MODEL_PREFIX}${namespace}/${name}`;
}

/** Where the endpoints get the inference side from (the runtime is made lazily by the instance). */
export interface EndpointFleetParams {
  hub: HubContext;
  registry: InferenceRegistry;
  /** The instance's price table: replica-hours of local endpoints are priced from it. */
  prices: {
    hourlyPrice(what: {
      kind: "replica";
      instanceSize: string;
      endpoint: string;
    }): Promise<{ perHour: number }>;
  };
}

/**
 * The endpoints running in this process: brought back from the catalog in their state on start, their
 * state changes written back in order, sized to their load by the autoscaler, and reached by the inference
 * runtime through their model name. Who may change them is the endpoint service's concern.
 */
export class EndpointFleet {
  readonly context: EndpointContext;
  private readonly endpoints = new Map<string, Endpoint>();
  private restoring: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private closed = false;
  /** State writes of each endpoint, in order. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly params: EndpointFleetParams) {
    const hub = params.hub;
    this.context = {
      hub,
      registry: params.registry,
      inference: inferenceSettings(hub.config),
      settings: endpointSettings(hub.config),
      persistState: (endpoint) => this.persistState(endpoint),
      secret: (name) => hub.config.environment?.(name),
      replicaPrice: async (instanceSize, endpoint) =>
        (await params.prices.hourlyPrice({ kind: "replica", instanceSize, endpoint })).perHour,
    };
  }

  private key(namespace: string, name: string): string {
    return `${namespace.toLowerCase()}/${name}`;
  }

  private persistState(endpoint: Endpoint): Promise<void> {
    const { namespace, name, state, message } = endpoint.record;
    const key = this.key(namespace, name);
    const previous = this.writes.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.params.hub.catalog.endpoints.saveState(namespace, name, state, message))
      .catch(() => {});
    this.writes.set(key, next);
    return next;
  }

  /** Loads the endpoints from the catalog and brings each back in its state; starts the autoscaler. */
  start(): Promise<void> {
    this.restoring ??= this.restore();
    return this.restoring;
  }

  private async restore(): Promise<void> {
    const rows = await this.params.hub.catalog.endpoints.list();
    for (const row of rows) {
      const endpoint = new Endpoint(recordOf(row), this.context);
      await endpoint.refreshPrice();
      this.endpoints.set(this.key(row.namespace, row.name), endpoint);
      // Paused, scaled-to-zero and failed endpoints stay so; the others start again.
      if (!["paused", "scaledToZero", "failed"].includes(endpoint.state)) void endpoint.start();
      else endpoint.metrics.setReplicas(0);
    }
    const interval = this.context.settings.autoscaleIntervalMs;
    if (interval > 0 && !this.closed) {
      this.timer = setInterval(() => void this.tick(), interval);
      this.timer.unref();
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await Promise.all([...this.endpoints.values()].map((endpoint) => endpoint.tick()));
    } finally {
      this.ticking = false;
    }
  }

  /** The endpoint of a namespace and name, once the catalog's endpoints are loaded. */
  async find(namespace: string, name: string): Promise<Endpoint | undefined> {
    await this.start();
    return this.endpoints.get(this.key(namespace, name));
  }

  /** Every endpoint, once the catalog's endpoints are loaded. */
  async all(): Promise<Endpoint[]> {
    await this.start();
    return [...this.endpoints.values()];
  }

  /** Runs a new endpoint (its catalog row is written already). */
  add(endpoint: Endpoint): void {
    this.endpoints.set(this.key(endpoint.record.namespace, endpoint.record.name), endpoint);
    void endpoint.start();
  }

  /** Stops a deleted endpoint (its catalog row is gone already). */
  async remove(endpoint: Endpoint): Promise<void> {
    this.endpoints.delete(this.key(endpoint.record.namespace, endpoint.record.name));
    await endpoint.close(`endpoint ${endpoint.id} was deleted`);
  }

  /** Every endpoint with its numbers, for `/metrics`. */
  snapshot(): Array<{ endpoint: Endpoint; report: EndpointMetricsReport }> {
    return [...this.endpoints.values()].map((endpoint) => ({
      endpoint,
      report: endpoint.metrics.report(endpoint.pricePerReplicaHour),
    }));
  }

  /**
   * The backend of a model name `endpoints/{namespace}/{name}`, for the inference runtime; the endpoints
   * are read from the catalog first if they were not yet.
   */
  backendFor(model: string): InferenceBackend | undefined {
    if (!model.startsWith(ENDPOINT_MODEL_PREFIX)) return undefined;
    const [namespace, name, ...rest] = model.slice(ENDPOINT_MODEL_PREFIX.length).split("/");
    if (!namespace || !name || rest.length > 0) return undefined;
    const lookup = async (call: BackendCall): Promise<Endpoint> => {
      const endpoint = await this.find(namespace, name);
      if (!endpoint) throw notFound(namespace, name);
      // A private endpoint of someone else's namespace is not found; a public one answers anyone.
      if (endpoint.record.spec.type === "private" && !isMember(call.caller, namespace)) {
        if (!call.caller) endpoint.authorize(call.caller);
        throw notFound(namespace, name);
      }
      return endpoint;
    };
    return {
      kind: "local",
      supports: () => true,
      run: async (call) => (await lookup(call)).run(call),
      stream: async (call) => (await lookup(call)).stream(call),
      health: async (signal) => {
        const endpoint = this.endpoints.get(this.key(namespace, name));
        return endpoint ? endpoint.health(signal) : { ok: false, latencyMs: 0, message: "not found" };
      },
    };
  }

  /** The endpoint a request to its URL names, if the caller may reach it (for its health route). */
  async state(caller: Caller, namespace: string, name: string): Promise<EndpointState> {
    const endpoint = await this.find(namespace, name);
    if (!endpoint || (endpoint.record.spec.type === "private" && !isMember(caller, namespace))) {
      throw notFound(namespace, name);
    }
    endpoint.authorize(caller);
    return endpoint.state;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.restoring?.catch(() => {});
    await Promise.all([...this.endpoints.values()].map((endpoint) => endpoint.close("Hangar is stopping")));
    await Promise.all(this.writes.values());
  }
}
