import { HangarError } from "../../core/errors.ts";
import { endpointSettings, inferenceSettings } from "../../core/inference-config.ts";
import { nowIso } from "../../core/time.ts";
import { assertCanWrite } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import type { HubContext } from "../../hub/hub.ts";
import type { BackendCall, InferenceBackend } from "../backend.ts";
import type { InferenceRegistry } from "../registry.ts";
import { Endpoint, type EndpointContext, type EndpointRecord, resolveEndpointModel } from "./endpoint.ts";
import type { EndpointMetricsReport } from "./endpoint-metrics.ts";
import {
  assertMayPointElsewhere,
  changedFields,
  isMember,
  notFound,
  recordOf,
  rowOf,
} from "./endpoint-records.ts";
import {
  applyUpdateBody,
  checkEndpointName,
  type EndpointState,
  specFromCreateBody,
} from "./endpoint-spec.ts";

/** The model name that reaches an endpoint through the inference API: `endpoints/{namespace}/{name}`. */
export const ENDPOINT_MODEL_PREFIX = "endpoints/";

export function endpointModelName(namespace: string, name: string): string {
  return `${ENDPOINT_MODEL_PREFIX}${namespace}/${name}`;
}

/** An endpoint as the API shows it: its record and what it is doing now. */
export interface EndpointView {
  record: EndpointRecord;
  readyReplicas: number;
  targetReplicas: number;
  pricePerReplicaHour: number;
}

/** Where the service gets the inference side from (the runtime is made lazily by the instance). */
export interface EndpointServiceParams {
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
 * Hangar's inference endpoints: create, read, update, delete, pause, resume and scale to zero them (each
 * change audited with the catalog row it changes), keep them in the catalog so they come back in their
 * state after a restart, and run the autoscaler that sizes each one to its load.
 */
export class EndpointService {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly context: EndpointContext;
  private restoring: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private closed = false;
  /** State writes of each endpoint, in order. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly params: EndpointServiceParams) {
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

  private async find(caller: Caller, namespace: string, name: string): Promise<Endpoint> {
    await this.start();
    const endpoint = this.endpoints.get(this.key(namespace, name));
    // Someone else's endpoints are not found, as on the Hub: they cannot be told from missing ones.
    if (!endpoint || !isMember(caller, namespace)) throw notFound(namespace, name);
    return endpoint;
  }

  /** Who may look at a namespace's endpoints: its user or an organisation's members (and admins). */
  private assertMember(caller: Caller, namespace: string): void {
    if (!caller) {
      throw new HangarError(
        "HANGAR_ERR_UNAUTHORIZED",
        "Inference endpoints need a token: send one as a Bearer token",
      );
    }
    if (!isMember(caller, namespace)) {
      throw new HangarError(
        "HANGAR_ERR_FORBIDDEN",
        `You are not a member of "${namespace}": only its members see and manage its inference endpoints`,
      );
    }
  }

  /** An endpoint as the API shows it, its price read from the price table again. */
  private async view(endpoint: Endpoint): Promise<EndpointView> {
    await endpoint.refreshPrice();
    return {
      record: endpoint.record,
      readyReplicas: endpoint.readyReplicas,
      targetReplicas: endpoint.targetReplicas,
      pricePerReplicaHour: endpoint.pricePerReplicaHour,
    };
  }

  async list(caller: Caller, namespace: string): Promise<EndpointView[]> {
    this.assertMember(caller, namespace);
    await this.start();
    const listed = [...this.endpoints.values()]
      .filter((endpoint) => endpoint.record.namespace.toLowerCase() === namespace.toLowerCase())
      .sort((a, b) => a.record.name.localeCompare(b.record.name));
    return Promise.all(listed.map((endpoint) => this.view(endpoint)));
  }

  /** Every endpoint the caller may see, in every namespace (the MCP tool). */
  async listVisible(caller: Caller): Promise<EndpointView[]> {
    await this.start();
    const visible = [...this.endpoints.values()].filter(
      (endpoint) => caller && isMember(caller, endpoint.record.namespace),
    );
    return Promise.all(visible.map((endpoint) => this.view(endpoint)));
  }

  async get(caller: Caller, namespace: string, name: string): Promise<EndpointView> {
    this.assertMember(caller, namespace);
    return this.view(await this.find(caller, namespace, name));
  }

  async metrics(caller: Caller, namespace: string, name: string): Promise<EndpointMetricsReport> {
    this.assertMember(caller, namespace);
    const endpoint = await this.find(caller, namespace, name);
    await endpoint.refreshPrice();
    return endpoint.metrics.report(endpoint.pricePerReplicaHour);
  }

  /** Every endpoint with its numbers, for `/metrics`. */
  snapshot(): Array<{ endpoint: Endpoint; report: EndpointMetricsReport }> {
    return [...this.endpoints.values()].map((endpoint) => ({
      endpoint,
      report: endpoint.metrics.report(endpoint.pricePerReplicaHour),
    }));
  }

  /**
   * Creates an endpoint from a v2 create body. A local model is checked first (the caller may read it, a
   * loader runs it, the task is one of its tasks) and its revision pinned to a commit; the endpoint then
   * starts in the background (`pending`, `initializing`, `running`).
   */
  async create(caller: Caller, namespace: string, body: Record<string, unknown>): Promise<EndpointView> {
    this.assertMember(caller, namespace);
    assertCanWrite(caller, namespace);
    const name = checkEndpointName(body.name);
    const spec = specFromCreateBody(body);
    if (spec.remote) assertMayPointElsewhere(caller);
    const owner = await this.params.hub.catalog.accounts.getNamespace(namespace);
    if (!owner) throw new HangarError("HANGAR_ERR_NOT_FOUND", `Namespace "${namespace}" not found`);
    if (!spec.remote) {
      const resolved = await resolveEndpointModel(this.context, spec, caller);
      if (spec.model.task && !resolved.tasks.includes(spec.model.task)) {
        throw new HangarError(
          "HANGAR_ERR_BAD_REQUEST",
          `"model.task": ${spec.model.repository} cannot do ${spec.model.task}; it can do ${resolved.tasks.join(", ")}`,
        );
      }
      spec.model.revision = resolved.source.commit.oid;
      spec.model.task ??= resolved.tasks[0] ?? null;
    }
    await this.start();
    const now = nowIso();
    const record: EndpointRecord = {
      namespace: owner.name,
      name,
      spec,
      state: "pending",
      message: "",
      createdAt: now,
      updatedAt: now,
      createdBy: caller!.user,
      updatedBy: caller!.user,
    };
    const inserted = await this.params.hub.catalog.transaction(async (tx) => {
      if (!(await tx.endpoints.insert(rowOf(record)))) return false;
      await recordAudit(tx, {
        caller,
        action: "endpoint.create",
        target: `endpoint:${owner.name}/${name}`,
        details: {
          repository: spec.model.repository,
          revision: spec.model.revision,
          vendor: spec.provider.vendor,
        },
      });
      return true;
    });
    if (!inserted) {
      throw new HangarError(
        "HANGAR_ERR_CONFLICT",
        `An inference endpoint named "${name}" already exists in ${owner.name}`,
      );
    }
    const endpoint = new Endpoint(record, this.context);
    this.endpoints.set(this.key(owner.name, name), endpoint);
    void endpoint.start();
    return this.view(endpoint);
  }

  /** Applies an update body (only the fields it has); a new model or size reloads the replicas. */
  async update(caller: Caller, namespace: string, name: string, body: Record<string, unknown>) {
    this.assertMember(caller, namespace);
    const endpoint = await this.find(caller, namespace, name);
    assertCanWrite(caller, namespace);
    const { spec, modelChanged, sizeChanged } = applyUpdateBody(endpoint.record.spec, body);
    if (spec.remote && JSON.stringify(spec.remote) !== JSON.stringify(endpoint.record.spec.remote)) {
      assertMayPointElsewhere(caller);
    }
    if (modelChanged && !spec.remote) {
      const resolved = await resolveEndpointModel(this.context, spec, caller);
      if (spec.model.task && !resolved.tasks.includes(spec.model.task)) {
        throw new HangarError(
          "HANGAR_ERR_BAD_REQUEST",
          `"model.task": ${spec.model.repository} cannot do ${spec.model.task}; it can do ${resolved.tasks.join(", ")}`,
        );
      }
      spec.model.revision = resolved.source.commit.oid;
    }
    const now = nowIso();
    await this.params.hub.catalog.transaction(async (tx) => {
      await tx.endpoints.saveSpec(endpoint.record.namespace, name, JSON.stringify(spec), now, caller!.user);
      await recordAudit(tx, {
        caller,
        action: "endpoint.update",
        target: `endpoint:${endpoint.id}`,
        details: {
          fields: changedFields(body),
          repository: spec.model.repository,
          revision: spec.model.revision,
        },
      });
    });
    endpoint.record = { ...endpoint.record, updatedAt: now, updatedBy: caller!.user };
    const applying = endpoint.update(spec, modelChanged || sizeChanged);
    // Bounds apply at once; a reload runs in the background (`updating`, then `running`).
    if (!(modelChanged || sizeChanged)) await applying;
    else void applying;
    return this.view(endpoint);
  }

  async delete(caller: Caller, namespace: string, name: string): Promise<void> {
    this.assertMember(caller, namespace);
    const endpoint = await this.find(caller, namespace, name);
    assertCanWrite(caller, namespace);
    await this.params.hub.catalog.transaction(async (tx) => {
      await tx.endpoints.delete(endpoint.record.namespace, name);
      await recordAudit(tx, { caller, action: "endpoint.delete", target: `endpoint:${endpoint.id}` });
    });
    this.endpoints.delete(this.key(namespace, name));
    await endpoint.close(`endpoint ${endpoint.id} was deleted`);
  }

  /** Pause, resume or scale to zero, audited with the state it leads to. */
  async lifecycle(
    caller: Caller,
    namespace: string,
    name: string,
    action: "pause" | "resume" | "scale-to-zero",
  ): Promise<EndpointView> {
    this.assertMember(caller, namespace);
    const endpoint = await this.find(caller, namespace, name);
    assertCanWrite(caller, namespace);
    if (action === "resume" && (endpoint.state === "running" || endpoint.state === "initializing")) {
      // huggingface_hub's resume(running_ok=True) looks for exactly this: 400 and "already running".
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Endpoint ${endpoint.id} is already running`);
    }
    const target: EndpointState =
      action === "pause" ? "paused" : action === "resume" ? "initializing" : "scaledToZero";
    await this.params.hub.catalog.transaction(async (tx) => {
      await tx.endpoints.saveState(endpoint.record.namespace, name, target, "");
      await recordAudit(tx, {
        caller,
        action: `endpoint.${action === "scale-to-zero" ? "scale_to_zero" : action}`,
        target: `endpoint:${endpoint.id}`,
        details: { from: endpoint.state },
      });
    });
    if (action === "pause") await endpoint.pause();
    else if (action === "scale-to-zero") await endpoint.scaleToZero();
    else {
      endpoint.record = { ...endpoint.record, state: "initializing", message: "" };
      void endpoint.start();
    }
    return this.view(endpoint);
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
      await this.start();
      const endpoint = this.endpoints.get(this.key(namespace, name));
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
    await this.start();
    const endpoint = this.endpoints.get(this.key(namespace, name));
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
