import { badRequest } from "../../core/errors.ts";
import {
  countRecords,
  definedOnly,
  optionalInteger,
  type TaskDefinition,
  textOrTexts,
} from "./task-definition.ts";

/**
 * fill-mask. Inputs: a text holding the model's mask token (e.g. `[MASK]`), or a list of them. Parameters:
 * `top_k` (default 5). `targets` is not supported. Outputs: `[{score, token, token_str, sequence}]` best
 * first; for a list, one such list per text. Texts over the model's limit are refused (413): cutting them
 * could cut the mask. A text without the mask token is a 400 (and fails only its own request in a batch).
 */
export const fillMaskTask: TaskDefinition = {
  task: "fill-mask",
  summary: "Guesses the word hidden behind the mask token",
  truncates: false,
  outputUnit: "predictions",
  countOutput: countRecords,
  parse(inputs, parameters) {
    if (parameters.targets !== undefined) throw badRequest('"parameters.targets" is not supported');
    return {
      inputs: textOrTexts(inputs),
      parameters: definedOnly({ top_k: optionalInteger(parameters, "top_k", { min: 1, max: 1000 }) }),
    };
  },
  matchBody(body) {
    if (typeof body.inputs === "string" && /\[MASK\]|<mask>/.test(body.inputs)) return 2;
    return typeof body.inputs === "string" || Array.isArray(body.inputs) ? 1 : 0;
  },
  inputText: (inputs) => (Array.isArray(inputs) ? (inputs as string[]) : [inputs as string]),
};
