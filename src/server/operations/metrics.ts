import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type {
  CommitEvent,
  InferenceEvent,
  ModelLoadEvent,
  QueueDepthEvent,
  RouterEvent,
  Telemetry,
} from "../../core/telemetry.ts";

/** Methods kept as labels; anything else is `other`, so a client cannot invent label values. */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** One HTTP request, as it ended. */
export interface FinishedRequest {
  method: string;
  /** The route pattern (never the path: ids and file names would make a series per file). */
  route: string;
  /** The status sent, or 499 when the connection closed before the response was complete. */
  status: number;
  seconds: number;
  receivedBytes: number;
  sentBytes: number;
}

/** The labelled series of one method and route pattern, looked up once (no label objects per request). */
interface RouteSeries {
  duration: { observe(value: number): void };
  received: { inc(value: number): void };
  sent: { inc(value: number): void };
  byStatus: Map<number, { inc(): void }>;
}

/** The labelled inference series of one model and task, looked up once (as `RouteSeries`). */
interface InferenceSeries {
  duration: { observe(value: number): void };
  batch: { observe(value: number): void };
  byStatus: Map<number, { inc(): void }>;
}

/**
 * Series kept per method and route (or model and task) beyond this are looked up again each time (route
 * patterns are few; this only bounds memory should something pass paths as routes).
 */
const MAX_CACHED_SERIES = 2_000;

/** `series.get(key)`, made by `make` and kept when missing (the map is emptied once it holds too many). */
function cachedSeries<T>(series: Map<string, T>, key: string, make: () => T): T {
  let found = series.get(key);
  if (!found) {
    found = make();
    if (series.size >= MAX_CACHED_SERIES) series.clear();
    series.set(key, found);
  }
  return found;
}

/** The child of `counter` for one status, kept in `byStatus`. */
function statusChild(
  byStatus: Map<number, { inc(): void }>,
  status: number,
  make: (status: string) => { inc(): void },
): { inc(): void } {
  let child = byStatus.get(status);
  if (!child) {
    child = make(String(status));
    byStatus.set(status, child);
  }
  return child;
}

/**
 * The Prometheus metrics of one Hangar instance, on a registry of its own (never prom-client's global one:
 * several instances may run in one process). Fed by the HTTP hooks (`observeRequest`) and by the domain
 * through `telemetry`, which the instance's `TelemetryHub` is given.
 */
export class HangarMetrics {
  /** The instance's own metrics (Node's process metrics live on a registry shared by the process). */
  readonly registry = new Registry();
  private readonly httpRequests: Counter<"method" | "route" | "status">;
  private readonly httpDuration: Histogram<"method" | "route">;
  private readonly httpReceived: Counter<"method" | "route">;
  private readonly httpSent: Counter<"method" | "route">;
  readonly inFlight: Gauge;
  readonly rateLimited: Counter<"group">;
  private readonly commits: Counter<"repo_type">;
  private readonly lfsObjects: Counter;
  private readonly lfsBytes: Counter;
  private readonly inferenceRequests: Counter<"model" | "task" | "status">;
  private readonly inferenceDuration: Histogram<"model" | "task">;
  private readonly inferenceBatch: Histogram<"model" | "task">;
  private readonly queueDepth: Gauge<"model" | "task">;
  private readonly modelsLoaded: Gauge;
  private readonly modelMemory: Gauge<"model" | "revision">;
  private readonly loadedModels = new Map<string, number>();
  private readonly routerCircuitOpen: Gauge<"route" | "deployment">;
  private readonly routerStateChanges: Counter<"route" | "deployment" | "to">;
  private readonly routerRetries: Counter<"route" | "kind">;
  private readonly routeSeries = new Map<string, RouteSeries>();
  private readonly inferenceSeries = new Map<string, InferenceSeries>();

  constructor() {
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: "hangar_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status (499: the client went away first)",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.httpDuration = new Histogram({
      name: "hangar_http_request_duration_seconds",
      help: "Time from a request's arrival to the end of its response, by method and route pattern",
      labelNames: ["method", "route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.httpReceived = new Counter({
      name: "hangar_http_received_bytes_total",
      help: "Bytes clients sent (uploaded), headers included, by method and route pattern",
      labelNames: ["method", "route"],
      registers,
    });
    this.httpSent = new Counter({
      name: "hangar_http_sent_bytes_total",
      help: "Bytes sent to clients (downloaded), headers included, by method and route pattern",
      labelNames: ["method", "route"],
      registers,
    });
    this.inFlight = new Gauge({
      name: "hangar_http_requests_in_flight",
      help: "Requests received and not answered yet",
      registers,
    });
    this.rateLimited = new Counter({
      name: "hangar_rate_limited_requests_total",
      help: "Requests refused with 429 by the rate limits, by route group",
      labelNames: ["group"],
      registers,
    });
    this.commits = new Counter({
      name: "hangar_commits_total",
      help: "Commits recorded (on branches and new pull requests), by repo type",
      labelNames: ["repo_type"],
      registers,
    });
    this.lfsObjects = new Counter({
      name: "hangar_lfs_objects_stored_total",
      help: "LFS objects received whole and recorded for a repo",
      registers,
    });
    this.lfsBytes = new Counter({
      name: "hangar_lfs_stored_bytes_total",
      help: "Bytes of the LFS objects received whole and recorded for a repo",
      registers,
    });
    this.inferenceRequests = new Counter({
      name: "hangar_inference_requests_total",
      help: "Inference requests that ended, by model, task and status (429: queue full, 499: client gone)",
      labelNames: ["model", "task", "status"],
      registers,
    });
    this.inferenceDuration = new Histogram({
      name: "hangar_inference_request_duration_seconds",
      help: "Inference latency, queueing included, by model and task",
      labelNames: ["model", "task"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.inferenceBatch = new Histogram({
      name: "hangar_inference_batch_size",
      help: "Requests carried by the model call that answered each successful request, by model and task",
      labelNames: ["model", "task"],
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers,
    });
    this.queueDepth = new Gauge({
      name: "hangar_inference_queue_depth",
      help: "Inference requests waiting for their model, by model and task",
      labelNames: ["model", "task"],
      registers,
    });
    this.modelsLoaded = new Gauge({
      name: "hangar_inference_models_loaded",
      help: "Models loaded for inference now",
      registers,
    });
    this.modelMemory = new Gauge({
      name: "hangar_inference_model_memory_bytes",
      help: "Estimated memory of each loaded model",
      labelNames: ["model", "revision"],
      registers,
    });
    this.routerCircuitOpen = new Gauge({
      name: "hangar_router_circuit_open",
      help: "Whether a route deployment's circuit is open (1) or not (0); half-open counts as open",
      labelNames: ["route", "deployment"],
      registers,
    });
    this.routerStateChanges = new Counter({
      name: "hangar_router_state_changes_total",
      help: "Circuit state changes of route deployments, by the state entered",
      labelNames: ["route", "deployment", "to"],
      registers,
    });
    this.routerRetries = new Counter({
      name: "hangar_router_retries_total",
      help: "Further attempts of routed requests: retry (same deployment) or fallback (another one)",
      labelNames: ["route", "kind"],
      registers,
    });
  }

  /** What the domain reports, recorded here: give it to `hangar.telemetry.attach`. */
  readonly telemetry: Telemetry = {
    commitCreated: (event: CommitEvent) => this.commits.inc({ repo_type: event.repoType }),
    lfsObjectStored: (bytes: number) => {
      this.lfsObjects.inc();
      this.lfsBytes.inc(bytes);
    },
    inferenceRun: (event: InferenceEvent) => {
      const { model, task } = event;
      // Looked up once per model and task: prom-client hashes a label object on every call otherwise.
      const series = cachedSeries(this.inferenceSeries, `${model}\u0000${task}`, () => ({
        duration: this.inferenceDuration.labels({ model, task }),
        batch: this.inferenceBatch.labels({ model, task }),
        byStatus: new Map(),
      }));
      statusChild(series.byStatus, event.status, (status) =>
        this.inferenceRequests.labels({ model, task, status }),
      ).inc();
      series.duration.observe(event.ms / 1000);
      if (event.status === 200) series.batch.observe(event.batchSize);
    },
    queueDepth: (event: QueueDepthEvent) =>
      this.queueDepth.set({ model: event.model, task: event.task }, event.waiting),
    modelLoaded: (event: ModelLoadEvent) => {
      this.loadedModels.set(event.model, event.memoryBytes);
      this.modelsLoaded.set(this.loadedModels.size);
      this.modelMemory.set(modelLabels(event.model), event.memoryBytes);
    },
    modelUnloaded: (event: { model: string }) => {
      this.loadedModels.delete(event.model);
      this.modelsLoaded.set(this.loadedModels.size);
      this.modelMemory.remove(modelLabels(event.model));
    },
    routerEvent: (event: RouterEvent) => {
      const route = event.route ?? "";
      if (event.kind === "deployment-state" && event.deployment && event.to) {
        this.routerCircuitOpen.set({ route, deployment: event.deployment }, event.to === "closed" ? 0 : 1);
        this.routerStateChanges.inc({ route, deployment: event.deployment, to: event.to });
      } else if (event.kind === "retry" || event.kind === "fallback") {
        this.routerRetries.inc({ route, kind: event.kind });
      }
    },
  };

  observeRequest(request: FinishedRequest): void {
    const method = METHODS.has(request.method) ? request.method : "other";
    const route = request.route;
    const series = cachedSeries(this.routeSeries, `${method} ${route}`, () => ({
      duration: this.httpDuration.labels({ method, route }),
      received: this.httpReceived.labels({ method, route }),
      sent: this.httpSent.labels({ method, route }),
      byStatus: new Map(),
    }));
    statusChild(series.byStatus, request.status, (status) =>
      this.httpRequests.labels({ method, route, status }),
    ).inc();
    series.duration.observe(request.seconds);
    if (request.receivedBytes > 0) series.received.inc(request.receivedBytes);
    if (request.sentBytes > 0) series.sent.inc(request.sentBytes);
  }

  /** The Prometheus text exposition of every metric: the process's, then the instance's. */
  async render(): Promise<string> {
    const [process, instance] = await Promise.all([processRegistry().metrics(), this.registry.metrics()]);
    return `${process.trimEnd()}\n\n${instance}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

let processMetrics: Registry | undefined;

/**
 * Node's process metrics (CPU, memory, event loop lag, GC, handles), collected once per process on a registry
 * of this module's (not prom-client's global one): they describe the process, whatever instances it runs,
 * and collecting them per instance would start an event-loop monitor and a GC observer per instance that
 * nothing ever stops.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: "hangar_" });
  }
  return processMetrics;
}

/** `namespace/name@commit` as labels. */
function modelLabels(key: string): { model: string; revision: string } {
  const at = key.lastIndexOf("@");
  return at < 0 ? { model: key, revision: "" } : { model: key.slice(0, at), revision: key.slice(at + 1) };
}
