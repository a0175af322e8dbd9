import { badRequest, HangarError } from "../../core/errors.ts";
import {
  countRecords,
  definedOnly,
  isRecord,
  MAX_INPUT_CHARACTERS,
  optionalBoolean,
  requireText,
  type TaskDefinition,
} from "./task-definition.ts";

/**
 * zero-shot-classification (an NLI model scores each label as a hypothesis). Inputs: a text. Parameters:
 * `candidate_labels` (required, a list of labels), `multi_label` (default false), `hypothesis_template`
 * (default `This example is {}.`). Outputs: `[{label, score}]` best first. Each label is one
 * (text, hypothesis) pair; every pair of a request, and of the requests batched with it, goes through the
 * model in one call.
 */
export const zeroShotClassificationTask: TaskDefinition = {
  task: "zero-shot-classification",
  summary: "Scores a text against labels given with the request",
  truncates: true,
  outputUnit: "labels",
  countOutput: countRecords,
  parse(inputs, parameters) {
    const labels = parameters.candidate_labels;
    const list = typeof labels === "string" ? labels.split(",").map((label) => label.trim()) : labels;
    if (!Array.isArray(list) || list.length === 0 || !list.every((l) => typeof l === "string" && l)) {
      throw badRequest('"parameters.candidate_labels" is required: a non-empty list of labels');
    }
    const template = parameters.hypothesis_template;
    if (template !== undefined && (typeof template !== "string" || !template.includes("{}"))) {
      throw badRequest('"parameters.hypothesis_template" must be a string holding "{}"');
    }
    // The text is read once per label, so the characters to read grow with both.
    const text = requireText(inputs, "inputs");
    const characters = list.reduce((sum: number, label: string) => sum + text.length + label.length, 0);
    if (characters > MAX_INPUT_CHARACTERS) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `The text is read once per candidate label: ${list.length} labels make ${characters} characters, over the ${MAX_INPUT_CHARACTERS} a request may send`,
      );
    }
    return {
      inputs: text,
      parameters: definedOnly({
        candidate_labels: list as string[],
        multi_label: optionalBoolean(parameters, "multi_label"),
        hypothesis_template: template,
      }),
    };
  },
  matchBody(body) {
    return isRecord(body.parameters) && "candidate_labels" in body.parameters ? 2 : 0;
  },
  inputText: (inputs) => [inputs as string],
};
