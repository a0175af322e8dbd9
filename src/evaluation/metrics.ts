import type { LabelScores } from "../core/catalog-types.ts";

export interface ClassificationScores {
  accuracy: number;
  /** Unweighted mean of the per-label F1 over every label that is gold or predicted (scikit-learn's macro). */
  macroF1: number;
  labels: string[];
  perLabel: Record<string, LabelScores>;
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
const harmonic = (precision: number, recall: number) =>
  precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);

/** Accuracy and macro-F1 of predicted labels against gold labels (same length, same order). */
export function scoreClassification(
  gold: readonly string[],
  predicted: readonly string[],
): ClassificationScores {
  const labels = [...new Set([...gold, ...predicted])].sort();
  const perLabel: Record<string, LabelScores> = {};
  for (const label of labels) {
    let truePositives = 0;
    let goldCount = 0;
    let predictedCount = 0;
    gold.forEach((expected, index) => {
      const answer = predicted[index];
      if (expected === label) goldCount++;
      if (answer === label) predictedCount++;
      if (expected === label && answer === label) truePositives++;
    });
    const precision = ratio(truePositives, predictedCount);
    const recall = ratio(truePositives, goldCount);
    perLabel[label] = { precision, recall, f1: harmonic(precision, recall), support: goldCount };
  }
  const correct = gold.filter((expected, index) => expected === predicted[index]).length;
  const f1s = labels.map((label) => perLabel[label]!.f1);
  return {
    accuracy: ratio(correct, gold.length),
    macroF1: ratio(
      f1s.reduce((total, value) => total + value, 0),
      f1s.length,
    ),
    labels,
    perLabel,
  };
}

/** One entity: its type and the first and last word it covers. */
export interface EntitySpan {
  type: string;
  start: number;
  end: number;
}

const spanKey = (span: EntitySpan) => `${span.type}\u0000${span.start}\u0000${span.end}`;

/**
 * Entities of per-word tags in the IOB2, IOB1, BIOES or plain IO schemes, read leniently as seqeval does by
 * default: an I- tag after O or after another type starts an entity.
 */
export function entitiesOfTags(tags: readonly string[]): EntitySpan[] {
  const spans: EntitySpan[] = [];
  let open: { type: string; start: number } | undefined;
  const close = (end: number) => {
    if (open) spans.push({ type: open.type, start: open.start, end });
    open = undefined;
  };
  tags.forEach((tag, index) => {
    if (tag === "O" || tag === "") {
      close(index - 1);
      return;
    }
    const match = /^([BIESLU])[-_](.+)$/.exec(tag);
    const prefix = match?.[1] ?? "I";
    const type = match?.[2] ?? tag;
    const begins = prefix === "B" || prefix === "S" || prefix === "U" || !open || open.type !== type;
    if (begins) {
      close(index - 1);
      open = { type, start: index };
    }
    if (prefix === "E" || prefix === "S" || prefix === "L" || prefix === "U") close(index);
  });
  close(tags.length - 1);
  return spans;
}

export interface EntityScores {
  precision: number;
  recall: number;
  f1: number;
  perType: Record<string, LabelScores>;
  types: string[];
}

/** Entity-level precision, recall and F1: a predicted entity counts only with exactly the gold type and words. */
export function scoreEntities(
  gold: ReadonlyArray<readonly EntitySpan[]>,
  predicted: ReadonlyArray<readonly EntitySpan[]>,
): EntityScores {
  const counts = new Map<string, { correct: number; gold: number; predicted: number }>();
  const count = (type: string) => {
    const entry = counts.get(type) ?? { correct: 0, gold: 0, predicted: 0 };
    counts.set(type, entry);
    return entry;
  };
  gold.forEach((expected, index) => {
    const wanted = new Set(expected.map(spanKey));
    for (const span of expected) count(span.type).gold++;
    for (const span of predicted[index] ?? []) {
      const entry = count(span.type);
      entry.predicted++;
      if (wanted.has(spanKey(span))) entry.correct++;
    }
  });
  const types = [...counts.keys()].sort();
  const perType: Record<string, LabelScores> = {};
  let correct = 0;
  let goldTotal = 0;
  let predictedTotal = 0;
  for (const type of types) {
    const entry = counts.get(type)!;
    correct += entry.correct;
    goldTotal += entry.gold;
    predictedTotal += entry.predicted;
    const precision = ratio(entry.correct, entry.predicted);
    const recall = ratio(entry.correct, entry.gold);
    perType[type] = { precision, recall, f1: harmonic(precision, recall), support: entry.gold };
  }
  const precision = ratio(correct, predictedTotal);
  const recall = ratio(correct, goldTotal);
  return { precision, recall, f1: harmonic(precision, recall), perType, types };
}

/**
 * The words a predicted entity covers, from its character offsets into `words.join(" ")`: every word that
 * overlaps the offsets. Null when it covers none (offsets past the text).
 */
export function wordsOfCharacterSpan(
  words: readonly string[],
  start: number,
  end: number,
): { start: number; end: number } | null {
  let first = -1;
  let last = -1;
  let offset = 0;
  words.forEach((word, index) => {
    const wordEnd = offset + word.length;
    if (wordEnd > start && offset < end) {
      if (first === -1) first = index;
      last = index;
    }
    offset = wordEnd + 1;
  });
  return first === -1 ? null : { start: first, end: last };
}
