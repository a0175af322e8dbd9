import type { Hangar } from "../../src/hangar.ts";
import { importFiles } from "./test-hangar.ts";
import { tinyClassifierFiles, tinySentimentOf } from "./tiny-models.ts";

/** Each member knows the sentiment of two words only: one slot of every sentence. */
export const ENSEMBLE_SLOTS = [
  { member: "tests/member-a", positive: "good", negative: "bad" },
  { member: "tests/member-b", positive: "great", negative: "awful" },
  { member: "tests/member-c", positive: "love", negative: "hate" },
];
const FILLERS = ["the film", "this movie", "the plot was it"];

export interface LabelledExample {
  text: string;
  label: "POSITIVE" | "NEGATIVE";
}

/**
 * Every sign of the three slots, with three fillers: the truth is the majority of the slots' signs, so
 * each member is right on 3/4 of the set and a majority of the three on all of it.
 */
export function labelledSet(): LabelledExample[] {
  const examples: LabelledExample[] = [];
  for (let signs = 0; signs < 8; signs++) {
    const words = ENSEMBLE_SLOTS.map((slot, index) => ((signs >> index) & 1 ? slot.positive : slot.negative));
    const positives = ENSEMBLE_SLOTS.filter((_, index) => (signs >> index) & 1).length;
    for (const filler of FILLERS) {
      examples.push({
        text: `${words.join(" ")} ${filler}`,
        label: positives >= 2 ? "POSITIVE" : "NEGATIVE",
      });
    }
  }
  return examples;
}

/** Commits the three members, each a tiny classifier that knows only its slot's two words. */
export async function importEnsembleMembers(hangar: Hangar): Promise<void> {
  for (const slot of ENSEMBLE_SLOTS) {
    const known = new Set([slot.positive, slot.negative]);
    await importFiles(
      hangar,
      slot.member,
      tinyClassifierFiles((word) => (known.has(word) ? tinySentimentOf(word) : 0)),
    );
  }
}

/** Share of `labels` equal to the examples' labels, in order. */
export function accuracyOn(examples: LabelledExample[], labels: string[]): number {
  return labels.filter((label, index) => label === examples[index]!.label).length / examples.length;
}
