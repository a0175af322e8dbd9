import { NO_TELEMETRY, type Telemetry } from "../../core/telemetry.ts";
import { type LoadedModel, type ModelLoader, type ModelSource, modelKey } from "./model-loader.ts";
import { ModelQueue, type QueueSettings } from "./model-queue.ts";

/** Loaded size before loading: ONNX weights (and external data) and the files every runtime reads. */
function estimateBytes(source: ModelSource): number {
  let bytes = 0;
  for (const file of source.files) {
    if (/\.onnx(_data(_\d+)?)?$/.test(file.path)) bytes += file.size * 1.5;
    else if (file.path === "tokenizer.json") bytes += file.size;
  }
  return Math.round(bytes);
}

export interface PoolSettings extends QueueSettings {
  memoryBudgetBytes: number;
  threads: number;
}

export interface PooledModel {
  model: LoadedModel;
  queue: ModelQueue;
  lastUsed: number;
  /** Requests using the model right now; a model in use is never unloaded. */
  users: number;
}

export interface PoolStats {
  loads: number;
  unloads: number;
  loadFailures: number;
  /** Keys of the loaded models, least recently used first. */
  loaded: string[];
  memoryBytes: number;
  /** Estimated memory of each loaded model. */
  memoryByModel: Record<string, number>;
}

/**
 * The loaded models of a runtime, under a memory budget: a load that would pass the budget first unloads the
 * least recently used idle models. Two requests for a model share one load; a load that fails leaves nothing
 * behind, so the next request tries again.
 */
export class ModelPool {
  private readonly models = new Map<string, PooledModel>();
  private readonly loading = new Map<string, Promise<PooledModel>>();
  private readonly counters = { loads: 0, unloads: 0, loadFailures: 0 };
  private useClock = 0;

  constructor(
    private readonly settings: PoolSettings,
    private readonly telemetry: Telemetry = NO_TELEMETRY,
  ) {}

  /** The model loaded and marked in use; call `release` when the request is done with it. */
  async acquire(source: ModelSource, loader: ModelLoader): Promise<PooledModel> {
    const key = modelKey(source);
    let entry = this.models.get(key);
    if (!entry) {
      let pending = this.loading.get(key);
      if (!pending) {
        pending = this.load(key, source, loader).finally(() => this.loading.delete(key));
        this.loading.set(key, pending);
      }
      entry = await pending;
    }
    entry.users++;
    entry.lastUsed = ++this.useClock;
    return entry;
  }

  release(entry: PooledModel): void {
    entry.users = Math.max(0, entry.users - 1);
  }

  private async load(key: string, source: ModelSource, loader: ModelLoader): Promise<PooledModel> {
    // Room is made before loading, from the weight files, so the peak stays near the budget.
    await this.makeRoom(estimateBytes(source));
    let model: LoadedModel;
    try {
      model = await loader.load(source, this.settings.threads > 0 ? { threads: this.settings.threads } : {});
    } catch (error) {
      this.counters.loadFailures++;
      throw error;
    }
    this.counters.loads++;
    await this.makeRoom(model.memoryBytes);
    const queue = new ModelQueue(model, this.settings, this.telemetry);
    const entry: PooledModel = { model, queue, lastUsed: 0, users: 0 };
    this.models.set(key, entry);
    this.telemetry.modelLoaded({ model: key, memoryBytes: model.memoryBytes });
    return entry;
  }

  /** Unloads idle models, least recently used first, until `bytes` more fit in the budget. */
  private async makeRoom(bytes: number): Promise<void> {
    const idle = [...this.models.entries()]
      .filter(([, entry]) => entry.users === 0 && !entry.queue.busy)
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, entry] of idle) {
      if (this.memoryBytes() + bytes <= this.settings.memoryBudgetBytes) return;
      await this.unload(key, entry);
    }
  }

  private async unload(key: string, entry: PooledModel): Promise<void> {
    this.models.delete(key);
    this.counters.unloads++;
    this.telemetry.modelUnloaded({ model: key });
    entry.queue.drain(new Error(`Model ${key} was unloaded`));
    await entry.model.dispose().catch(() => {});
  }

  memoryBytes(): number {
    let total = 0;
    for (const entry of this.models.values()) total += entry.model.memoryBytes;
    return total;
  }

  stats(): PoolStats {
    return {
      ...this.counters,
      loaded: [...this.models.entries()].sort(([, a], [, b]) => a.lastUsed - b.lastUsed).map(([key]) => key),
      memoryBytes: this.memoryBytes(),
      memoryByModel: Object.fromEntries(
        [...this.models.entries()].map(([key, entry]) => [key, entry.model.memoryBytes]),
      ),
    };
  }

  queueOf(key: string): ModelQueue | undefined {
    return this.models.get(key)?.queue;
  }

  modelOf(key: string): LoadedModel | undefined {
    return this.models.get(key)?.model;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.loading.values()]);
    for (const [key, entry] of [...this.models.entries()]) await this.unload(key, entry);
  }
}
