import { HangarError } from "../../core/errors.ts";
import type { InferenceSettings } from "../../core/inference-config.ts";
import { NO_TELEMETRY, type Telemetry } from "../../core/telemetry.ts";
import type { ModelSlots } from "../local/local-backend.ts";
import type { ResolvedModel } from "../resolve-model.ts";
import type { PooledModel } from "../runtime/model-pool.ts";
import { ModelQueue } from "../runtime/model-queue.ts";

/** One replica: its own loaded copy of the model (own onnxruntime session and threads) and its own queue. */
interface Replica {
  entry: PooledModel;
  startedAt: number;
}

export interface ReplicaSetOptions {
  settings: InferenceSettings;
  /** onnxruntime intra-op threads of each replica (the instance size). */
  threads: number;
  telemetry?: Telemetry;
  /**
   * Called when a request finds no replica ready (scaled to zero): resolves once one is, or rejects with
   * why none will be (paused, failed). The request waits; it does not fail.
   */
  wake: () => Promise<void>;
}

/**
 * The replicas of one endpoint. Each runs one model call at a time on its own session (`xN` = N threads), so
 * replicas are what lets an endpoint answer several requests at once; a request goes to the ready replica
 * with the fewest requests, and waits in that replica's queue. Requests in flight (waiting included) are
 * counted here for the autoscaler.
 */
export class ReplicaSet implements ModelSlots {
  private replicas: Replica[] = [];
  private loading = 0;
  /** Requests holding or waiting for a replica now, and the most there were since `takePeak`. */
  inFlight = 0;
  private peak = 0;

  constructor(
    private readonly options: ReplicaSetOptions,
    /** The model the replicas run; replaced by an update. */
    public resolved: ResolvedModel,
  ) {}

  get ready(): number {
    return this.replicas.length;
  }

  get starting(): number {
    return this.loading;
  }

  /** The most requests in flight at once since the last call, then starts counting again from now. */
  takePeak(): number {
    const peak = this.peak;
    this.peak = this.inFlight;
    return peak;
  }

  /** Loads one more replica of the model. */
  async add(resolved = this.resolved): Promise<void> {
    this.loading++;
    try {
      const model = await resolved.loader.load(resolved.source, { threads: this.options.threads });
      const queue = new ModelQueue(
        model,
        { ...this.options.settings, maxConcurrency: 1 },
        this.options.telemetry ?? NO_TELEMETRY,
      );
      this.replicas.push({ entry: { model, queue, lastUsed: 0, users: 0 }, startedAt: Date.now() });
    } finally {
      this.loading--;
    }
  }

  /** Removes one replica, an idle one if there is: its waiting requests are answered with `reason`. */
  async removeOne(reason = "the endpoint scaled down"): Promise<boolean> {
    if (this.replicas.length === 0) return false;
    const idle = this.replicas.findIndex((replica) => replica.entry.users === 0 && !replica.entry.queue.busy);
    if (idle < 0) return false;
    const [replica] = this.replicas.splice(idle, 1);
    await dispose(replica!, reason);
    return true;
  }

  /** Removes every replica now (pause, scale to zero, delete); requests waiting get `reason`. */
  async removeAll(reason: string): Promise<void> {
    const removed = this.replicas.splice(0);
    await Promise.all(removed.map((replica) => dispose(replica, reason)));
  }

  /** Replaces every replica by `count` replicas of another model (an update); the old ones go once the new are up. */
  async replace(resolved: ResolvedModel, count: number): Promise<void> {
    const fresh = new ReplicaSet(this.options, resolved);
    await Promise.all(Array.from({ length: count }, () => fresh.add()));
    const old = this.replicas;
    this.replicas = fresh.replicas;
    this.resolved = resolved;
    await Promise.all(old.map((replica) => dispose(replica, "the endpoint was updated")));
  }

  async acquire(): Promise<PooledModel> {
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      if (this.replicas.length === 0) await this.options.wake();
      const replica = this.leastBusy();
      if (!replica) {
        throw new HangarError("HANGAR_ERR_UNAVAILABLE", "The endpoint has no replica ready; retry shortly", {
          headers: { "Retry-After": "1" },
        });
      }
      replica.entry.users++;
      return replica.entry;
    } catch (error) {
      this.inFlight--;
      throw error;
    }
  }

  release(entry: PooledModel): void {
    entry.users = Math.max(0, entry.users - 1);
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  private leastBusy(): Replica | undefined {
    let best: Replica | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (const replica of this.replicas) {
      const load = replica.entry.users;
      if (load < bestLoad) {
        best = replica;
        bestLoad = load;
      }
    }
    return best;
  }
}

async function dispose(replica: Replica, reason: string): Promise<void> {
  replica.entry.queue.drain(new HangarError("HANGAR_ERR_UNAVAILABLE", `Request not run: ${reason}`));
  await replica.entry.model.dispose().catch(() => {});
}
