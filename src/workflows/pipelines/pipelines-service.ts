import { HangarError } from "../../core/errors.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import type { InferenceRuntime } from "../../inference/inference-runtime.ts";
import { requireUser } from "../require-user.ts";
import { checkPipelineShape, type PipelineDefinition, parsePipelineText } from "./definition.ts";
import { type PipelineRunRecord, runPipeline } from "./run-pipeline.ts";
import { validatePipeline } from "./validate-pipeline.ts";

type PipelineHub = HubContext & { inference: Pick<InferenceRuntime, "run" | "router"> };

/** A definition from a request body: the definition itself as JSON, or `{yaml: "..."}`. */
export function definitionFromBody(body: Record<string, unknown>): PipelineDefinition {
  if (typeof body.yaml === "string") return parsePipelineText(body.yaml, '"yaml"');
  return checkPipelineShape(body);
}

/** `POST /v1/pipelines`: validates and stores (or replaces) one of the caller's pipelines. */
export async function registerPipeline(hub: HubContext, caller: Caller, definition: PipelineDefinition) {
  const user = requireUser(caller);
  const validated = validatePipeline(definition);
  const now = Date.now();
  const existing = await hub.catalog.pipelines.get(user.user, definition.name);
  await hub.catalog.pipelines.save({
    owner: user.user,
    name: definition.name,
    definition: JSON.stringify(definition),
    createdMs: existing?.createdMs ?? now,
    updatedMs: now,
  });
  return { name: definition.name, object: "pipeline", steps: validated.order, definition };
}

async function getOwnPipeline(hub: HubContext, caller: Caller, name: string): Promise<PipelineDefinition> {
  const user = requireUser(caller);
  const row = await hub.catalog.pipelines.get(user.user, name);
  if (!row) throw new HangarError("HANGAR_ERR_NOT_FOUND", `You have no pipeline named "${name}"`);
  return JSON.parse(row.definition) as PipelineDefinition;
}

/** Runs a definition and keeps the run (its outputs and trace) for `GET /v1/pipelines/{name}/runs/{id}`. */
export async function runAndKeep(
  hub: PipelineHub,
  caller: Caller,
  definition: PipelineDefinition,
  inputs: Record<string, unknown>,
): Promise<PipelineRunRecord> {
  const user = requireUser(caller);
  const run = await runPipeline({ hub, caller, pipeline: validatePipeline(definition), inputs });
  await hub.catalog.pipelines.saveRun({
    id: run.id,
    owner: user.user,
    pipeline: run.pipeline,
    status: run.status,
    startedMs: Date.parse(run.started_at),
    finishedMs: Date.parse(run.started_at) + Math.round(run.duration_ms),
    record: JSON.stringify(run),
  });
  return run;
}

/** `POST /v1/pipelines/{name}/run` */
export async function runRegisteredPipeline(
  hub: PipelineHub,
  caller: Caller,
  name: string,
  inputs: unknown,
): Promise<PipelineRunRecord> {
  if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"inputs" must be an object of the pipeline\'s inputs', {
      details: { field: "inputs" },
    });
  }
  return runAndKeep(hub, caller, await getOwnPipeline(hub, caller, name), inputs as Record<string, unknown>);
}

/** `GET /v1/pipelines/{name}/runs/{id}`: one of the caller's runs. */
export async function getPipelineRun(hub: HubContext, caller: Caller, name: string, id: string) {
  const user = requireUser(caller);
  const row = await hub.catalog.pipelines.getRun(id);
  if (!row || row.owner !== user.user || row.pipeline !== name) {
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `Pipeline ${name} has no run "${id}"`);
  }
  return JSON.parse(row.record) as PipelineRunRecord;
}

/** `GET /v1/pipelines/{name}` */
export async function getPipeline(hub: HubContext, caller: Caller, name: string) {
  const definition = await getOwnPipeline(hub, caller, name);
  return { name, object: "pipeline", steps: validatePipeline(definition).order, definition };
}
