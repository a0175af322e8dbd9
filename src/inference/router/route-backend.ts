import { HangarError } from "../../core/errors.ts";
import type { BackendCall, BackendHealth, BackendResult, InferenceBackend } from "../backend.ts";
import { type EnsembleDefinition, runEnsemble } from "../ensemble.ts";
import type { InferenceStream } from "../inference-types.ts";
import type { StreamChunk } from "../runtime/model-loader.ts";
import { isRecord } from "../tasks/task-definition.ts";
import type { Deployment } from "./deployment.ts";
import type { ResponseCache } from "./response-cache.ts";
import { type Attempt, attemptDeployments, RouteDeadline, type RouteEvents } from "./route-attempts.ts";
import { ENSEMBLE_POLICIES, isEnsemblePolicy, type RouteConfig } from "./route-config.ts";

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

/**
 * One route as a backend: each request goes to the deployment its policy prefers whose circuit is not
 * open, with the route's retries and fallbacks (`attemptDeployments`); deterministic answers may come from
 * the response cache; ensemble policies ask every deployment and combine their answers. A stream falls
 * back only before its first token reaches the caller.
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
    const total = new RouteDeadline(call.deadline(), this.config.timeout_ms);
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
  private async runEnsemble(call: BackendCall, total: RouteDeadline): Promise<BackendResult> {
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
    const total = new RouteDeadline(call.deadline(), this.config.timeout_ms);
    // A stream's route time runs on past its first token, when the attempt's limit stops: its own signal now.
    void total.signal;
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

  private attempt<T>(
    call: BackendCall,
    total: RouteDeadline,
    work: (deployment: Deployment, call: BackendCall) => Promise<T>,
    streaming = false,
    candidates: readonly Deployment[] = this.deployments,
  ): Promise<Attempt<T>> {
    return attemptDeployments(this.config, this.events, candidates, call, total, work, streaming);
  }
}
