import type { RepoType } from "./types.ts";

/** A commit recorded on a branch or a new pull request. */
export interface CommitEvent {
  repoType: RepoType;
  /** Operations the commit carried (puts and deletes). */
  operations: number;
  pullRequest: boolean;
}

/** One inference request that ended (answered, failed, refused or cancelled). */
export interface InferenceEvent {
  /** `namespace/name` (the id the request named when it failed before the model was resolved). */
  model: string;
  /** The task, or "unknown" when the request failed before one was chosen. */
  task: string;
  /** From the request's arrival in the runtime to its end, queueing included. */
  ms: number;
  /** The HTTP status the request was metered with (499: the client went away). */
  status: number;
  /** Requests carried by the model call that answered this one (1 when unbatched or failed). */
  batchSize: number;
}

/** Requests of one model and task waiting in its queue, after a change. */
export interface QueueDepthEvent {
  model: string;
  task: string;
  waiting: number;
}

export interface ModelLoadEvent {
  /** `namespace/name@commit` */
  model: string;
  memoryBytes: number;
}

/** What the inference router reports: circuit changes, retries, fallbacks, route files taken or refused. */
export interface RouterEvent {
  kind: "deployment-state" | "retry" | "fallback" | "routes-loaded" | "routes-refused";
  route?: string;
  /** `route/index` of the deployment whose circuit changed. */
  deployment?: string;
  from?: string;
  to?: string;
  /** One readable line for the log (no secrets: keys are never in the route configuration). */
  message?: string;
}

/**
 * What the domain reports as it works, for metrics and anything else that watches: the hub where commits are
 * recorded and LFS objects land, the inference runtime as requests end, queues move and models load. The
 * calls are synchronous and must not throw or block: an observer records and returns.
 */
export interface Telemetry {
  commitCreated(event: CommitEvent): void;
  /** An LFS object received whole and recorded for its repo. */
  lfsObjectStored(bytes: number): void;
  inferenceRun(event: InferenceEvent): void;
  queueDepth(event: QueueDepthEvent): void;
  modelLoaded(event: ModelLoadEvent): void;
  modelUnloaded(event: { model: string }): void;
  /** Router events (optional: observers written before the router need not know them). */
  routerEvent?(event: RouterEvent): void;
}

/** Telemetry that goes nowhere: the default when nothing watches. */
export const NO_TELEMETRY: Telemetry = {
  commitCreated() {},
  lfsObjectStored() {},
  inferenceRun() {},
  queueDepth() {},
  modelLoaded() {},
  modelUnloaded() {},
};

/**
 * The telemetry of one Hangar instance: passes every event to the observers attached now (none at first).
 * An observer that throws is skipped for that event: watching never breaks the work watched.
 */
export class TelemetryHub implements Telemetry {
  private readonly observers = new Set<Telemetry>();

  /** Attaches an observer; returns the function that detaches it. */
  attach(observer: Telemetry): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  private emit<K extends Exclude<keyof Telemetry, "routerEvent">>(
    method: K,
    ...args: Parameters<Telemetry[K]>
  ): void {
    for (const observer of this.observers) {
      try {
        (observer[method] as (...values: Parameters<Telemetry[K]>) => void)(...args);
      } catch {
        // An observer's failure is its own; the commit or request it watched goes on.
      }
    }
  }

  commitCreated(event: CommitEvent): void {
    this.emit("commitCreated", event);
  }
  lfsObjectStored(bytes: number): void {
    this.emit("lfsObjectStored", bytes);
  }
  inferenceRun(event: InferenceEvent): void {
    this.emit("inferenceRun", event);
  }
  queueDepth(event: QueueDepthEvent): void {
    this.emit("queueDepth", event);
  }
  modelLoaded(event: ModelLoadEvent): void {
    this.emit("modelLoaded", event);
  }
  modelUnloaded(event: { model: string }): void {
    this.emit("modelUnloaded", event);
  }
  routerEvent(event: RouterEvent): void {
    for (const observer of this.observers) {
      try {
        observer.routerEvent?.(event);
      } catch {
        // As for every event: an observer's failure is its own.
      }
    }
  }
}
