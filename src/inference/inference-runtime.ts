import type { UsageEvent, UsageQuery, UsageTotals } from "../core/catalog-types.ts";
import { type InferenceSettings, inferenceSettings } from "../core/config.ts";
import { HangarError } from "../core/errors.ts";
import { nowIso } from "../core/time.ts";
import type { Repo } from "../core/types.ts";
import { parseRepoId } from "../core/validate.ts";
import { enforceInferenceLicence } from "../governance/licences/licence-gates.ts";
import { getReadableRepo, visibleNamespaces } from "../hub/access.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import type { HubContext } from "../hub/hub.ts";
import { resolveRevision } from "../hub/resolve-revision.ts";
import { InferenceRegistry } from "./registry.ts";
import { localBlobPath } from "./runtime/local-blob-path.ts";
import type {
  InferenceCall,
  LoadedModel,
  ModelLoader,
  ModelRuntimeInfo,
  ModelSource,
  StreamChunk,
} from "./runtime/model-loader.ts";
import { ModelPool, type PooledModel, type PoolStats } from "./runtime/model-pool.ts";
import type { QueueStats } from "./runtime/model-queue.ts";
import { isRecord, MAX_INPUT_CHARACTERS, type TaskDefinition } from "./tasks/task-definition.ts";

/** Which API a request came through, for metering. */
export type InferenceApi = "task" | "hub" | "openai" | "cli" | "library";

export interface InferenceRequest {
  caller: Caller;
  /** `namespace/name` */
  model: string;
  /** Branch, tag or commit id; `main` by default. */
  revision?: string;
  /** The task; when absent it is chosen from the model's tasks and the body's shape (Hub serverless route). */
  task?: string;
  inputs: unknown;
  parameters?: unknown;
  /** The whole request body, for task detection and parameters sent at the top level. */
  body?: Record<string, unknown>;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  api: InferenceApi;
}

export interface InferenceUsage {
  /** Tokens of the inputs when the model counts them, else characters. */
  input_units: number;
  /** What the answer holds, in the task's own unit (`output_unit`). */
  output_units: number;
  /** The unit of `input_units`. */
  unit: "tokens" | "characters";
  /** The task's output unit: labels, entities, vectors, scores, predictions, answers, tokens, segments... */
  output_unit: string;
  latency_ms: number;
}

export interface InferenceResult {
  model: string;
  revision: string;
  task: string;
  outputs: unknown;
  usage: InferenceUsage;
}

export interface InferenceStream {
  model: string;
  revision: string;
  task: string;
  promptTokens: number;
  chunks: AsyncIterable<StreamChunk>;
}

/** A model Hangar can run, for `/v1/models`. */
export interface RunnableModel {
  id: string;
  revision: string;
  tasks: string[];
  createdAt: string;
  owner: string;
}

/** A loaded model as stats show it. */
export interface LoadedModelStats {
  tasks: readonly string[];
  memoryBytes: number;
  /** The onnxruntime session options it was loaded with and whether it was warmed up (when its loader says). */
  runtime: ModelRuntimeInfo | null;
}

export interface InferenceStats {
  pool: PoolStats;
  /** Per model loaded now or before: batch sizes of its model calls, rejections, cancellations, queue depth. */
  queues: Record<string, QueueStats>;
  /** Per loaded model: its tasks, memory estimate, session options and warm-up. */
  models: Record<string, LoadedModelStats>;
}

interface ResolvedModel {
  source: ModelSource;
  loader: ModelLoader;
  tasks: string[];
}

/** Input units of a request, for metering. */
interface MeasuredInputs {
  units: number;
  unit: "tokens" | "characters";
}

/** The status metered (and logged) for a request whose client went away, as nginx records it. */
const CLIENT_CLOSED = 499;

/** Repos read per catalog query while listing runnable models. */
const RUNNABLE_PAGE = 500;

const USAGE_FLUSH_MS = 250;
const USAGE_FLUSH_COUNT = 200;

/**
 * Runs models locally: resolves a model id to a commit of Hangar's own hub (with the caller's read access),
 * picks the task, loads the model through the pool, queues and batches the call, and meters every request.
 */
export class InferenceRuntime {
  readonly registry: InferenceRegistry;
  readonly settings: InferenceSettings;
  private readonly pool: ModelPool;
  private readonly pendingUsage: UsageEvent[] = [];
  private usageTimer: NodeJS.Timeout | undefined;
  private readonly keptStats = new Map<string, QueueStats>();
  private closed = false;

  constructor(
    private readonly hub: HubContext,
    registry = new InferenceRegistry(),
  ) {
    this.registry = registry;
    this.settings = inferenceSettings(hub.config);
    // At least one call must be able to run, or every request would wait forever.
    this.pool = new ModelPool(
      { ...this.settings, maxConcurrency: Math.max(1, this.settings.maxConcurrency) },
      hub.telemetry,
    );
  }

  /** The model's commit, files and loader, after the caller's access is checked. */
  async resolveModel(caller: Caller, modelId: string, revision = "main"): Promise<ResolvedModel> {
    if (this.settings.requireToken && !caller) {
      throw new HangarError("HANGAR_ERR_UNAUTHORIZED", "This Hangar requires a token for inference");
    }
    const ref = parseRepoId(modelId, "model");
    const repo = await getReadableRepo(this.hub, caller, ref);
    // A catalog entry has facts but no commit: "Invalid rev id: main" would send the user looking for a typo.
    if (repo.origin === "upstream") throw modelNotPulled(repo);
    const { commit } = await resolveRevision(this.hub, repo, revision);
    await enforceInferenceLicence(this.hub, caller, repo, commit.metadata);
    const files = await this.hub.catalog.commits.listFiles(commit.pk);
    const blobs = this.hub.blobs;
    const home = this.hub.config.home;
    const source: ModelSource = {
      repo,
      commit,
      files,
      metadata: commit.metadata,
      async readFile(path) {
        const file = files.find((entry) => entry.path === path);
        if (!file) throw new HangarError("HANGAR_ERR_ENTRY_NOT_FOUND", `${repo.id} has no file ${path}`);
        return blobs.read(file.sha256);
      },
      async localPath(path) {
        const file = files.find((entry) => entry.path === path);
        if (!file) throw new HangarError("HANGAR_ERR_ENTRY_NOT_FOUND", `${repo.id} has no file ${path}`);
        return localBlobPath(blobs, home, file.sha256);
      },
    };
    for (const loader of this.registry.loaders) {
      const tasks = loader.tasksFor(source).filter((task) => this.registry.task(task));
      if (tasks.length > 0) return { source, loader, tasks };
    }
    const reason = commit.metadata.model?.runsLocallyReason;
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Model ${repo.id} cannot run on this Hangar${reason ? `: ${reason}` : ": it has no ONNX model with config.json and tokenizer files that a loader understands"}`,
    );
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

  private async prepare(request: InferenceRequest) {
    const resolved = await this.resolveModel(request.caller, request.model, request.revision);
    const body = request.body ?? { inputs: request.inputs, parameters: request.parameters };
    const task = this.chooseTask(resolved, request.task, body);
    if (request.parameters !== undefined && request.parameters !== null && !isRecord(request.parameters)) {
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"parameters" must be an object');
    }
    if (request.inputs === undefined) throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"inputs" is required');
    const parsed = task.parse(request.inputs, (request.parameters as Record<string, unknown>) ?? {}, body);
    const characters = (task.inputText?.(parsed.inputs) ?? []).reduce((sum, text) => sum + text.length, 0);
    if (characters > MAX_INPUT_CHARACTERS) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `The input has ${characters} characters; ${task.task} takes at most ${MAX_INPUT_CHARACTERS} per request`,
      );
    }
    return { resolved, task, parsed };
  }

  /** Refuses inputs over the model's limit unless the task may cut them; returns the input units. */
  private measureInputs(
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

  /**
   * A signal that fires when the client goes away or the request runs out of time; `clear` stops the clock
   * once the request is over. One controller of Hangar's own, held by its timer and by the listener on the
   * caller's signal: neither `AbortSignal.timeout` nor `AbortSignal.any` is used, because Node may collect
   * such a derived signal, and its timer with it, before it fires (seen under load: a request ran for seconds
   * past its timeout while full collections ran).
   */
  private deadline(signal: AbortSignal | undefined): { signal: AbortSignal; clear: () => void } {
    // A timeout of 0 means none.
    if (this.settings.timeoutMs <= 0) {
      return { signal: signal ?? new AbortController().signal, clear: () => {} };
    }
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException("The operation timed out", "TimeoutError")),
      this.settings.timeoutMs,
    );
    timer.unref();
    const forward = () => controller.abort(signal?.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener("abort", forward, { once: true });
    const clear = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    };
    return { signal: controller.signal, clear };
  }

  async run(request: InferenceRequest): Promise<InferenceResult> {
    const started = performance.now();
    const meter: Partial<UsageEvent> = { model: request.model, task: request.task ?? null };
    let entry: PooledModel | undefined;
    let measured: MeasuredInputs | undefined;
    let clearDeadline: (() => void) | undefined;
    try {
      const { resolved, task, parsed } = await this.prepare(request);
      Object.assign(meter, {
        model: resolved.source.repo.id,
        revision: resolved.source.commit.oid,
        task: task.task,
      });
      const { signal, clear } = this.deadline(request.signal);
      clearDeadline = clear;
      entry = await this.pool.acquire(resolved.source, resolved.loader);
      measured = this.measureInputs(entry.model, task, parsed);
      const call: InferenceCall = { task: task.task, ...parsed, signal };
      const batchKey = task.batchable ? `${task.task}:${JSON.stringify(parsed.parameters)}` : undefined;
      const { output: outputs, batchSize } = await untilAborted(entry.queue.run(call, batchKey), signal);
      const text = JSON.stringify(outputs) ?? "";
      const usage: InferenceUsage = {
        input_units: measured.units,
        output_units: task.countOutput(outputs),
        unit: measured.unit,
        output_unit: task.outputUnit,
        latency_ms: Math.round(performance.now() - started),
      };
      await this.record(request, meter, {
        ...usage,
        status: 200,
        inputBytes: inputBytes(request),
        outputBytes: text.length,
        batchSize,
      });
      return {
        model: resolved.source.repo.id,
        revision: resolved.source.commit.oid,
        task: task.task,
        outputs,
        usage,
      };
    } catch (error) {
      throw await this.recordFailure(request, meter, started, error, measured);
    } finally {
      clearDeadline?.();
      if (entry) this.pool.release(entry);
    }
  }

  /**
   * Token streaming for text generation. The model's slot is held until the stream ends or the consumer
   * stops; stopping early (client gone) stops the model at the next token.
   */
  async stream(request: InferenceRequest): Promise<InferenceStream> {
    const started = performance.now();
    const meter: Partial<UsageEvent> = { model: request.model, task: request.task ?? null };
    let entry: PooledModel | undefined;
    let release: (() => void) | undefined;
    let measured: MeasuredInputs | undefined;
    let clearDeadline: (() => void) | undefined;
    try {
      const { resolved, task, parsed } = await this.prepare(request);
      Object.assign(meter, {
        model: resolved.source.repo.id,
        revision: resolved.source.commit.oid,
        task: task.task,
      });
      entry = await this.pool.acquire(resolved.source, resolved.loader);
      const model = entry.model;
      if (!task.streams || !model.stream) {
        throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${task.task} does not stream`);
      }
      const inputs = this.measureInputs(model, task, parsed);
      measured = inputs;
      const { signal, clear } = this.deadline(request.signal);
      clearDeadline = clear;
      const call: InferenceCall = { task: task.task, ...parsed, signal };
      release = await entry.queue.hold(call);
      const source = model.stream(call);
      const held = { entry, release, clear };
      entry = undefined;
      release = undefined;
      clearDeadline = undefined;
      const runtime = this;
      let completion = 0;
      let outcomeError: unknown;
      const chunks: AsyncIterable<StreamChunk> = {
        async *[Symbol.asyncIterator]() {
          try {
            for await (const chunk of source) {
              if (chunk.tokenId !== undefined) completion++;
              yield chunk;
            }
            if (signal.aborted) {
              outcomeError = signal.reason;
              // A timeout ends the stream with an error the client sees; a client that left sees nothing.
              if (!request.signal?.aborted) throw asFailure(signal.reason, request.signal);
            }
          } catch (error) {
            outcomeError = error;
            throw error;
          } finally {
            held.clear();
            held.release();
            runtime.pool.release(held.entry);
            const failure = outcomeError === undefined ? undefined : asFailure(outcomeError, request.signal);
            const cancelled = failure ? failure.status === CLIENT_CLOSED : request.signal?.aborted === true;
            await runtime.record(request, meter, {
              input_units: inputs.units,
              output_units: completion,
              unit: inputs.unit,
              output_unit: task.outputUnit,
              latency_ms: Math.round(performance.now() - started),
              status: cancelled ? CLIENT_CLOSED : (failure?.status ?? 200),
              inputBytes: inputBytes(request),
              outputBytes: 0,
              ...(cancelled ? { cancelled: true } : failure ? { error: failure } : {}),
            });
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
      clearDeadline?.();
      release?.();
      if (entry) this.pool.release(entry);
      throw await this.recordFailure(request, meter, started, error, measured);
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
    const models: Record<string, LoadedModelStats> = {};
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

  /** Usage totals by model and task (for usage and cost reports); pending events are written first. */
  async usageTotals(query: UsageQuery = {}): Promise<UsageTotals[]> {
    await this.flushUsage();
    return this.hub.catalog.usage.totals(query);
  }

  async usageEvents(query: UsageQuery = {}, limit = 1000): Promise<UsageEvent[]> {
    await this.flushUsage();
    return this.hub.catalog.usage.list(query, limit);
  }

  /**
   * Meters a call that failed before it produced anything, and returns the error to throw. A client that
   * went away (also while its request waited in the queue) is metered as cancelled, with no error code:
   * nothing failed, nobody was answered.
   */
  private async recordFailure(
    request: InferenceRequest,
    meter: Partial<UsageEvent>,
    started: number,
    error: unknown,
    measured: MeasuredInputs | undefined,
  ): Promise<HangarError> {
    const failure = asFailure(error, request.signal);
    const cancelled = failure.status === CLIENT_CLOSED;
    await this.record(request, meter, {
      input_units: measured?.units ?? 0,
      output_units: 0,
      unit: measured?.unit ?? "characters",
      output_unit: this.registry.task(meter.task ?? request.task ?? "")?.outputUnit ?? "characters",
      latency_ms: Math.round(performance.now() - started),
      status: failure.status,
      inputBytes: inputBytes(request),
      outputBytes: 0,
      ...(cancelled ? { cancelled: true } : { error: failure }),
    });
    return failure;
  }

  private async record(
    request: InferenceRequest,
    meter: Partial<UsageEvent>,
    values: InferenceUsage & {
      status: number;
      inputBytes: number;
      outputBytes: number;
      error?: HangarError;
      cancelled?: boolean;
      batchSize?: number;
    },
  ): Promise<void> {
    this.hub.telemetry?.inferenceRun({
      model: meter.model ?? request.model,
      task: meter.task ?? "unknown",
      ms: values.latency_ms,
      status: values.cancelled ? CLIENT_CLOSED : values.status,
      batchSize: values.batchSize ?? 1,
    });
    if (this.closed) return;
    const code = values.error?.code;
    this.pendingUsage.push({
      at: nowIso(),
      model: meter.model ?? request.model,
      revision: meter.revision ?? null,
      task: meter.task ?? null,
      api: request.api,
      caller: request.caller?.user ?? null,
      inputUnits: values.input_units,
      outputUnits: values.output_units,
      unit: values.unit,
      outputUnit: values.output_unit,
      inputBytes: values.inputBytes,
      outputBytes: values.outputBytes,
      latencyMs: values.latency_ms,
      status: values.status,
      outcome: values.cancelled
        ? "cancelled"
        : code === undefined
          ? "ok"
          : code === "HANGAR_ERR_RATE_LIMITED"
            ? "rate_limited"
            : code === "HANGAR_ERR_TIMEOUT"
              ? "timeout"
              : values.status === 499
                ? "cancelled"
                : "error",
      errorCode: code ?? null,
      batchSize: values.batchSize ?? 1,
    });
    if (this.pendingUsage.length >= USAGE_FLUSH_COUNT) await this.flushUsage();
    else if (!this.usageTimer) {
      this.usageTimer = setTimeout(() => this.flushUsage(), USAGE_FLUSH_MS);
      this.usageTimer.unref();
    }
  }

  /** Writes buffered usage events in one transaction. */
  async flushUsage(): Promise<void> {
    if (this.usageTimer) clearTimeout(this.usageTimer);
    this.usageTimer = undefined;
    const events = this.pendingUsage.splice(0);
    if (events.length > 0) await this.hub.catalog.usage.recordMany(events);
  }

  async close(): Promise<void> {
    await this.flushUsage();
    this.closed = true;
    await this.pool.close();
  }
}

function inputBytes(request: InferenceRequest): number {
  return Buffer.byteLength(JSON.stringify(request.body ?? { inputs: request.inputs }) ?? "");
}

/** Rejects when the signal fires first; the model call itself may still finish in the background. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
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

/** Errors as HangarErrors: timeouts 504, a client that went away 499, anything unknown 500. */
function asFailure(error: unknown, clientSignal: AbortSignal | undefined): HangarError {
  if (HangarError.isInstance(error)) return error;
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return new HangarError("HANGAR_ERR_TIMEOUT", "The inference request took too long and was stopped");
  }
  if (clientSignal?.aborted) {
    return new HangarError("HANGAR_ERR_BAD_REQUEST", "The client closed the request", {
      status: CLIENT_CLOSED,
    });
  }
  return new HangarError("HANGAR_ERR_INTERNAL", `Inference failed: ${(error as Error)?.message ?? error}`, {
    cause: error,
  });
}

/** The error for a model known only from the catalog (metadata, no files), saying how to get its files. */
export function modelNotPulled(repo: Repo): HangarError {
  return new HangarError(
    "HANGAR_ERR_MODEL_NOT_PULLED",
    `${repo.id} is known from the catalog (metadata only): its files are not on this Hangar. ` +
      `\`hangar pull ${repo.id}\` fetches them from the upstream hub when a network is there`,
    { details: { repo: repo.id, pull: `hangar pull ${repo.id}` } },
  );
}
