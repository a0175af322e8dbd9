import { HangarError } from "../../core/errors.ts";
import type { BackendCall, BackendHealth, BackendResult, InferenceBackend } from "../backend.ts";
import { attemptTimedOut, isRetryable, requestedWait } from "../backends/backend-errors.ts";
import { type EnsembleDefinition, runEnsemble } from "../ensemble.ts";
import type { InferenceStream } from "../inference-types.ts";
import type { StreamChunk } from "../runtime/model-loader.ts";
import { isRecord } from "../tasks/task-definition.ts";
import type { Deployment } from "./deployment.ts";
import type { ResponseCache } from "./response-cache.ts";
import { ENSEMBLE_POLICIES, isEnsemblePolicy, type RouteConfig } from "./route-config.ts";

/** First wait before trying a deployment again; doubled each time, with full jitter, up to the cap. */
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5_000;

/** Tasks whose answer depends only on the request: cached when the route allows. */
const DETERMINISTIC_TASKS = new Set([
  "feature-extraction",
  "sentence-similarity",
  "text-classification",
  "token-classification",
  "fill-mask",
  "question-answering",
  "zero-shot-classification",
]);

/** What a route reports as it works: attempts, retries, fallbacks (for metrics). */
export interface RouteEvents {
  retried(route: string): void;
  fellBack(route: string): void;
}

/**
 * A child signal of `parent` that also fires after `ms`; `stopTimer` ends the time limit but keeps the
 * link (a stream past its first token), `clear` ends both. The controller is held by its timer and by the
 * listener on the parent, as the request deadline's is (a derived `AbortSignal.any` may be collected).
 */
function limitedSignal(parent: AbortSignal, ms: number) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException("The operation timed out", "TimeoutError"));
  }, ms);
  timer.unref();
  const forward = () => controller.abort(parent.reason);
  if (parent.aborted) forward();
  else parent.addEventListener("abort", forward, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    stopTimer: () => clearTimeout(timer),
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener("abort", forward);
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The deployments in the order the route's policy prefers them now. */
export function orderDeployments(route: RouteConfig, deployments: readonly Deployment[]): Deployment[] {
  const list = [...deployments];
  switch (route.policy) {
    case "priority":
    case "majority":
    case "weighted-average":
    case "cascade":
      return list;
    case "latency":
      // A deployment not measured yet counts as fastest, so every one gets measured.
      return list.sort((a, b) => (a.latencyMs ?? 0) - (b.latencyMs ?? 0));
    case "least-busy":
      return list.sort((a, b) => a.inFlight - b.inFlight);
    case "cost":
      return list.sort((a, b) => (a.config.cost ?? 0) - (b.config.cost ?? 0));
    case "weighted": {
      const ordered: Deployment[] = [];
      while (list.length > 0) {
        const total = list.reduce((sum, deployment) => sum + (deployment.config.weight ?? 1), 0);
        let ticket = Math.random() * total;
        let index = 0;
        while (index < list.length - 1) {
          ticket -= list[index]!.config.weight ?? 1;
          if (ticket < 0) break;
          index++;
        }
        ordered.push(list.splice(index, 1)[0]!);
      }
      return ordered;
    }
  }
}

interface Attempt<T> {
  deployment: Deployment;
  value: T;
  /** The attempt's signal and its clock, still linked for a stream under way. */
  limit: ReturnType<typeof limitedSignal>;
}

/**
 * One route as a backend: each request goes to the deployment its policy prefers whose circuit is not
 * open; a failure worth retrying moves on to the next deployment at once, or waits (exponential backoff
 * with jitter, or the upstream's `Retry-After`) before the same one is tried again, within the route's
 * retries and total time. A stream falls back only before its first token reaches the caller.
 */
export class RouteBackend implements InferenceBackend {
  readonly kind = "route" as const;

  constructor(
    readonly config: RouteConfig,
    readonly deployments: readonly Deployment[],
    private readonly cache: ResponseCache<BackendResult> | undefined,
    private readonly cacheGeneration: boolean,
    private readonly events: RouteEvents,
  ) {}

  supports(task: string): boolean {
    return this.deployments.some((deployment) => deployment.backend.supports(task));
  }

  async health(): Promise<BackendHealth> {
    const ok = this.deployments.some((deployment) => deployment.breaker.state !== "open");
    return { ok, latencyMs: 0 };
  }

  private cacheKey(call: BackendCall): string | undefined {
    if (!this.cache || !this.config.cache) return undefined;
    const task = call.task ?? "";
    const parameters = isRecord(call.parameters) ? call.parameters : {};
    const deterministic =
      DETERMINISTIC_TASKS.has(task) ||
      (task === "text-generation" && this.cacheGeneration && parameters.temperature === 0);
    if (!deterministic) return undefined;
    return JSON.stringify([this.config.name, task, call.inputs, parameters]);
  }

  /** The call with its task named: the route's own task when the request named none. */
  private withTask(call: BackendCall): BackendCall {
    if (call.task !== undefined) return call;
    // Ensembles combine labelled answers: text classification unless the route names its task.
    const fallback = isEnsemblePolicy(this.config.policy) ? "text-classification" : "text-generation";
    return Object.assign(call, { task: this.config.task ?? fallback });
  }

  async run(given: BackendCall): Promise<BackendResult> {
    const call = this.withTask(given);
    const key = this.cacheKey(call);
    const cached = key === undefined ? undefined : this.cache!.get(key);
    if (cached) {
      Object.assign(call.meter, { model: this.config.name, task: cached.task, revision: cached.revision });
      return structuredClone(cached);
    }
    const total = limitedSignal(call.deadline(), this.config.timeout_ms);
    try {
      let result: BackendResult;
      if (isEnsemblePolicy(this.config.policy)) {
        result = await this.runEnsemble(call, total);
      } else {
        const attempt = await this.attempt(call, total, (deployment, attemptCall) =>
          deployment.backend.run(attemptCall),
        );
        attempt.limit.clear();
        result = { ...attempt.value, model: this.config.name };
      }
      if (key !== undefined) this.cache!.set(key, structuredClone(result));
      return result;
    } finally {
      total.clear();
    }
  }

  /**
   * An ensemble policy: every deployment is a member, asked with the route's retries and circuits on that
   * deployment alone; their labelled answers are combined (`inference/ensemble.ts`) and the answer says how
   * much they agreed, or which stage of a cascade answered. Usage is the sum of the members' calls.
   */
  private async runEnsemble(
    call: BackendCall,
    total: ReturnType<typeof limitedSignal>,
  ): Promise<BackendResult> {
    const policy = this.config.policy as keyof typeof ENSEMBLE_POLICIES;
    if (Array.isArray(call.inputs)) {
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `inputs: route ${this.config.name} combines its deployments' answers (policy ${policy}): send one input per request, not a list`,
        { details: { field: "inputs" } },
      );
    }
    const method = ENSEMBLE_POLICIES[policy];
    const definition: EnsembleDefinition = {
      method,
      models: this.deployments.map((deployment) => ({
        model: deployment.config.model,
        ...(deployment.config.weight !== undefined ? { weight: deployment.config.weight } : {}),
      })),
      ...(this.config.threshold !== undefined ? { threshold: this.config.threshold } : {}),
    };
    const results: BackendResult[] = [];
    const combined = await runEnsemble(definition, async (_member, index) => {
      const deployment = this.deployments[index]!;
      const memberCall: BackendCall = { ...call, meter: { ...call.meter } };
      const attempt = await this.attempt(
        memberCall,
        total,
        (chosen, attemptCall) => chosen.backend.run(attemptCall),
        false,
        [deployment],
      );
      attempt.limit.clear();
      results[index] = attempt.value;
      return attempt.value.outputs;
    });
    const answered = results.filter((result) => result !== undefined);
    const first = answered[0]!;
    const { labels, ...report } = combined;
    Object.assign(call.meter, {
      model: this.config.name,
      task: first.task,
      revision: answered.map((result) => result.revision).join(","),
      deployment: `${policy}(${answered.map((result) => result.model).join(", ")})`,
    });
    const sum = (field: "input_units" | "output_units" | "latency_ms") =>
      answered.reduce((total, result) => total + result.usage[field], 0);
    return {
      model: this.config.name,
      revision: answered.map((result) => result.revision).join(","),
      task: first.task,
      outputs: labels,
      usage: {
        ...first.usage,
        input_units: sum("input_units"),
        output_units: sum("output_units"),
        latency_ms: sum("latency_ms"),
      },
      ensemble: { method, ...report },
    };
  }

  async stream(given: BackendCall): Promise<InferenceStream> {
    const call = this.withTask(given);
    if (isEnsemblePolicy(this.config.policy)) {
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `stream: route ${this.config.name} combines its deployments' answers (policy ${this.config.policy}) and cannot stream`,
        { details: { field: "stream" } },
      );
    }
    const total = limitedSignal(call.deadline(), this.config.timeout_ms);
    let attempt: Attempt<{
      stream: InferenceStream;
      iterator: AsyncIterator<StreamChunk>;
      first: IteratorResult<StreamChunk>;
    }>;
    try {
      attempt = await this.attempt(
        call,
        total,
        async (deployment, attemptCall) => {
          const stream = await deployment.backend.stream(attemptCall);
          const iterator = stream.chunks[Symbol.asyncIterator]();
          try {
            // Nothing has reached the caller until the first token is here: up to it, another deployment may answer.
            const first = await iterator.next();
            return { stream, iterator, first };
          } catch (error) {
            await iterator.return?.().catch(() => {});
            throw error;
          }
        },
        true,
      );
    } catch (error) {
      total.clear();
      throw error;
    }
    const { deployment, value, limit } = attempt;
    // The attempt's time limit covers the wait for the first token; the route's total time still runs.
    limit.stopTimer();
    deployment.inFlight++;
    const started = performance.now();
    const chunks: AsyncIterable<StreamChunk> = {
      async *[Symbol.asyncIterator]() {
        let failed: unknown;
        try {
          if (!value.first.done) yield value.first.value;
          while (true) {
            const next = await value.iterator.next();
            if (next.done) break;
            yield next.value;
          }
        } catch (error) {
          failed = error;
          // After the first token there is no fallback: the error ends the stream in-band.
          throw total.signal.aborted && !call.signal?.aborted ? total.signal.reason : error;
        } finally {
          await value.iterator.return?.().catch(() => {});
          deployment.inFlight--;
          if (failed !== undefined && !call.signal?.aborted) {
            deployment.breaker.failure();
            deployment.record(false, undefined, (failed as Error).message);
          } else {
            deployment.record(true, performance.now() - started);
          }
          limit.clear();
          total.clear();
        }
      },
    };
    const stream = value.stream;
    return {
      model: this.config.name,
      revision: stream.revision,
      task: stream.task,
      get promptTokens() {
        return stream.promptTokens;
      },
      chunks,
    };
  }

  /** Runs `work` on deployments until one succeeds, as the route's retries, circuits and time allow. */
  private async attempt<T>(
    call: BackendCall,
    total: ReturnType<typeof limitedSignal>,
    work: (deployment: Deployment, call: BackendCall) => Promise<T>,
    streaming = false,
    candidates: readonly Deployment[] = this.deployments,
  ): Promise<Attempt<T>> {
    const task = call.task ?? "text-generation";
    const able = candidates.filter((deployment) => deployment.backend.supports(task));
    if (able.length === 0) {
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `Route ${this.config.name} has no deployment that can do ${task}`,
      );
    }
    const tried = new Map<Deployment, number>();
    const endsAt = Date.now() + this.config.timeout_ms;
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.config.retries; attempt++) {
      const order = orderDeployments(this.config, able);
      const acquire = (list: Deployment[]) => list.find((deployment) => deployment.breaker.tryAcquire());
      const deployment = acquire(order.filter((candidate) => !tried.has(candidate))) ?? acquire(order);
      if (!deployment) {
        const waitMs = Math.min(...able.map((candidate) => candidate.breaker.retryInMs));
        throw (
          lastError ??
          new HangarError(
            "HANGAR_ERR_UNAVAILABLE",
            `No deployment of route ${this.config.name} is available now: every circuit is open. Retry in ${Math.ceil(waitMs / 1000)} s`,
            { headers: { "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))) } },
          )
        );
      }
      const times = tried.get(deployment) ?? 0;
      if (attempt > 0) {
        if (tried.size > 0 && times === 0) this.events.fellBack(this.config.name);
        else this.events.retried(this.config.name);
      }
      if (times > 0) {
        const jittered = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (times - 1));
        const wait = Math.max(requestedWait(lastError) ?? 0, jittered);
        // A wait past the route's time would only end in a timeout: the upstream's answer is more useful.
        if (Date.now() + wait >= endsAt) {
          deployment.breaker.neutral();
          break;
        }
        try {
          await sleep(wait, total.signal);
        } catch {
          deployment.breaker.neutral();
          break;
        }
      }
      tried.set(deployment, times + 1);
      const limit = limitedSignal(
        total.signal,
        deployment.config.timeout_ms ?? this.config.attempt_timeout_ms,
      );
      const attemptCall: BackendCall = {
        ...call,
        model: deployment.config.model,
        ...(deployment.config.backend === "local" ? {} : { revision: undefined }),
        deadline: () => limit.signal,
      };
      const started = performance.now();
      call.meter.deployment = deployment.label;
      deployment.inFlight++;
      try {
        const value = await work(deployment, attemptCall);
        deployment.inFlight--;
        if (!streaming) {
          deployment.breaker.success();
          deployment.record(true, performance.now() - started);
        } else {
          // A stream's outcome is known at its end; its first token is enough to close a half-open circuit.
          deployment.breaker.success();
        }
        call.meter.model = this.config.name;
        return { deployment, value, limit };
      } catch (error) {
        deployment.inFlight--;
        limit.clear();
        call.meter.model = this.config.name;
        if (call.signal?.aborted) {
          deployment.breaker.neutral();
          throw error;
        }
        if (total.signal.aborted && !limit.timedOut) {
          deployment.breaker.neutral();
          lastError = total.signal.reason;
          break;
        }
        const failure = limit.timedOut
          ? attemptTimedOut(deployment.label, deployment.config.timeout_ms ?? this.config.attempt_timeout_ms)
          : error;
        if (!isRetryable(failure)) {
          deployment.breaker.neutral();
          throw failure;
        }
        deployment.breaker.failure();
        deployment.record(false, undefined, (failure as Error).message);
        lastError = failure;
      }
    }
    throw lastError;
  }
}
