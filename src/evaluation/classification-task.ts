import { badRequest, HangarError } from "../core/errors.ts";
import { classIdsNote, requireClassName } from "./class-names.ts";
import {
  cellText,
  type EvaluationTask,
  type TaskInput,
  type TaskOutcome,
  usableExamples,
} from "./evaluation-task.ts";
import { scoreClassification } from "./metrics.ts";

interface LabelledText {
  text: string;
  label: string;
}

const TEXT_COLUMNS = ["text", "sentence", "content", "review", "document"];
const LABEL_COLUMNS = ["label", "labels", "class", "category", "sentiment"];

/**
 * The usable rows as texts with label names; `notes` says when the labels were class ids that the dataset
 * card names (see class-names.ts).
 */
function labelledTexts(input: TaskInput, notes: string[]) {
  const names = input.classNames;
  let idsNamed = false;
  const usable = usableExamples<LabelledText>(input, (row, rowNumber) => {
    const text = cellText(row[input.textColumn]);
    const cell = cellText(row[input.labelColumn]);
    if (text === null || cell === null) return null;
    let label = cell.trim();
    if (names && /^\d+$/.test(label)) {
      label = requireClassName(
        names,
        label,
        `${input.path}, row ${rowNumber}: label ${label} in ${input.labelColumn}`,
      );
      idsNamed = true;
    }
    return { text, label };
  });
  if (idsNamed) notes.push(classIdsNote("label", names!));
  return usable;
}

/** The best label of a classification answer, `[{label, score}, ...]` best first. */
function rankedLabels(output: unknown, model: string): string[] {
  if (
    !Array.isArray(output) ||
    output.length === 0 ||
    !output.every((entry) => typeof entry === "object" && entry !== null && typeof entry.label === "string")
  ) {
    throw new HangarError(
      "HANGAR_ERR_INTERNAL",
      `${model} answered without labels: ${JSON.stringify(output)}`,
    );
  }
  return output.map((entry) => entry.label as string);
}

const list = (labels: Iterable<string>) => [...labels].join(", ");

/**
 * How gold labels are compared with the model's: exactly when they share a label, ignoring case when only
 * that makes them meet (a dataset's `positive` is a model's `POSITIVE`). Labels that never meet are a 400:
 * every answer would count as wrong, which measures the label names rather than the model.
 */
function labelMatching(gold: Set<string>, modelLabels: string[], notes: string[]): (label: string) => string {
  const exact = modelLabels.filter((label) => gold.has(label));
  if (exact.length > 0) {
    const unknown = [...gold].filter((label) => !modelLabels.includes(label));
    if (unknown.length > 0) notes.push(`gold labels the model never predicts: ${list(unknown)}`);
    return (label) => label;
  }
  const lowerGold = new Set([...gold].map((label) => label.toLowerCase()));
  if (modelLabels.some((label) => lowerGold.has(label.toLowerCase()))) {
    notes.push("labels compared ignoring case: the dataset and the model spell them differently");
    return (label) => label.toLowerCase();
  }
  throw badRequest(
    `The dataset's labels (${list([...gold].sort())}) are none of the model's labels (${list([...modelLabels].sort())}): ` +
      "choose the label column that holds the model's label names",
  );
}

async function scoreTexts(
  input: TaskInput,
  examples: LabelledText[],
  parameters: Record<string, unknown>,
  notes: string[],
): Promise<{ gold: string[]; predicted: string[] }> {
  const goldLabels = new Set(examples.map((example) => example.label));
  let normalise: ((label: string) => string) | undefined;
  const gold: string[] = [];
  const predicted: string[] = [];
  for (const [index, example] of examples.entries()) {
    const ranked = rankedLabels(await input.predict(example.text, parameters), "The model");
    normalise ??= labelMatching(goldLabels, ranked, notes);
    gold.push(normalise(example.label));
    predicted.push(normalise(ranked[0]!));
    input.onProgress?.(index + 1, examples.length);
  }
  return { gold, predicted };
}

function outcome(gold: string[], predicted: string[], skippedRows: number, notes: string[]): TaskOutcome {
  const scores = scoreClassification(gold, predicted);
  return {
    examples: gold.length,
    skippedRows,
    metrics: { accuracy: scores.accuracy, f1_macro: scores.macroF1 },
    details: {
      labels: scores.labels,
      perLabel: scores.perLabel,
      notes: [
        "accuracy = share of examples whose best label is the gold label",
        "f1_macro = mean of the per-label F1 over every gold or predicted label",
        ...notes,
      ],
    },
  };
}

/** text-classification: the model's best label against the gold label, one request per example. */
export const textClassificationEvaluation: EvaluationTask = {
  task: "text-classification",
  textColumns: TEXT_COLUMNS,
  labelColumns: LABEL_COLUMNS,
  columnsHelp: "a text column and a label column holding the model's label names",
  async run(input) {
    const notes: string[] = [];
    const { examples, skippedRows } = labelledTexts(input, notes);
    const { gold, predicted } = await scoreTexts(input, examples, {}, notes);
    return outcome(gold, predicted, skippedRows, notes);
  },
};

/**
 * zero-shot-classification: the candidate labels are every gold label of the examples, so the model picks
 * among the dataset's own classes.
 */
export const zeroShotClassificationEvaluation: EvaluationTask = {
  task: "zero-shot-classification",
  textColumns: TEXT_COLUMNS,
  labelColumns: LABEL_COLUMNS,
  columnsHelp: "a text column and a label column; the label names become the candidate labels",
  async run(input) {
    const notes: string[] = [];
    const { examples, skippedRows } = labelledTexts(input, notes);
    const candidates = [...new Set(examples.map((example) => example.label))].sort();
    if (candidates.length < 2) {
      throw badRequest(
        `Zero-shot evaluation needs at least 2 labels to choose from; ${input.path} has only ${list(candidates)}`,
      );
    }
    notes.push(`candidate labels: ${list(candidates)}`);
    const { gold, predicted } = await scoreTexts(input, examples, { candidate_labels: candidates }, notes);
    return outcome(gold, predicted, skippedRows, notes);
  },
};
