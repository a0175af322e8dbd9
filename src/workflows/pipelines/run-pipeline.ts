import { createHash, randomBytes } from "node:crypto";
import { HangarError } from "../../core/errors.ts";
import { parseRepoId } from "../../core/validate.ts";
import { getReadableRepo } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import { resolveRevision } from "../../hub/resolve-revision.ts";
import { runEnsemble } from "../../inference/ensemble.ts";
import type { InferenceRuntime } from "../../inference/inference-runtime.ts";
import type { StepCondition, StepDefinition } from "./definition.ts";
import { fillTemplate, parseReference, walk, wholeReference } from "./references.ts";
import type { ValidatedPipeline } from "./validate-pipeline.ts";

/** What the trace keeps of one step. Times are ms from the start of the run. */
export interface StepTrace {
  step: string;
  task: string;
  model: string;
  /** The commit the model ran at. */
  revision: string | null;
  status: "ok" | "skipped" | "failed";
  started_ms: number;
  finished_ms: number;
  duration_ms: number;
  /** Calls made (fan-out: one per item that passed its condition). */
  calls: number;
  /** Fan-out items (1 without for_each) and those a condition skipped. */
  items: number;
  skipped_items: number;
  cache_hits: number;
  attempts: number;
  input_bytes: number;
  output_bytes: number;
  error: { code: string; message: string } | null;
}

export interface PipelineRunRecord {
  id: string;
  object: "pipeline.run";
  pipeline: string;
  status: "completed" | "failed";
  started_at: string;
  duration_ms: number;
  outputs: Record<string, unknown> | null;
  /** Steps in the order they started. */
  steps: StepTrace[];
  error: { code: string; message: string; step: string } | null;
}

export interface RunPipelineParams {
  hub: HubContext & { inference: Pick<InferenceRuntime, "run" | "router"> };
  caller: Caller;
  pipeline: ValidatedPipeline;
  inputs: Record<string, unknown>;
  /** Fan-out items in flight at once per step. */
  concurrency?: number;
}

/** Bytes of a value as it travels: JSON, with byte arrays counted as their length. */
function sizeOf(value: unknown): number {
  let bytes = 0;
  const text = JSON.stringify(value, (_, item) => {
    if (item instanceof Uint8Array) {
      bytes += item.byteLength;
      return null;
    }
    if (item && typeof item === "object" && (item as { type?: unknown }).type === "Buffer") return null;
    return item;
  });
  return bytes + (text ? Buffer.byteLength(text) : 0);
}

function cacheKey(parts: unknown[]): string {
  const hash = createHash("sha256");
  hash.update(
    JSON.stringify(parts, (_, item) =>
      Buffer.isBuffer(item) || item instanceof Uint8Array
        ? `bytes:${createHash("sha256").update(item).digest("hex")}`
        : item && typeof item === "object" && (item as { type?: unknown }).type === "Buffer"
          ? `bytes:${createHash("sha256")
              .update(Buffer.from((item as { data: number[] }).data))
              .digest("hex")}`
          : item,
    ),
  );
  return hash.digest("hex");
}

function holds(condition: StepCondition, value: unknown): boolean {
  if (condition.equals !== undefined && value !== condition.equals) return false;
  if (condition.in !== undefined && !condition.in.includes(value as string | number)) return false;
  if (condition.above !== undefined && !(typeof value === "number" && value > condition.above)) return false;
  if (condition.below !== undefined && !(typeof value === "number" && value < condition.below)) return false;
  return true;
}

/** Failures worth another attempt: time-outs, overload, server-side errors. A 4xx will fail again. */
function retryable(error: unknown): boolean {
  if (!HangarError.isInstance(error)) return true;
  return error.status >= 500 || error.status === 408 || error.status === 429;
}

function asError(error: unknown): { code: string; message: string } {
  return HangarError.isInstance(error)
    ? { code: error.code, message: error.message }
    : { code: "HANGAR_ERR_INTERNAL", message: (error as Error)?.message ?? String(error) };
}

/** Checks the inputs a run was given against the types the pipeline declares; errors name the input. */
function checkInputs(pipeline: ValidatedPipeline, inputs: Record<string, unknown>): void {
  for (const [name, type] of Object.entries(pipeline.definition.inputs)) {
    const value = inputs[name];
    const field = `inputs.${name}`;
    const bad = (wanted: string) =>
      new HangarError("HANGAR_ERR_BAD_REQUEST", `${field}: expected ${wanted}`, { details: { field } });
    if (value === undefined)
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${field} is required (${type})`, {
        details: { field },
      });
    if (type === "text" && typeof value !== "string") throw bad("text");
    if (type === "texts" && !(Array.isArray(value) && value.every((item) => typeof item === "string"))) {
      throw bad("a list of texts");
    }
    if (type === "number" && typeof value !== "number") throw bad("a number");
    if (
      (type === "image" || type === "audio") &&
      typeof value !== "string" &&
      !(value instanceof Uint8Array)
    ) {
      throw bad(`${type} bytes (base64 text in JSON)`);
    }
  }
}

/**
 * Runs a validated pipeline: every step starts as soon as the steps it reads are done (independent steps run
 * in parallel), fan-out items run `concurrency` at a time, each call pinned to the model commit resolved
 * with the caller's access, retried and timed out per the step, and served from the step cache when the
 * same task, commit, inputs and parameters ran before. A failed step fails the steps that read it.
 */
export async function runPipeline(params: RunPipelineParams): Promise<PipelineRunRecord> {
  const { hub, caller, pipeline } = params;
  checkInputs(pipeline, params.inputs);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const outputs = new Map<string, unknown>();
  const traces: StepTrace[] = [];
  const running = new Map<string, Promise<void>>();
  let firstError: PipelineRunRecord["error"] = null;
  const clock = () => Math.round((performance.now() - started) * 100) / 100;

  const lookup = (item: unknown) => (text: string) => {
    const reference = parseReference(text);
    if (typeof reference === "string") return undefined;
    const base =
      reference.root === "inputs"
        ? params.inputs[reference.name]
        : reference.root === "steps"
          ? outputs.get(reference.name)
          : item;
    return walk(base, reference.path);
  };

  const runStep = async (id: string, step: StepDefinition): Promise<void> => {
    const failedNeed = pipeline.dependsOn[id]!.find(
      (need) => traces.find((t) => t.step === need)?.status === "failed",
    );
    const trace: StepTrace = {
      step: id,
      task: step.task,
      model: step.ensemble
        ? `${step.ensemble.method}(${step.ensemble.models.map((m) => m.model).join(", ")})`
        : step.model!,
      revision: null,
      status: "ok",
      started_ms: clock(),
      finished_ms: 0,
      duration_ms: 0,
      calls: 0,
      items: 0,
      skipped_items: 0,
      cache_hits: 0,
      attempts: 0,
      input_bytes: 0,
      output_bytes: 0,
      error: null,
    };
    traces.push(trace);
    try {
      if (failedNeed) {
        throw new HangarError(
          "HANGAR_ERR_BAD_REQUEST",
          `Not run: step ${failedNeed}, which it reads, failed`,
        );
      }
      // Every model the step calls, resolved once with the caller's access and pinned to its commit.
      const members = step.ensemble
        ? step.ensemble.models
        : [{ model: step.model!, ...(step.revision ? { revision: step.revision } : {}) }];
      const commits = new Map<string, string>();
      for (const member of members) {
        const repo = await getReadableRepo(hub, caller, parseRepoId(member.model, "model"));
        commits.set(member.model, (await resolveRevision(hub, repo, member.revision ?? "main")).commit.oid);
      }
      trace.revision = [...commits.values()].join(",");
      const callModel = async (model: string, inputs: unknown, parameters: Record<string, unknown>) => {
        trace.calls++;
        const key =
          step.cache === false
            ? undefined
            : cacheKey([step.task, model, commits.get(model), inputs, parameters]);
        const cached = key ? await hub.catalog.pipelines.cachedOutput(key) : undefined;
        if (cached !== undefined) {
          trace.cache_hits++;
          return JSON.parse(cached) as unknown;
        }
        const output = await callWithRetries(step, model, inputs, parameters, commits.get(model)!, trace);
        if (key) await hub.catalog.pipelines.cacheOutput(key, JSON.stringify(output) ?? "null", Date.now());
        return output;
      };
      const answer = async (inputs: unknown, parameters: Record<string, unknown>) => {
        const ensemble = step.ensemble;
        if (!ensemble) return callModel(step.model!, inputs, parameters);
        return runEnsemble(ensemble, ({ model }) => callModel(model, inputs, parameters));
      };
      const fanOut = step.for_each !== undefined;
      const items = fanOut ? lookup(undefined)(wholeReference(step.for_each!)!) : [undefined];
      if (!Array.isArray(items)) {
        throw new HangarError("HANGAR_ERR_BAD_REQUEST", `steps.${id}.for_each: the value is not a list`);
      }
      trace.items = items.length;
      const results: unknown[] = new Array(items.length).fill(null);
      let next = 0;
      const worker = async () => {
        while (next < items.length) {
          const index = next++;
          const item = items[index];
          const read = lookup(item);
          if (step.when && !holds(step.when, read(wholeReference(step.when.value)!))) {
            trace.skipped_items++;
            continue;
          }
          const inputs = fillTemplate(step.inputs, read);
          const parameters = (fillTemplate(step.parameters ?? {}, read) ?? {}) as Record<string, unknown>;
          trace.input_bytes += sizeOf(inputs);
          results[index] = await answer(inputs, parameters);
          trace.output_bytes += Buffer.byteLength(JSON.stringify(results[index]) ?? "null");
        }
      };
      await Promise.all(Array.from({ length: fanOut ? Math.max(1, params.concurrency ?? 8) : 1 }, worker));
      if (!fanOut && trace.skipped_items === 1) trace.status = "skipped";
      outputs.set(id, fanOut ? results : results[0]);
    } catch (error) {
      trace.status = "failed";
      trace.error = asError(error);
      firstError ??= { ...trace.error, step: id };
      outputs.set(id, null);
    } finally {
      trace.finished_ms = clock();
      trace.duration_ms = Math.round((trace.finished_ms - trace.started_ms) * 100) / 100;
    }
  };

  const callWithRetries = async (
    step: StepDefinition,
    model: string,
    inputs: unknown,
    parameters: Record<string, unknown>,
    revision: string,
    trace: StepTrace,
  ): Promise<unknown> => {
    const attempts = 1 + (step.retries ?? 0);
    for (let attempt = 1; ; attempt++) {
      trace.attempts++;
      const controller = new AbortController();
      const timer =
        step.timeout_ms !== undefined
          ? setTimeout(
              () =>
                controller.abort(
                  new HangarError("HANGAR_ERR_TIMEOUT", `The step took over ${step.timeout_ms} ms`),
                ),
              step.timeout_ms,
            )
          : undefined;
      try {
        const result = await hub.inference.run({
          caller,
          model,
          revision,
          task: step.task,
          inputs,
          parameters,
          signal: controller.signal,
          api: "library",
        });
        return result.outputs;
      } catch (error) {
        const reason = controller.signal.aborted ? controller.signal.reason : error;
        if (attempt >= attempts || !retryable(reason)) throw reason;
      } finally {
        clearTimeout(timer);
      }
    }
  };

  for (const id of pipeline.order) {
    const step = pipeline.definition.steps[id]!;
    const needs = pipeline.dependsOn[id]!.map((need) => running.get(need)!);
    running.set(
      id,
      Promise.all(needs).then(() => runStep(id, step)),
    );
  }
  await Promise.all(running.values());
  const finalOutputs = firstError
    ? null
    : (Object.fromEntries(
        Object.entries(pipeline.definition.outputs).map(([name, value]) => [
          name,
          fillTemplate(value, lookup(undefined)),
        ]),
      ) as Record<string, unknown>);
  return {
    id: `run_${randomBytes(12).toString("hex")}`,
    object: "pipeline.run",
    pipeline: pipeline.definition.name,
    status: firstError ? "failed" : "completed",
    started_at: startedAt,
    duration_ms: clock(),
    outputs: finalOutputs,
    steps: traces,
    error: firstError,
  };
}
