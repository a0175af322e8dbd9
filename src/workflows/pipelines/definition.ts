import { parse as parseYaml } from "yaml";
import { HangarError } from "../../core/errors.ts";
import { ENSEMBLE_METHODS, type EnsembleDefinition } from "../../inference/ensemble.ts";

/** A condition on a value (a label, a score): the step (or the fan-out item) runs only when it holds. */
export interface StepCondition {
  value: string;
  equals?: string | number | boolean;
  in?: Array<string | number>;
  above?: number;
  below?: number;
}

export interface StepDefinition {
  task: string;
  /** A model repo id (`namespace/name`) the inference API can reach; or `ensemble` instead. */
  model?: string;
  /** Several models combined (majority vote, weighted average, cascade): see ensemble.ts. */
  ensemble?: EnsembleDefinition;
  revision?: string;
  /** A literal, a reference (`${steps.ocr.output.hangar.lines}`), or an object or text holding references. */
  inputs: unknown;
  parameters?: Record<string, unknown>;
  /** Fan-out: run the step once per element of this list; `${item}` is the element. */
  for_each?: string;
  when?: StepCondition;
  /** Attempts after a failure (default 0). */
  retries?: number;
  /** Per attempt (default: the inference timeout). */
  timeout_ms?: number;
  /** Reuse the result of the same task, model commit, inputs and parameters (default true). */
  cache?: boolean;
}

export interface PipelineDefinition {
  name: string;
  description?: string;
  /** Input names and their types: text, texts, number, image, audio, json. */
  inputs: Record<string, string>;
  steps: Record<string, StepDefinition>;
  /** What a run returns, by name: references to inputs and step outputs. */
  outputs: Record<string, unknown>;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

function fail(field: string, message: string): never {
  throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${field}: ${message}`, { details: { field } });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A definition from YAML or JSON text (JSON is YAML). */
export function parsePipelineText(text: string, source = "pipeline"): PipelineDefinition {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `${source} is not YAML or JSON: ${(error as Error).message}`,
    );
  }
  return checkPipelineShape(value);
}

/** Checks the shape of a definition (fields and their kinds); `validatePipeline` checks types and references. */
export function checkPipelineShape(value: unknown): PipelineDefinition {
  if (!isRecord(value)) fail("pipeline", "must be an object with name, inputs, steps and outputs");
  if (typeof value.name !== "string" || !NAME.test(value.name)) {
    fail("name", "must be 1 to 64 letters, digits, - or _");
  }
  const inputs = value.inputs ?? {};
  if (!isRecord(inputs)) fail("inputs", "must map input names to types");
  for (const [name, type] of Object.entries(inputs)) {
    if (typeof type !== "string")
      fail(`inputs.${name}`, "must be a type name (text, texts, number, image, audio, json)");
  }
  if (!isRecord(value.steps) || Object.keys(value.steps).length === 0)
    fail("steps", "must map step names to steps");
  const steps: Record<string, StepDefinition> = {};
  for (const [id, step] of Object.entries(value.steps)) {
    const at = `steps.${id}`;
    if (!NAME.test(id)) fail(at, "a step name is 1 to 64 letters, digits, - or _");
    if (!isRecord(step)) fail(at, "must be an object with task, model and inputs");
    if (typeof step.task !== "string") fail(`${at}.task`, "is required: a task name");
    if (step.ensemble !== undefined) {
      if (step.model !== undefined) fail(`${at}`, "takes model or ensemble, not both");
      const ensemble = step.ensemble;
      if (!isRecord(ensemble) || !ENSEMBLE_METHODS.includes(ensemble.method as never)) {
        fail(`${at}.ensemble.method`, `must be one of ${ENSEMBLE_METHODS.join(", ")}`);
      }
      if (!Array.isArray(ensemble.models) || ensemble.models.length < 2) {
        fail(`${at}.ensemble.models`, "must list at least two {model, weight?}");
      }
      ensemble.models.forEach((member: unknown, index: number) => {
        if (!isRecord(member) || typeof member.model !== "string" || !member.model.includes("/")) {
          fail(`${at}.ensemble.models.${index}.model`, 'is required: a model repo id "namespace/name"');
        }
        if (member.weight !== undefined && !(typeof member.weight === "number" && member.weight > 0)) {
          fail(`${at}.ensemble.models.${index}.weight`, "must be a number above 0");
        }
      });
      if (ensemble.threshold !== undefined && typeof ensemble.threshold !== "number") {
        fail(`${at}.ensemble.threshold`, "must be a number");
      }
    } else if (typeof step.model !== "string" || !step.model.includes("/")) {
      fail(`${at}.model`, 'is required: a model repo id "namespace/name" (or an ensemble)');
    }
    if (step.inputs === undefined) fail(`${at}.inputs`, "is required");
    if (step.revision !== undefined && typeof step.revision !== "string")
      fail(`${at}.revision`, "must be text");
    if (step.parameters !== undefined && !isRecord(step.parameters))
      fail(`${at}.parameters`, "must be an object");
    if (step.for_each !== undefined && typeof step.for_each !== "string") {
      fail(`${at}.for_each`, `must be a reference to a list, e.g. \${steps.ocr.output.hangar.lines}`);
    }
    for (const field of ["retries", "timeout_ms"] as const) {
      const number = step[field];
      if (number !== undefined && (!Number.isInteger(number) || (number as number) < 0)) {
        fail(`${at}.${field}`, "must be a whole number");
      }
    }
    if ((step.retries as number | undefined) !== undefined && (step.retries as number) > 5) {
      fail(`${at}.retries`, "is at most 5");
    }
    if (step.cache !== undefined && typeof step.cache !== "boolean")
      fail(`${at}.cache`, "must be true or false");
    if (step.when !== undefined) {
      const when = step.when;
      if (!isRecord(when) || typeof when.value !== "string") {
        fail(`${at}.when`, "must be {value: <reference>, equals | in | above | below}");
      }
      const tests = ["equals", "in", "above", "below"].filter((name) => when[name] !== undefined);
      if (tests.length === 0) fail(`${at}.when`, "needs one of equals, in, above, below");
      for (const bound of ["above", "below"]) {
        if (when[bound] !== undefined && typeof when[bound] !== "number")
          fail(`${at}.when.${bound}`, "must be a number");
      }
      if (when.in !== undefined && !Array.isArray(when.in)) fail(`${at}.when.in`, "must be a list");
    }
    steps[id] = step as unknown as StepDefinition;
  }
  const outputs = value.outputs ?? {};
  if (!isRecord(outputs)) fail("outputs", "must map output names to references");
  return {
    name: value.name,
    ...(typeof value.description === "string" ? { description: value.description } : {}),
    inputs: inputs as Record<string, string>,
    steps,
    outputs,
  };
}
