import {
  countRecords,
  definedOnly,
  isRecord,
  optionalChoice,
  optionalInteger,
  type TaskDefinition,
  textOrTexts,
} from "./task-definition.ts";

/**
 * text-classification. Inputs: a text or a list of texts. Parameters: `top_k` (default: every label),
 * `function_to_apply` (`softmax`, `sigmoid` or `none`; default from the model config). Outputs: for one text
 * `[{label, score}]` best first; for a list, one such list per text. Long texts are truncated.
 */
export const textClassificationTask: TaskDefinition = {
  task: "text-classification",
  summary: "Labels a text with classes and their probabilities",
  truncates: true,
  outputUnit: "labels",
  countOutput: countRecords,
  parse(inputs, parameters) {
    return {
      inputs: textOrTexts(inputs),
      parameters: definedOnly({
        top_k: optionalInteger(parameters, "top_k", { min: 1, max: 100_000 }),
        function_to_apply: optionalChoice(parameters, "function_to_apply", ["softmax", "sigmoid", "none"]),
      }),
    };
  },
  matchBody(body) {
    const parameters = isRecord(body.parameters) ? body.parameters : {};
    if ("candidate_labels" in parameters) return 0;
    return typeof body.inputs === "string" || Array.isArray(body.inputs) ? 1 : 0;
  },
  // The Hub answers one list per input, and @huggingface/inference reads the first.
  toHubOutput(output) {
    return Array.isArray(output) && output.length > 0 && !Array.isArray(output[0]) ? [output] : output;
  },
  inputText: (inputs) => (Array.isArray(inputs) ? (inputs as string[]) : [inputs as string]),
};
