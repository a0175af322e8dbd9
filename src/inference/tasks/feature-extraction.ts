import { badRequest } from "../../core/errors.ts";
import {
  countVectors,
  definedOnly,
  optionalBoolean,
  optionalChoice,
  type TaskDefinition,
  textOrTexts,
} from "./task-definition.ts";

export const POOLING_METHODS = ["mean", "cls", "none"] as const;

/**
 * feature-extraction (embeddings). Inputs: a text or a list of texts. Parameters (also accepted at the top
 * level of the body, as @huggingface/inference and TEI send them): `normalize` (default false), `pooling`
 * (`mean` by default: one vector per text; `cls`; `none`: one vector per token), `truncate` (default true;
 * false makes texts over the model's limit a 413). Outputs: `number[]` for one text, `number[][]` for a list
 * (one more level with `pooling: none`).
 */
export const featureExtractionTask: TaskDefinition = {
  task: "feature-extraction",
  summary: "Turns texts into embedding vectors",
  truncates: true,
  outputUnit: "vectors",
  countOutput: countVectors,
  parse(inputs, parameters, body) {
    const merged = { ...pick(body, ["normalize", "truncate", "pooling"]), ...parameters };
    if (merged.dimensions !== undefined || body.dimensions !== undefined) {
      throw badRequest('"dimensions" is not supported: the model gives vectors of one size');
    }
    return {
      inputs: textOrTexts(inputs),
      parameters: definedOnly({
        normalize: optionalBoolean(merged, "normalize"),
        pooling: optionalChoice(merged, "pooling", POOLING_METHODS),
        truncate: optionalBoolean(merged, "truncate"),
      }),
    };
  },
  matchBody(body) {
    return typeof body.inputs === "string" || Array.isArray(body.inputs) ? 1 : 0;
  },
  inputText: (inputs) => (Array.isArray(inputs) ? (inputs as string[]) : [inputs as string]),
};

function pick(body: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(
    names.filter((name) => body[name] !== undefined).map((name) => [name, body[name]]),
  );
}
