import { HangarError } from "../../core/errors.ts";
import type { EndpointSettings, InferenceSettings } from "../../core/inference-config.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import type { BackendCall, BackendHealth, BackendResult, InferenceBackend } from "../backend.ts";
import { HfEndpointBackend } from "../backends/hf-endpoint-backend.ts";
import type { InferenceStream } from "../inference-types.ts";
import { LocalBackend } from "../local/local-backend.ts";
import type { InferenceRegistry } from "../registry.ts";
import { type ResolvedModel, resolveModelForInference } from "../resolve-model.ts";
import { EndpointMetrics, measuredRun, measuredStream } from "./endpoint-metrics.ts";
import {
  DEFAULT_PENDING_REQUESTS,
  type EndpointSpec,
  type EndpointState,
  threadsOf,
} from "./endpoint-spec.ts";
import { ReplicaSet } from "./replica-set.ts";

/** An endpoint as the catalog holds it. */
export interface EndpointRecord {
  namespace: string;
  name: string;
  spec: EndpointSpec;
  state: EndpointState;
  message: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

/** What an endpoint needs from the instance. */
export interface EndpointContext {
  hub: HubContext;
  registry: InferenceRegistry;
  inference: InferenceSettings;
  settings: EndpointSettings;
  /** Records a state the endpoint entered on its own (started, failed, scaled), in the catalog. */
  persistState(endpoint: Endpoint): Promise<void>;
  /** Reads an environment variable a remote endpoint names for its token. */
  secret(name: string): string | undefined;
  /** USD per replica-hour of a local endpoint from the instance's price table (src/governance/pricing). */
  replicaPrice(instanceSize: string, endpoint: string): Promise<number>;
}

/** The model an endpoint runs, resolved as the instance (who may deploy it was checked when it was created). */
export function resolveEndpointModel(
  context: Pick<EndpointContext, "hub" | "registry">,
  spec: EndpointSpec,
  caller: Caller = localAdministrator(),
): Promise<ResolvedModel> {
  return resolveModelForInference({
    hub: context.hub,
    registry: context.registry,
    caller,
    modelId: spec.model.repository,
    revision: spec.model.revision ?? "main",
  });
}

/**
 * One endpoint: a model deployed on this machine with replicas that scale with its load (or a remote
 * Inference Endpoint registered by URL), its state, and its numbers. It is an inference backend: requests
 * sent to its URL (or to the model name `endpoints/{namespace}/{name}`) run on its replicas.
 */
export class Endpoint implements InferenceBackend {
  readonly kind: "local" | "hf-endpoint";
  readonly metrics = new EndpointMetrics();
  private replicas: ReplicaSet | undefined;
  private backend: InferenceBackend | undefined;
  private waking: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  /** The last request's arrival, and the last time every replica was busy (the autoscaler's clocks). */
  private lastRequestAt = Date.now();
  private lastPressureAt = Date.now();
  private lastTickAt = Date.now();
  private scaling = false;
  /** USD per replica-hour from the price table (refreshPrice); used when the endpoint sets no price. */
  private tablePrice = 0;
  private closed = false;

  constructor(
    public record: EndpointRecord,
    private readonly context: EndpointContext,
  ) {
    this.kind = record.spec.remote ? "hf-endpoint" : "local";
  }

  get id(): string {
    return `${this.record.namespace}/${this.record.name}`;
  }

  get state(): EndpointState {
    return this.record.state;
  }

  get readyReplicas(): number {
    if (this.record.spec.remote) return this.state === "running" ? 1 : 0;
    return this.replicas?.ready ?? 0;
  }

  get targetReplicas(): number {
    if (this.record.spec.remote) return this.state === "running" ? 1 : 0;
    return (this.replicas?.ready ?? 0) + (this.replicas?.starting ?? 0);
  }

  /**
   * Price of one replica-hour: the endpoint's own (`compute.pricePerHour`), 0 for a remote endpoint without
   * one, else the price table's as last read by `refreshPrice`.
   */
  get pricePerReplicaHour(): number {
    const spec = this.record.spec;
    if (spec.compute.pricePerHour !== null) return spec.compute.pricePerHour;
    if (spec.remote) return 0;
    return this.tablePrice;
  }

  /** Reads this endpoint's replica-hour price from the price table again (a price set since then applies). */
  async refreshPrice(): Promise<void> {
    const { spec, namespace, name } = this.record;
    if (spec.compute.pricePerHour !== null || spec.remote) return;
    this.tablePrice = await this.context.replicaPrice(spec.compute.instanceSize, `${namespace}/${name}`);
  }

  private async setState(state: EndpointState, message = ""): Promise<void> {
    this.record = { ...this.record, state, message };
    this.metrics.setReplicas(this.readyReplicas);
    if (!this.closed) await this.context.persistState(this);
  }

  private minimumRunning(): number {
    return Math.max(1, this.record.spec.compute.scaling.minReplica);
  }

  /**
   * Brings the endpoint up: its model loaded on the replicas it starts with (its minimum, at least one), then
   * `running`; a model that cannot load leaves it `failed` with the reason.
   */
  start(): Promise<void> {
    this.starting ??= this.bringUp().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async bringUp(): Promise<void> {
    const spec = this.record.spec;
    if (spec.remote) {
      this.backend ??= this.remoteBackend();
      await this.setState("running");
      return;
    }
    await this.setState("initializing");
    try {
      const resolved = await resolveEndpointModel(this.context, spec);
      this.replicas ??= this.makeReplicas(resolved);
      this.replicas.resolved = resolved;
      const missing = this.minimumRunning() - this.replicas.ready;
      await Promise.all(Array.from({ length: Math.max(0, missing) }, () => this.replicas!.add()));
      if (this.closed) return;
      this.lastRequestAt = Date.now();
      this.lastPressureAt = Date.now();
      await this.setState("running");
    } catch (error) {
      await this.replicas?.removeAll("the endpoint failed to start");
      await this.setState("failed", `The model could not be loaded: ${messageOf(error)}`);
    }
  }

  private remoteBackend(): InferenceBackend {
    const remote = this.record.spec.remote!;
    const key = remote.apiKeyEnv;
    return new HfEndpointBackend({
      url: remote.url,
      ...(key ? { apiKey: () => this.context.secret(key) } : {}),
    });
  }

  private makeReplicas(resolved: ResolvedModel): ReplicaSet {
    const replicas = new ReplicaSet(
      {
        settings: this.context.inference,
        threads: threadsOf(this.record.spec.compute.instanceSize),
        telemetry: this.context.hub.telemetry,
        wake: () => this.wake(),
      },
      resolved,
    );
    this.backend = new LocalBackend(this.context.hub, this.context.registry, this.context.inference, {
      slots: replicas,
      resolve: async () => replicas.resolved,
    });
    return replicas;
  }

  /** A request found no replica: a scaled-to-zero endpoint starts one and the request waits for it. */
  wake(): Promise<void> {
    if (this.state === "paused") return Promise.reject(this.pausedError());
    if (this.state === "failed") return Promise.reject(this.failedError());
    this.waking ??= (async () => {
      try {
        if (this.starting) await this.starting;
        else if (this.state === "scaledToZero" || this.targetReplicas === 0) await this.start();
        if (this.state !== "running") throw this.failedError();
      } finally {
        this.waking = undefined;
      }
    })();
    return this.waking;
  }

  async pause(): Promise<void> {
    await this.replicas?.removeAll(`endpoint ${this.id} was paused`);
    await this.setState("paused");
  }

  async scaleToZero(): Promise<void> {
    await this.replicas?.removeAll(`endpoint ${this.id} scaled to zero`);
    await this.setState("scaledToZero");
  }

  /** Applies new settings: new replicas of a new model (or size) replace the old once up; else the bounds apply. */
  async update(spec: EndpointSpec, reload: boolean): Promise<void> {
    const previous = this.record.spec;
    this.record = { ...this.record, spec };
    if (spec.remote) {
      this.backend = this.remoteBackend();
      return;
    }
    const serving = this.state === "running" && this.replicas !== undefined && this.replicas.ready > 0;
    if (!serving) return;
    if (!reload) {
      await this.fitBounds();
      return;
    }
    await this.setState("updating");
    try {
      const resolved = await resolveEndpointModel(this.context, spec);
      const count = Math.min(
        spec.compute.scaling.maxReplica,
        Math.max(this.minimumRunning(), this.replicas!.ready),
      );
      if (threadsOf(spec.compute.instanceSize) !== threadsOf(previous.compute.instanceSize)) {
        // A new size means new sessions: replicas are made afresh with the new thread count.
        const old = this.replicas!;
        const fresh = this.makeReplicas(resolved);
        await Promise.all(Array.from({ length: count }, () => fresh.add()));
        this.replicas = fresh;
        await old.removeAll("the endpoint was updated");
      } else {
        await this.replicas!.replace(resolved, count);
      }
      await this.setState("running");
    } catch (error) {
      await this.setState("updateFailed", `The update could not be applied: ${messageOf(error)}`);
    }
  }

  /** Adds or removes replicas so a running endpoint is within its minimum and maximum. */
  private async fitBounds(): Promise<void> {
    const replicas = this.replicas;
    if (!replicas) return;
    const scaling = this.record.spec.compute.scaling;
    while (replicas.ready + replicas.starting < this.minimumRunning()) await replicas.add();
    while (replicas.ready > scaling.maxReplica && (await replicas.removeOne())) {}
    this.metrics.setReplicas(replicas.ready);
  }

  /**
   * One look of the autoscaler: a replica more when requests wait (`measure.pendingRequests` per replica,
   * default 1) or the p95 latency since the last look passes `measure.latencyMs`; a replica less once every
   * replica has not been busy for `scaleDownAfterMs`; none after `scaleToZeroTimeout` minutes without a
   * request when `minReplica` is 0.
   */
  async tick(now = Date.now()): Promise<void> {
    const replicas = this.replicas;
    const since = this.lastTickAt;
    this.lastTickAt = now;
    this.metrics.setReplicas(this.readyReplicas, now);
    if (!replicas || this.state !== "running" || this.scaling || this.closed) return;
    const scaling = this.record.spec.compute.scaling;
    const peak = replicas.takePeak();
    if (replicas.inFlight > 0 || peak > 0) this.lastRequestAt = now;
    const ready = replicas.ready;
    const threshold = scaling.measure.pendingRequests ?? DEFAULT_PENDING_REQUESTS;
    const waitingPerReplica = ready === 0 ? peak : Math.max(0, peak - ready) / ready;
    const p95 = scaling.measure.latencyMs === undefined ? null : this.metrics.latencyP95Since(since);
    const slow = p95 !== null && scaling.measure.latencyMs !== undefined && p95 > scaling.measure.latencyMs;
    if (peak >= ready && ready > 0) this.lastPressureAt = now;
    this.scaling = true;
    try {
      if ((waitingPerReplica >= threshold || slow) && ready + replicas.starting < scaling.maxReplica) {
        await replicas.add();
        this.lastPressureAt = Date.now();
      } else if (
        scaling.minReplica === 0 &&
        scaling.scaleToZeroTimeout !== null &&
        replicas.inFlight === 0 &&
        now - this.lastRequestAt >= scaling.scaleToZeroTimeout * 60_000
      ) {
        await this.scaleToZero();
      } else if (
        ready > this.minimumRunning() &&
        now - this.lastPressureAt >= this.context.settings.scaleDownAfterMs &&
        (await replicas.removeOne())
      ) {
        this.lastPressureAt = now;
      }
    } catch (error) {
      // A replica that could not load leaves the others serving; the reason shows in the status message.
      this.record = { ...this.record, message: `Scaling up failed: ${messageOf(error)}` };
    } finally {
      this.scaling = false;
      this.metrics.setReplicas(this.readyReplicas);
    }
  }

  private pausedError(): HangarError {
    return new HangarError(
      "HANGAR_ERR_UNAVAILABLE",
      `Endpoint ${this.id} is paused: resume it (POST /api/endpoints/v2/endpoint/${this.id}/resume or \`hangar endpoint resume ${this.record.name}\`) before sending requests`,
    );
  }

  private failedError(): HangarError {
    return new HangarError(
      "HANGAR_ERR_UNAVAILABLE",
      `Endpoint ${this.id} is ${this.state}${this.record.message ? `: ${this.record.message}` : ""}`,
    );
  }

  /** Who may call the endpoint's URL, by its type: anyone, any signed-in caller, or its namespace's members. */
  authorize(caller: Caller): void {
    const type = this.record.spec.type;
    if (type === "public") return;
    if (!caller) {
      throw new HangarError("HANGAR_ERR_UNAUTHORIZED", `Endpoint ${this.id} needs a token (it is ${type})`);
    }
    if (type !== "private" || caller.isAdmin) return;
    const namespace = this.record.namespace.toLowerCase();
    const member =
      caller.user.toLowerCase() === namespace ||
      caller.orgs.some((org) => org.name.toLowerCase() === namespace);
    if (!member) {
      throw new HangarError(
        "HANGAR_ERR_FORBIDDEN",
        `Endpoint ${this.id} is private: only members of ${this.record.namespace} may call it`,
      );
    }
  }

  /** The backend requests go to, waking the endpoint first when it scaled to zero. */
  private async ready(call: BackendCall): Promise<InferenceBackend> {
    this.authorize(call.caller);
    this.lastRequestAt = Date.now();
    if (this.state === "paused") throw this.pausedError();
    if (this.state === "failed") throw this.failedError();
    if (call.task === undefined && this.record.spec.model.task) call.task = this.record.spec.model.task;
    call.meter.deployment = `endpoint ${this.id}`;
    if (this.record.spec.remote) {
      if (this.state !== "running") await this.wake();
      return this.backend!;
    }
    if (this.state === "initializing" || !this.backend) await this.wake();
    return this.backend!;
  }

  supports(task: string): boolean {
    return this.record.spec.remote !== null || this.context.registry.task(task) !== undefined;
  }

  run(call: BackendCall): Promise<BackendResult> {
    return measuredRun(this.metrics, call, async () => (await this.ready(call)).run(call));
  }

  stream(call: BackendCall): Promise<InferenceStream> {
    return measuredStream(this.metrics, call, async () => (await this.ready(call)).stream(call));
  }

  async health(signal: AbortSignal): Promise<BackendHealth> {
    if (this.record.spec.remote && this.backend) return this.backend.health(signal);
    return {
      ok: this.state === "running",
      latencyMs: 0,
      ...(this.state === "running" ? {} : { message: this.state }),
    };
  }

  /** Stops the endpoint's replicas (the instance is closing or the endpoint deleted); its state stays as stored. */
  async close(reason: string): Promise<void> {
    this.closed = true;
    await this.replicas?.removeAll(reason);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}
