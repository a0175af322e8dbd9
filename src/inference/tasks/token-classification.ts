import {
  countRecords,
  definedOnly,
  isRecord,
  optionalChoice,
  optionalStrings,
  type TaskDefinition,
  textOrTexts,
} from "./task-definition.ts";

export const AGGREGATION_STRATEGIES = ["none", "simple", "first", "average", "max"] as const;

/**
 * token-classification (named entities). Inputs: a text or a list of texts. Parameters:
 * `aggregation_strategy` (`simple` by default: consecutive B-/I- tokens of one entity form one group; `none`
 * gives one entry per token with `entity` instead of `entity_group`; `first`, `average` and `max` are treated
 * as `simple`), `ignore_labels` (default `["O"]`). Outputs: `[{entity_group, score, word, start, end}]` with
 * character offsets into the text; for a list, one such list per text. Long texts are truncated.
 */
export const tokenClassificationTask: TaskDefinition = {
  task: "token-classification",
  summary: "Finds named entities (people, places...) in a text",
  truncates: true,
  outputUnit: "entities",
  countOutput: countRecords,
  parse(inputs, parameters) {
    return {
      inputs: textOrTexts(inputs),
      parameters: definedOnly({
        aggregation_strategy: optionalChoice(parameters, "aggregation_strategy", AGGREGATION_STRATEGIES),
        ignore_labels: optionalStrings(parameters, "ignore_labels"),
      }),
    };
  },
  matchBody(body) {
    const parameters = isRecord(body.parameters) ? body.parameters : {};
    if ("aggregation_strategy" in parameters || "ignore_labels" in parameters) return 2;
    return typeof body.inputs === "string" || Array.isArray(body.inputs) ? 1 : 0;
  },
  inputText: (inputs) => (Array.isArray(inputs) ? (inputs as string[]) : [inputs as string]),
};
