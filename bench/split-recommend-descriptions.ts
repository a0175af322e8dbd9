/**
 * Splits `data/recommend/descriptions.jsonl` into the tuning and test sets beside it, by a fixed seed:
 * `node --import tsx bench/split-recommend-descriptions.ts` writes `tune.jsonl` and `test.jsonl` (both
 * committed; `test/unit/recommend-split.test.ts` checks that they are what this split gives). The seed picks
 * the writing styles of the tuning set, so that every test description is worded in a style the tuning set
 * does not have; the five requests quoted in issue 19 (style `issue`) always go to the test set.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shuffle } from "../src/discovery/recommend/train-sparse-softmax.ts";
import { seededRandom } from "../src/hub/catalog/generate-catalog.ts";

export const DESCRIPTIONS_DIRECTORY = join(import.meta.dirname, "..", "data", "recommend");
export const SPLIT_SEED = 19;
/** How many of the writing styles go to the tuning set. */
const TUNING_STYLES = 2;

export interface DescriptionItem {
  id: string;
  task: string;
  accept?: string[];
  style: string;
  description: string;
}

export function readDescriptions(file: string): DescriptionItem[] {
  return readFileSync(join(DESCRIPTIONS_DIRECTORY, file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as DescriptionItem);
}

export function splitDescriptions(items: DescriptionItem[]): {
  tune: DescriptionItem[];
  test: DescriptionItem[];
} {
  const styles = [...new Set(items.map((item) => item.style))].filter((style) => style !== "issue").sort();
  const tuning = new Set(shuffle(styles, seededRandom(SPLIT_SEED)).slice(0, TUNING_STYLES));
  return {
    tune: items.filter((item) => tuning.has(item.style)),
    test: items.filter((item) => !tuning.has(item.style)),
  };
}

export const toJsonLines = (items: DescriptionItem[]) =>
  items.map((item) => `${JSON.stringify(item)}\n`).join("");

if (process.argv[1] === import.meta.filename) {
  const { tune, test } = splitDescriptions(readDescriptions("descriptions.jsonl"));
  writeFileSync(join(DESCRIPTIONS_DIRECTORY, "tune.jsonl"), toJsonLines(tune));
  writeFileSync(join(DESCRIPTIONS_DIRECTORY, "test.jsonl"), toJsonLines(test));
  const styles = (of: DescriptionItem[]) => [...new Set(of.map((item) => item.style))].join(", ");
  process.stdout.write(`tune: ${tune.length} (${styles(tune)}); test: ${test.length} (${styles(test)})\n`);
}
