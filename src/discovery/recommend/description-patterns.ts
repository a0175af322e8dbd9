import { CLASSIFY_VERB, NOT_A_CRITERION } from "./lexicon.ts";

// The patterns a description is read with: sizes, memory and parameter counts with their units, and the
// labels or criterion of a "classify ..." clause. parse-description.ts applies them.

export const UNIT_BYTES: Record<string, number> = {
  kb: 1e3,
  kilobytes: 1e3,
  mb: 1e6,
  megabytes: 1e6,
  megabyte: 1e6,
  gb: 1e9,
  gigabytes: 1e9,
  gigabyte: 1e9,
  tb: 1e12,
};
export const UNIT_COUNT: Record<string, number> = { k: 1e3, m: 1e6, million: 1e6, b: 1e9, billion: 1e9 };

const LIMIT_WORDS =
  "(?:under|below|less than|smaller than|fewer than|lighter than|at most|max(?:imum)?|no (?:more|bigger|larger) than|not (?:more|bigger|larger) than|up to|within|<=?|≤)";
const NUMBER = "(\\d+(?:[.,]\\d+)?)";
const BYTE_UNIT = "(kb|mb|gb|tb|kilobytes?|megabytes?|gigabytes?)";

export const GPU_MEMORY_PATTERNS: RegExp[] = [
  new RegExp(`\\b${NUMBER}\\s*${BYTE_UNIT}\\s*(?:of\\s+)?(?:vram|gpu memory|video memory)\\b`),
  new RegExp(`\\b(?:gpu|graphics card|card)\\s+with\\s+${NUMBER}\\s*${BYTE_UNIT}\\b`),
  new RegExp(`\\b${NUMBER}\\s*${BYTE_UNIT}\\s+(?:gpu|graphics card|card)\\b`),
];
export const RAM_PATTERNS: RegExp[] = [
  new RegExp(`\\b${NUMBER}\\s*${BYTE_UNIT}\\s*(?:of\\s+)?(?:ram|memory|system memory)\\b`),
  new RegExp(`\\b(?:machine|server|computer|box|device)\\s+with\\s+${NUMBER}\\s*${BYTE_UNIT}\\b`),
];
export const SIZE_PATTERNS: RegExp[] = [
  new RegExp(`\\b${LIMIT_WORDS}\\s*${NUMBER}\\s*${BYTE_UNIT}(?![a-z])`),
  new RegExp(`\\b${NUMBER}\\s*${BYTE_UNIT}\\s*(?:or (?:less|smaller)|max(?:imum)?|at most)\\b`),
  new RegExp(
    `\\b(?:size|download|footprint|weights?)\\s+(?:of\\s+)?${LIMIT_WORDS}?\\s*${NUMBER}\\s*${BYTE_UNIT}\\b`,
  ),
];
export const PARAMETER_PATTERNS: RegExp[] = [
  new RegExp(`\\b${LIMIT_WORDS}\\s*${NUMBER}\\s*(k|m|b|million|billion)(?![a-z])\\s*(?:param(?:eter)?s?)?`),
  new RegExp(
    `\\b${NUMBER}\\s*(k|m|b|million|billion)(?![a-z])\\s*(?:param(?:eter)?s?\\s*)?(?:or (?:less|smaller|fewer)|max(?:imum)?|at most)\\b`,
  ),
];

export const number = (text: string) => Number(text.replace(",", "."));

/** Finds the first pattern that matches; its span is blanked so later patterns do not read it again. */
export function takeFirst(
  text: { value: string },
  patterns: RegExp[],
): { match: RegExpExecArray; phrase: string } | null {
  for (const pattern of patterns) {
    const match = pattern.exec(text.value);
    if (match) {
      text.value =
        text.value.slice(0, match.index) +
        " ".repeat(match[0].length) +
        text.value.slice(match.index + match[0].length);
      return { match, phrase: match[0].trim() };
    }
  }
  return null;
}

// "a/b/c", or "a, b or c" (a comma alone ends the list: "spam or not, commercial use").
const LABEL_LIST =
  "([a-z][\\w-]*(?:\\s*/\\s*[a-z][\\w-]*)+|[a-z][\\w-]*(?:, [a-z][\\w-]*)*,? (?:or|and) [a-z][\\w-]*)";
const LABELS_PATTERNS: RegExp[] = [
  // "into billing/technical/other", "into billing, technical or other"
  new RegExp(`\\b${CLASSIFY_VERB}\\b[^,.;:]{0,60}?\\binto\\s+${LABEL_LIST}`),
  // "as spam or not", "as positive, negative or neutral"
  new RegExp(`\\b${CLASSIFY_VERB}\\b[^,.;:]{0,60}?(?<!such )\\bas\\s+${LABEL_LIST}`),
];
const CRITERION_PATTERNS: RegExp[] = [
  // "by urgency", "by their topic", "according to the department"
  new RegExp(
    `\\b${CLASSIFY_VERB}\\b[^,.;:]{0,60}?\\b(?:by|according to|based on)\\s+(?:their |its |the |his |her )?([a-z][a-z-]*)`,
  ),
  // "into our own topics", "into custom categories"
  new RegExp(
    `\\b${CLASSIFY_VERB}\\b[^,.;:]{0,60}?\\binto\\s+(?:our own|our|my own|my|custom|their own|the team's)\\s+([a-z][a-z-]*)`,
  ),
];

/**
 * The labels or criterion a "classify ..." clause names: what the model's labels must be. "X or not" reads as
 * the labels X and "not X".
 */
export function readCriterion(
  lower: string,
): { phrase: string; classifyBy: string | null; labels: string[] } | null {
  for (const pattern of LABELS_PATTERNS) {
    const match = pattern.exec(lower);
    if (!match) continue;
    const labels = match[1]!.split(/\s*\/\s*|,? or |,? and |, /).filter(Boolean);
    const last = labels.length - 1;
    if (labels[last] === "not" && last > 0) labels[last] = `not ${labels[0]}`;
    const at = match[0].search(/\b(into|as)\s/);
    return { phrase: match[0].slice(at).trim(), classifyBy: null, labels };
  }
  for (const pattern of CRITERION_PATTERNS) {
    const match = pattern.exec(lower);
    // "by hand", "by hand-written rules": a means, not a criterion.
    if (!match || NOT_A_CRITERION.has(match[1]!.split("-")[0]!)) continue;
    const at = match[0].search(/\b(by|according to|based on|into)\s/);
    return { phrase: match[0].slice(at).trim(), classifyBy: match[1]!, labels: [] };
  }
  return null;
}
