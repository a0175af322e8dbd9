import { badRequest } from "../../core/errors.ts";

/** Request bodies of text tasks: inputs are bounded by characters (below); this leaves room for parameters. */
export const TEXT_REQUEST_BYTES = 1024 ** 2;

/** Request bodies of image and audio tasks: a 20 MiB file sent raw, or base64 inside JSON. */
export const MEDIA_REQUEST_BYTES = 28 * 1024 ** 2;

/**
 * Characters of text one request may send, all inputs together. Text is tokenized on the event loop
 * (about 0.15 s per MB); the models Hangar runs read a few thousand characters and cut the rest.
 */
export const MAX_INPUT_CHARACTERS = 100_000;

/** A request for one task after validation: what a loaded model's `run` receives. */
export interface ParsedTaskRequest {
  inputs: unknown;
  parameters: Record<string, unknown>;
}

/**
 * One task of the inference API: its input and parameter schema (validated with clear 400s), how its output
 * is shaped on the Hub serverless route (whether its requests batch is in `core/local-tasks.ts`). Loaders
 * run the task; a task file only describes it, so a loader added later (Silero VAD, PaddleOCR...) serves it
 * too.
 */
export interface TaskDefinition {
  /** The `@huggingface/tasks` id, e.g. `text-classification`. */
  readonly task: string;
  /** One line for docs, `hangar run --help` and errors. */
  readonly summary: string;
  /** Whether the task can stream tokens (text generation). */
  readonly streams?: boolean;
  /**
   * Validates `inputs` and `parameters` of a request body; throws `HANGAR_ERR_BAD_REQUEST` naming the field.
   * `body` is the whole body, for clients that send parameters at the top level (feature extraction).
   */
  parse(
    inputs: unknown,
    parameters: Record<string, unknown>,
    body: Record<string, unknown>,
  ): ParsedTaskRequest;
  /**
   * How strongly a Hub serverless body (`POST /models/{id}`) looks like this task: 0 when it cannot be,
   * 1 when it could be, 2 when only this task takes such a body. One URL serves every task of a model.
   */
  matchBody(body: Record<string, unknown>): number;
  /** The output as the Hub serverless API returns it, when it differs from the task API's `outputs`. */
  toHubOutput?(output: unknown): unknown;
  /**
   * Units of input for metering: tokens when the model can count them, otherwise characters or bytes.
   * Defaults to the JSON size of the inputs.
   */
  inputText?(inputs: unknown): string[];
  /** Whether inputs longer than the model's limit may be cut (classification, embeddings) or must be refused. */
  readonly truncates: boolean;
  /** Largest request body for the task; `TEXT_REQUEST_BYTES` when not given. */
  readonly maxRequestBytes?: number;
  /**
   * What an answer of this task is metered in (`usage.output_units`, `usage_events.output_unit`): something
   * a person would count in it, such as labels for classification, vectors for embeddings or generated
   * tokens, never the size of its JSON.
   */
  readonly outputUnit: string;
  /** How many `outputUnit`s an answer holds. */
  countOutput(output: unknown): number;
  /**
   * Fills a pipeline-specific file input (a file path given to `hangar run`) into `inputs`; by default the
   * file's text is the input.
   */
  inputFromFile?(bytes: Buffer, path: string): unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The objects in an answer, at any depth of lists: labels, entities, answers, predictions, segments. */
export function countRecords(output: unknown): number {
  if (Array.isArray(output)) return output.reduce((total: number, item) => total + countRecords(item), 0);
  return isRecord(output) ? 1 : 0;
}

/** The vectors in an answer: a list of numbers is one; lists of them (per text, per token) hold several. */
export function countVectors(output: unknown): number {
  if (!Array.isArray(output) || output.length === 0) return 0;
  if (output.every((item) => typeof item === "number")) return 1;
  return output.reduce((total: number, item) => total + countVectors(item), 0);
}

/** A non-empty string or a non-empty list of them; an empty text has nothing to run on, alone or in a list. */
export function textOrTexts(value: unknown, field = "inputs"): string | string[] {
  if (typeof value === "string") {
    if (value.length === 0) throw badRequest(`"${field}" must not be empty`, { details: { param: field } });
    return value;
  }
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string")) {
    const empty = value.findIndex((item) => item.length === 0);
    if (empty >= 0) {
      const param = `${field}[${empty}]`;
      throw badRequest(`"${param}" must not be empty`, { details: { param } });
    }
    return value as string[];
  }
  throw badRequest(`"${field}" must be a string or a non-empty list of strings`, {
    details: { param: field },
  });
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw badRequest(`"${field}" must be a non-empty string`);
  }
  return value;
}

/** A number parameter within `range` (whole when `integer`), or undefined when absent; `shown` names it in the 400. */
function numberInRange(
  parameters: Record<string, unknown>,
  name: string,
  range: { min: number; max: number },
  options: { integer: boolean; shown: string },
): number | undefined {
  const value = parameters[name];
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== "number" ||
    !(options.integer ? Number.isInteger(value) : Number.isFinite(value)) ||
    value < range.min ||
    value > range.max
  ) {
    const kind = options.integer ? "an integer" : "a number";
    throw badRequest(`${options.shown} must be ${kind} from ${range.min} to ${range.max}`);
  }
  return value;
}

export function optionalInteger(
  parameters: Record<string, unknown>,
  name: string,
  range: { min: number; max: number },
): number | undefined {
  return numberInRange(parameters, name, range, { integer: true, shown: `"parameters.${name}"` });
}

export function optionalNumber(
  parameters: Record<string, unknown>,
  name: string,
  range: { min: number; max: number },
): number | undefined {
  return numberInRange(parameters, name, range, { integer: false, shown: `"parameters.${name}"` });
}

/** A number parameter with a default, as the media tasks (image-to-text, voice activity) read theirs. */
export function numberOrDefault(
  parameters: Record<string, unknown>,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  return numberInRange(parameters, name, range, { integer: false, shown: `parameters.${name}` }) ?? fallback;
}

export function optionalBoolean(parameters: Record<string, unknown>, name: string): boolean | undefined {
  const value = parameters[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw badRequest(`"parameters.${name}" must be true or false`);
  return value;
}

export function optionalChoice<T extends string>(
  parameters: Record<string, unknown>,
  name: string,
  choices: readonly T[],
): T | undefined {
  const value = parameters[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !choices.includes(value as T)) {
    throw badRequest(`"parameters.${name}" must be one of ${choices.join(", ")}`);
  }
  return value as T;
}

export function optionalStrings(parameters: Record<string, unknown>, name: string): string[] | undefined {
  const value = parameters[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  throw badRequest(`"parameters.${name}" must be a string or a list of strings`);
}

/** Drops undefined values so parameter objects compare and serialise the same way. */
export function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
