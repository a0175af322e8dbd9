import { HangarError } from "../../core/errors.ts";
import type { InferenceSettings } from "../../core/inference-config.ts";
import { isBatchableTask } from "../../core/local-tasks.ts";
import type { Repo } from "../../core/types.ts";
import { visibleNamespaces } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import type { BackendCall, BackendHealth, BackendResult, InferenceBackend } from "../backend.ts";
import type { InferenceStats, InferenceStream, RunnableModel } from "../inference-types.ts";
import type { InferenceRegistry } from "../registry.ts";
import { type ResolvedModel, resolveModelForInference } from "../resolve-model.ts";
import type { InferenceCall, LoadedModel, StreamChunk } from "../runtime/model-loader.ts";
import { ModelPool, type PooledModel } from "../runtime/model-pool.ts";
import type { QueueStats } from "../runtime/model-queue.ts";
import { isRecord, MAX_INPUT_CHARACTERS, type TaskDefinition } from "../tasks/task-definition.ts";
import { asFailure } from "../usage-meter.ts";

/** Input units of a request, for metering. */
interface MeasuredInputs {
  units: number;
  unit: "tokens" | "characters";
}

/**
 * Where a call's loaded model comes from: the runtime's shared pool by default, or an endpoint's own
 * replicas (src/inference/endpoints), which pick the least busy one.
 */
export interface ModelSlots {
  acquire(source: ResolvedModel["source"], loader: ResolvedModel["loader"]): Promise<PooledModel>;
  release(entry: PooledModel): void;
}

/** How a `LocalBackend` serving one endpoint differs from the runtime's: its replicas and its one model. */
export interface LocalBackendOptions {
  slots?: ModelSlots;
  /** The model every call runs, already resolved (the endpoint's), instead of the call's model and caller. */
  resolve?: (call: BackendCall) => Promise<ResolvedModel>;
}

/** Repos read per catalog query while listing runnable models. */
const RUNNABLE_PAGE = 500;

/**
 * Hangar's own runtime as a backend: resolves a model id to a commit of this hub (with the caller's read
 * access), picks the task, loads the model through the pool, and queues and batches the call.
 */
export class LocalBackend implements InferenceBackend {
  readonly kind = "local" as const;
  private readonly pool: ModelPool;
  private readonly slots: ModelSlots;
  private readonly keptStats = new Map<string, QueueStats>();

  constructor(
    private readonly hub: HubContext,
    readonly registry: InferenceRegistry,
    settings: InferenceSettings,
    private readonly options: LocalBackendOptions = {},
  ) {
    // At least one call must be able to run, or every request would wait forever.
    this.pool = new ModelPool(
      { ...settings, maxConcurrency: Math.max(1, settings.maxConcurrency) },
      hub.telemetry,
    );
    this.slots = options.slots ?? this.pool;
  }

  supports(task: string): boolean {
    return this.registry.task(task) !== undefined;
  }

  async health(): Promise<BackendHealth> {
    return { ok: true, latencyMs: 0 };
  }

  /** Resolutions under way, per caller (the principal object) and model: see `resolveModel`. */
  private readonly resolving = new WeakMap<object, Map<string, Promise<ResolvedModel>>>();

  /**
   * The model's commit, files and loader, after the caller's access is checked. Calls from the same caller
   * (the same principal object: one batch job's rows, a pipeline run's fan-out) for the same model that
   * arrive while a resolution is under way share it: five catalog round trips per row were what held batch
   * jobs back on PostgreSQL. Nothing is kept once it settles, so an alias move or a revoked access still
   * shows on the next call. Each HTTP request has a principal of its own, and anonymous calls are never
   * shared.
   */
  resolveModel(caller: Caller, modelId: string, revision = "main"): Promise<ResolvedModel> {
    const resolve = () =>
      resolveModelForInference({ hub: this.hub, registry: this.registry, caller, modelId, revision });
    if (!caller) return resolve();
    let pending = this.resolving.get(caller);
    if (!pending) {
      pending = new Map();
      this.resolving.set(caller, pending);
    }
    const key = `${modelId}\u0000${revision}`;
    const shared = pending.get(key);
    if (shared) return shared;
    const resolution = resolve().finally(() => pending.delete(key));
    pending.set(key, resolution);
    return resolution;
  }

  /** The task a request is for: the one asked for, or the one the body's shape and the model's tasks point to. */
  chooseTask(
    resolved: ResolvedModel,
    requested: string | undefined,
    body: Record<string, unknown>,
  ): TaskDefinition {
    const modelId = resolved.source.repo.id;
    if (requested !== undefined) {
      const task = this.registry.task(requested);
      if (!task) {
        throw new HangarError(
          "HANGAR_ERR_NOT_FOUND",
          `Unknown task "${requested}": Hangar serves ${this.registry.taskNames().join(", ")}`,
        );
      }
      if (!resolved.tasks.includes(requested)) {
        throw new HangarError(
          "HANGAR_ERR_BAD_REQUEST",
          `Model ${modelId} cannot do ${requested}; it can do: ${resolved.tasks.join(", ")}`,
          { details: { tasks: resolved.tasks } },
        );
      }
      return task;
    }
    let best: { task: TaskDefinition; score: number } | undefined;
    for (const name of resolved.tasks) {
      const task = this.registry.task(name)!;
      const score = task.matchBody(body);
      if (score > (best?.score ?? 0)) best = { task, score };
    }
    if (!best) {
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `The request body does not fit any task of ${modelId} (${resolved.tasks.join(", ")}); see docs/inference-api.md`,
      );
    }
    return best.task;
  }

  private async prepare(call: BackendCall) {
    const resolved = this.options.resolve
      ? await this.options.resolve(call)
      : await this.resolveModel(call.caller, call.model, call.revision);
    const body = call.body ?? { inputs: call.inputs, parameters: call.parameters };
    const task = this.chooseTask(resolved, call.task, body);
    if (call.parameters !== undefined && call.parameters !== null && !isRecord(call.parameters)) {
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"parameters" must be an object');
    }
    if (call.inputs === undefined) throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"inputs" is required');
    const parsed = task.parse(call.inputs, (call.parameters as Record<string, unknown>) ?? {}, body);
    const characters = (task.inputText?.(parsed.inputs) ?? []).reduce((sum, text) => sum + text.length, 0);
    if (characters > MAX_INPUT_CHARACTERS) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `The input has ${characters} characters; ${task.task} takes at most ${MAX_INPUT_CHARACTERS} per request`,
      );
    }
    Object.assign(call.meter, {
      model: resolved.source.repo.id,
      revision: resolved.source.commit.oid,
      task: task.task,
    });
    return { resolved, task, parsed };
  }

  /** Refuses inputs over the model's limit unless the task may cut them; returns the input units. */
  private measureInputs(
    call: BackendCall,
    model: LoadedModel,
    task: TaskDefinition,
    parsed: { inputs: unknown; parameters: Record<string, unknown> },
  ): MeasuredInputs {
    const measured = measure(model, task, parsed);
    call.meter.inputUnits = measured.units;
    call.meter.unit = measured.unit;
    return measured;
  }

  async run(call: BackendCall): Promise<BackendResult> {
    let entry: PooledModel | undefined;
    try {
      const { resolved, task, parsed } = await this.prepare(call);
      const signal = call.deadline();
      entry = await this.slots.acquire(resolved.source, resolved.loader);
      const measured = this.measureInputs(call, entry.model, task, parsed);
      const modelCall: InferenceCall = { task: task.task, ...parsed, signal };
      const batchKey = isBatchableTask(task.task)
        ? `${task.task}:${JSON.stringify(parsed.parameters)}`
        : undefined;
      const { output: outputs, batchSize } = await untilAborted(entry.queue.run(modelCall, batchKey), signal);
      return {
        model: resolved.source.repo.id,
        revision: resolved.source.commit.oid,
        task: task.task,
        outputs,
        usage: {
          input_units: measured.units,
          output_units: task.countOutput(outputs),
          unit: measured.unit,
          output_unit: task.outputUnit,
          latency_ms: 0,
        },
        batchSize,
      };
    } finally {
      if (entry) this.slots.release(entry);
    }
  }

  /**
   * Token streaming for text generation. The model's slot is held until the stream ends or the consumer
   * stops; stopping early (client gone) stops the model at the next token.
   */
  async stream(call: BackendCall): Promise<InferenceStream> {
    let entry: PooledModel | undefined;
    let release: (() => void) | undefined;
    try {
      const { resolved, task, parsed } = await this.prepare(call);
      entry = await this.slots.acquire(resolved.source, resolved.loader);
      const model = entry.model;
      if (!task.streams || !model.stream) {
        throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${task.task} does not stream`);
      }
      const inputs = this.measureInputs(call, model, task, parsed);
      const signal = call.deadline();
      const modelCall: InferenceCall = { task: task.task, ...parsed, signal };
      release = await entry.queue.hold(modelCall);
      const source = model.stream(modelCall);
      const held = { entry, release };
      entry = undefined;
      release = undefined;
      const pool = this.slots;
      const chunks: AsyncIterable<StreamChunk> = {
        async *[Symbol.asyncIterator]() {
          try {
            yield* source;
            // A timeout ends the stream with an error the client sees; a client that left sees nothing.
            if (signal.aborted && !call.signal?.aborted) throw asFailure(signal.reason, call.signal);
          } finally {
            held.release();
            pool.release(held.entry);
          }
        },
      };
      return {
        model: resolved.source.repo.id,
        revision: resolved.source.commit.oid,
        task: task.task,
        promptTokens: inputs.units,
        chunks,
      };
    } catch (error) {
      release?.();
      if (entry) this.slots.release(entry);
      throw error;
    }
  }

  /**
   * Models the caller may read that a loader can run, at the head of their default branch, by id. The
   * catalog's metadata-only entries (not local) are skipped page by page, however many sort first: a
   * fresh instance holds some 1,500 of them.
   */
  async listRunnableModels(caller: Caller, limit = 1000): Promise<RunnableModel[]> {
    const runnable: RunnableModel[] = [];
    let after: { value: string | number; pk: number } | undefined;
    while (runnable.length < limit) {
      const repos: Repo[] = await this.hub.catalog.repos.list({
        type: "model",
        visibleNamespaces: visibleNamespaces(caller),
        sort: "id",
        descending: false,
        limit: RUNNABLE_PAGE,
        ...(after ? { after } : {}),
      });
      for (const repo of repos) {
        if (runnable.length >= limit) break;
        if (!repo.sha || repo.origin !== "local") continue;
        try {
          const resolved = await this.resolveModel(caller, repo.id);
          runnable.push({
            id: repo.id,
            revision: resolved.source.commit.oid,
            tasks: resolved.tasks,
            createdAt: repo.createdAt,
            owner: repo.namespace,
          });
        } catch {
          // Models no loader can run are simply not listed.
        }
      }
      const last = repos.at(-1);
      if (!last || repos.length < RUNNABLE_PAGE) break;
      after = { value: this.hub.catalog.repos.sortValue(last, "id"), pk: last.pk };
    }
    return runnable;
  }

  stats(): InferenceStats {
    const pool = this.pool.stats();
    const queues: Record<string, QueueStats> = Object.fromEntries(this.keptStats);
    const models: InferenceStats["models"] = {};
    for (const key of pool.loaded) {
      const queue = this.pool.queueOf(key);
      if (queue) {
        queues[key] = queue.stats;
        this.keptStats.set(key, queue.stats);
      }
      const model = this.pool.modelOf(key);
      if (model) {
        models[key] = { tasks: model.tasks, memoryBytes: model.memoryBytes, runtime: model.runtime ?? null };
      }
    }
    return { pool, queues, models };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function measure(
  model: LoadedModel,
  task: TaskDefinition,
  parsed: { inputs: unknown; parameters: Record<string, unknown> },
): MeasuredInputs {
  const texts = task.inputText?.(parsed.inputs) ?? [JSON.stringify(parsed.inputs)];
  const limit = model.maxInputTokens;
  const promptTokens = model.countPromptTokens?.(task.task, parsed.inputs);
  if (promptTokens !== undefined && Number.isFinite(promptTokens)) {
    if (limit !== undefined && promptTokens > limit && !task.truncates) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `The input has ${promptTokens} tokens; ${model.key.split("@")[0]} accepts at most ${limit} for ${task.task}`,
      );
    }
    return { units: promptTokens, unit: "tokens" as const };
  }
  if (!model.countTokens) {
    return { units: texts.reduce((sum, text) => sum + text.length, 0), unit: "characters" as const };
  }
  let total = 0;
  for (const text of texts) {
    const tokens = model.countTokens(text);
    total += tokens;
    const mayCut = task.truncates && parsed.parameters.truncate !== false;
    if (limit !== undefined && tokens > limit && !mayCut) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `The input has ${tokens} tokens; ${model.key.split("@")[0]} accepts at most ${limit} for ${task.task}`,
      );
    }
  }
  return { units: total, unit: "tokens" as const };
}

/** Rejects when the signal fires first; the model call itself may still finish in the background. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work was started with the same signal and fails with it too: nobody awaits it any more (under load
    // the deadline can pass before this point, and its rejection went unhandled and ended the process).
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
