import { badRequest } from "../../core/errors.ts";
import { isRecord, requireText, type TaskDefinition } from "./task-definition.ts";

/**
 * sentence-similarity. Inputs: `{source_sentence, sentences: [...]}`. No parameters. Outputs: one cosine
 * similarity per sentence, in order. Long texts are truncated.
 */
export const sentenceSimilarityTask: TaskDefinition = {
  task: "sentence-similarity",
  summary: "Scores how close sentences are to a source sentence",
  truncates: true,
  outputUnit: "scores",
  countOutput: (output) => (Array.isArray(output) ? output.length : 0),
  parse(inputs) {
    if (!isRecord(inputs)) {
      throw badRequest('"inputs" must be an object {source_sentence, sentences}');
    }
    const source = requireText(inputs.source_sentence, "inputs.source_sentence");
    const sentences = inputs.sentences;
    if (
      !Array.isArray(sentences) ||
      sentences.length === 0 ||
      !sentences.every((s) => typeof s === "string")
    ) {
      throw badRequest('"inputs.sentences" must be a non-empty list of strings');
    }
    return { inputs: { source_sentence: source, sentences: sentences as string[] }, parameters: {} };
  },
  matchBody(body) {
    return isRecord(body.inputs) && "source_sentence" in body.inputs ? 2 : 0;
  },
  inputText: (inputs) => {
    const value = inputs as { source_sentence: string; sentences: string[] };
    return [value.source_sentence, ...value.sentences];
  },
};
