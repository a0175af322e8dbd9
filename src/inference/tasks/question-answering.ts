import { badRequest } from "../../core/errors.ts";
import {
  countRecords,
  definedOnly,
  isRecord,
  optionalInteger,
  requireText,
  type TaskDefinition,
} from "./task-definition.ts";

/**
 * question-answering (extractive). Inputs: `{question, context}`. Parameters: `top_k` (default 1).
 * Outputs: `{answer, score, start, end}` (character offsets into the context), or a list of `top_k` of them.
 * Contexts over the model's limit are refused (413): a cut context could lose the answer.
 */
export const questionAnsweringTask: TaskDefinition = {
  task: "question-answering",
  summary: "Finds the answer to a question in a context text",
  truncates: false,
  outputUnit: "answers",
  countOutput: countRecords,
  parse(inputs, parameters) {
    if (!isRecord(inputs)) throw badRequest('"inputs" must be an object {question, context}');
    return {
      inputs: {
        question: requireText(inputs.question, "inputs.question"),
        context: requireText(inputs.context, "inputs.context"),
      },
      parameters: definedOnly({ top_k: optionalInteger(parameters, "top_k", { min: 1, max: 100 }) }),
    };
  },
  matchBody(body) {
    return isRecord(body.inputs) && "question" in body.inputs && "context" in body.inputs ? 2 : 0;
  },
  inputText: (inputs) => {
    const value = inputs as { question: string; context: string };
    return [value.question, value.context];
  },
};
