import { HangarError } from "../../core/errors.ts";
import { NO_TELEMETRY, type Telemetry } from "../../core/telemetry.ts";
import type { InferenceCall, LoadedModel } from "./model-loader.ts";

export interface QueueSettings {
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueue: number;
  maxConcurrency: number;
}

interface Job {
  call: InferenceCall;
  /** Calls with the same key may run as one batch; undefined for calls that run alone. */
  batchKey: string | undefined;
  enqueuedAt: number;
  /** For a stream: the slot is held until `release` is called. */
  holdsSlot: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A call's output and how many requests its model call carried. */
export interface QueuedResult {
  output: unknown;
  batchSize: number;
}

/** Counters a test or a metrics endpoint can read (no timings). */
export interface QueueStats {
  /** Model calls made, and how many requests each carried. */
  batches: number[];
  rejected: number;
  /** Requests that left the queue before they ran: the client went away or the request timed out. */
  cancelled: number;
  waiting: number;
  running: number;
}

/**
 * The requests of one loaded model: at most `maxConcurrency` model calls at once, at most `maxQueue`
 * requests waiting (429 with Retry-After beyond), and encoder calls with equal parameters coalesced into
 * batches of up to `maxBatchSize`. An idle model takes a call at once; while it is busy, calls wait at most
 * `maxQueueDelayMs` for company.
 */
export class ModelQueue {
  private readonly pending: Job[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  readonly stats: QueueStats = { batches: [], rejected: 0, cancelled: 0, waiting: 0, running: 0 };
  /** Average milliseconds of one model call, for Retry-After. */
  private averageMs = 100;

  constructor(
    private readonly model: LoadedModel,
    private readonly settings: QueueSettings,
    private readonly telemetry: Telemetry = NO_TELEMETRY,
  ) {}

  /** Reports how many requests of each of `tasks` wait now. */
  private reportDepth(tasks: Iterable<string>): void {
    for (const task of new Set(tasks)) {
      let waiting = 0;
      for (const job of this.pending) if (job.call.task === task) waiting++;
      this.telemetry.queueDepth({ model: this.model.key.split("@")[0]!, task, waiting });
    }
  }

  get busy(): boolean {
    return this.running > 0 || this.pending.length > 0;
  }

  /** Runs one call, possibly inside a batch with others. */
  run(call: InferenceCall, batchKey: string | undefined): Promise<QueuedResult> {
    return this.enqueue(call, batchKey, false) as Promise<QueuedResult>;
  }

  /** Waits for a slot and keeps it until the returned function is called (token streaming). */
  async hold(call: InferenceCall): Promise<() => void> {
    await this.enqueue(call, undefined, true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.stats.running = this.running;
      this.schedule();
    };
  }

  private enqueue(call: InferenceCall, batchKey: string | undefined, holdsSlot: boolean): Promise<unknown> {
    if (call.signal.aborted) return Promise.reject(call.signal.reason);
    const hasRoom = this.running < this.settings.maxConcurrency && this.pending.length === 0;
    if (!hasRoom && this.pending.length >= this.settings.maxQueue) {
      this.stats.rejected++;
      const waitSeconds = Math.max(
        1,
        Math.ceil((this.averageMs * (this.pending.length + 1)) / this.settings.maxConcurrency / 1000),
      );
      throw new HangarError(
        "HANGAR_ERR_RATE_LIMITED",
        `Model ${this.model.key} is busy: ${this.pending.length} requests are already waiting. Retry in ${waitSeconds} s`,
        { headers: { "Retry-After": String(waitSeconds) } },
      );
    }
    return new Promise((resolve, reject) => {
      const job: Job = { call, batchKey, enqueuedAt: Date.now(), holdsSlot, resolve, reject };
      this.pending.push(job);
      this.stats.waiting = this.pending.length;
      this.reportDepth([call.task]);
      const onAbort = () => {
        const index = this.pending.indexOf(job);
        if (index < 0) return;
        this.pending.splice(index, 1);
        this.stats.waiting = this.pending.length;
        this.stats.cancelled++;
        this.reportDepth([call.task]);
        reject(call.signal.reason);
      };
      call.signal.addEventListener("abort", onAbort, { once: true });
      const settle = (action: () => void) => {
        call.signal.removeEventListener("abort", onAbort);
        action();
      };
      job.resolve = (value) => settle(() => resolve(value));
      job.reject = (error) => settle(() => reject(error));
      this.schedule();
    });
  }

  private schedule(): void {
    while (this.running < this.settings.maxConcurrency && this.pending.length > 0) {
      const first = this.pending[0]!;
      if (first.holdsSlot) {
        this.pending.shift();
        this.reportDepth([first.call.task]);
        this.start();
        first.resolve(undefined);
        continue;
      }
      const batch = this.takeBatch(first);
      if (!batch) return;
      this.reportDepth(batch.map((job) => job.call.task));
      this.start();
      void this.execute(batch);
    }
  }

  private start(): void {
    this.running++;
    this.stats.running = this.running;
    this.stats.waiting = this.pending.length;
  }

  /** The jobs to run now with `first`, or undefined to wait a little for more of its kind. */
  private takeBatch(first: Job): Job[] | undefined {
    if (first.batchKey === undefined || !this.model.runBatch || this.settings.maxBatchSize <= 1) {
      this.pending.shift();
      return [first];
    }
    const same = this.pending.filter((job) => job.batchKey === first.batchKey && !job.holdsSlot);
    const waited = Date.now() - first.enqueuedAt;
    // An idle model runs what is there at once: waiting for company only pays while a call is running,
    // and the requests that arrive meanwhile form the next batch.
    const idle = this.running === 0;
    if (!idle && same.length < this.settings.maxBatchSize && waited < this.settings.maxQueueDelayMs) {
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.schedule();
        }, this.settings.maxQueueDelayMs - waited);
      }
      return undefined;
    }
    const batch = same.slice(0, this.settings.maxBatchSize);
    for (const job of batch) this.pending.splice(this.pending.indexOf(job), 1);
    return batch;
  }

  private async execute(batch: Job[]): Promise<void> {
    const started = Date.now();
    this.stats.batches.push(batch.length);
    try {
      if (batch.length === 1 && !batch[0]!.batchKey) {
        batch[0]!.resolve({ output: await this.model.run(batch[0]!.call), batchSize: 1 });
      } else {
        const outputs = await this.model.runBatch!(batch.map((job) => job.call));
        for (const [index, job] of batch.entries()) {
          const output = outputs[index];
          if (output instanceof Error) job.reject(output);
          else job.resolve({ output, batchSize: batch.length });
        }
      }
    } catch (error) {
      for (const job of batch) job.reject(error);
    } finally {
      this.averageMs = this.averageMs * 0.8 + (Date.now() - started) * 0.2;
      this.running--;
      this.stats.running = this.running;
      this.schedule();
    }
  }

  /** Fails everything still waiting (the model is being unloaded or the runtime closed). */
  drain(error: unknown): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const drained = this.pending.splice(0);
    for (const job of drained) job.reject(error);
    this.stats.waiting = 0;
    this.reportDepth(drained.map((job) => job.call.task));
  }
}
