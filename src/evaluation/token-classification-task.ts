import { badRequest, HangarError } from "../core/errors.ts";
import { classIdsNote, requireClassName } from "./class-names.ts";
import { type EvaluationTask, type TaskInput, usableExamples } from "./evaluation-task.ts";
import { type EntitySpan, entitiesOfTags, scoreEntities, wordsOfCharacterSpan } from "./metrics.ts";

interface TaggedWords {
  words: string[];
  tags: string[];
}

/** A list cell: a JSON list, or a string of whitespace-separated items (CSV). */
function listCell(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return value.trim() === "" ? [] : value.trim().split(/\s+/);
  return null;
}

/** Whether a row's tags are class ids: numbers (JSON), or only digits (a CSV cell). */
function areClassIds(tags: unknown[]): boolean {
  return (
    tags.some((tag) => typeof tag === "number") ||
    (tags.length > 0 && tags.every((tag) => typeof tag === "string" && /^\d+$/.test(tag)))
  );
}

function taggedWords(input: TaskInput) {
  const { textColumn, labelColumn, path, classNames } = input;
  let idsNamed = false;
  const tagNames = (tags: unknown[], rowNumber: number): unknown[] => {
    if (!areClassIds(tags)) return tags;
    if (!classNames) {
      if (tags.every((tag) => typeof tag === "string")) return tags;
      throw badRequest(
        `${path}, row ${rowNumber}: ${labelColumn} holds class ids (numbers) and the dataset card names no classes for it (dataset_info features); Hangar needs tag names such as B-PER, I-PER, O`,
      );
    }
    idsNamed = true;
    return tags.map((tag) =>
      requireClassName(
        classNames,
        tag,
        `${path}, row ${rowNumber}: ${JSON.stringify(tag)} in ${labelColumn}`,
      ),
    );
  };
  const usable = usableExamples<TaggedWords>(input, (row, rowNumber) => {
    const words = listCell(row[textColumn]);
    const cell = listCell(row[labelColumn]);
    if (words === null || cell === null || words.length === 0) return null;
    if (!words.every((word) => typeof word === "string" && word !== "")) {
      throw badRequest(`${path}, row ${rowNumber}: ${textColumn} must be a list of words (strings)`);
    }
    const tags = tagNames(cell, rowNumber);
    if (!tags.every((tag) => typeof tag === "string")) {
      throw badRequest(`${path}, row ${rowNumber}: ${labelColumn} must be a list of tag names`);
    }
    if (tags.length !== words.length) {
      throw badRequest(
        `${path}, row ${rowNumber}: ${words.length} words in ${textColumn} but ${tags.length} tags in ${labelColumn}`,
      );
    }
    return { words: words as string[], tags: tags as string[] };
  });
  return { ...usable, idsNamed };
}

/** The entities a model found, as word spans of the sentence it was given (the words joined by spaces). */
function predictedEntities(output: unknown, words: string[]): EntitySpan[] {
  if (!Array.isArray(output)) {
    throw new HangarError(
      "HANGAR_ERR_INTERNAL",
      `The model answered without entities: ${JSON.stringify(output)}`,
    );
  }
  const spans: EntitySpan[] = [];
  for (const entity of output as Array<Record<string, unknown>>) {
    const group = entity.entity_group ?? entity.entity;
    if (typeof group !== "string" || typeof entity.start !== "number" || typeof entity.end !== "number")
      continue;
    const covered = wordsOfCharacterSpan(words, entity.start, entity.end);
    if (covered) spans.push({ type: group.replace(/^[BIESLU][-_]/, ""), ...covered });
  }
  return spans;
}

/**
 * token-classification (named entities): each sentence's words joined by spaces go to the model, whose
 * entity groups (character offsets) are mapped back to words. Entity-level F1 as seqeval computes it: an
 * entity counts only with exactly the gold type and words.
 */
export const tokenClassificationEvaluation: EvaluationTask = {
  task: "token-classification",
  textColumns: ["tokens", "words"],
  labelColumns: ["ner_tags", "tags", "labels", "label"],
  columnsHelp:
    "a column of word lists and a column of tag-name lists (IOB2 such as B-PER, I-PER, O), one tag per word; JSON Lines, or space-separated in CSV",
  async run(input) {
    const { examples, skippedRows, idsNamed } = taggedWords(input);
    const gold: EntitySpan[][] = [];
    const predicted: EntitySpan[][] = [];
    for (const [index, example] of examples.entries()) {
      const output = await input.predict(example.words.join(" "), { aggregation_strategy: "simple" });
      gold.push(entitiesOfTags(example.tags));
      predicted.push(predictedEntities(output, example.words));
      input.onProgress?.(index + 1, examples.length);
    }
    const scores = scoreEntities(gold, predicted);
    return {
      examples: examples.length,
      skippedRows,
      metrics: { f1: scores.f1, precision: scores.precision, recall: scores.recall },
      details: {
        labels: scores.types,
        perLabel: scores.perType,
        notes: [
          ...(idsNamed ? [classIdsNote("tag", input.classNames!)] : []),
          "entity-level precision, recall and F1 (micro over entities): a predicted entity counts only with the gold type and exactly the gold words",
          "each sentence is sent as its words joined by single spaces; entity groups are mapped back to the words they overlap",
        ],
      },
    };
  },
};
