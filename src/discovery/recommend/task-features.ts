import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Text features for the task model: word stems, the general words a thesaurus reads into specific ones,
 * pairs of neighbouring stems, the words a description says it turns something "into", works "from" or
 * does "without", and character 4-grams of each word, so a word never seen in training still shares pieces
 * with words that were ("transcriber" with "transcribe", "radiographs" with "photographs"). Feature names
 * are strings; the model maps the ones it learned to indices.
 */

/** Words that carry no task: they are dropped before stems and pairs are formed. */
const STOP_WORDS = new Set(
  (
    "a an and are as at be been being but by can could do does did for from had has have he her his how i if in " +
    "into is it its itself me my of on or our ours out over so some such than that the their them then there " +
    "these they this those through to too up us very was we were what when where which while who whom why " +
    "will with would you your yours also just only each every any all both either please thanks thank like " +
    "want wants wanted need needs needed would should must may might shall let lets get gets got make makes " +
    "using use used able way something someone thing things lot lots one ones etc e g ie eg via per about " +
    "am im i'm we're we'd i'd it's don't dont"
  ).split(" "),
);

/**
 * Words after which the next content words name what the job produces or starts from, or what it does
 * without ("no prompt", "without training data"): the same word means something else on either side.
 */
const DIRECTION_WORDS: Record<string, string> = {
  into: "to",
  to: "to",
  as: "to",
  from: "from",
  out: "from",
  without: "not",
  no: "not",
  not: "not",
  never: "not",
  nobody: "not",
  cannot: "not",
  cant: "not",
  // "don't", "isn't": the "t" is a word of its own.
  don: "not",
  doesn: "not",
  didn: "not",
  isn: "not",
  aren: "not",
  wasn: "not",
  shouldn: "not",
};

/** British and American spellings meet: "summarise" and "summarize", "colourise" and "colorize". */
function americanSpelling(word: string): string {
  return word
    .replace(/isation(s?)$/, "ization$1")
    .replace(/is(e|es|ed|ing|er|ers)$/, (match, ending: string) => (word.length > 6 ? `iz${ending}` : match))
    .replace(/our(s|ed|ing|ize|izes|ized|izing|ful)?$/, (match, ending = "") =>
      word.length > 5 ? `or${ending}` : match,
    );
}

/** Suffixes stripped by the stemmer, longest first; the stem keeps at least three letters. */
const SUFFIXES = [
  "izations",
  "ications",
  "ization",
  "ication",
  "ational",
  "ations",
  "nesses",
  "ation",
  "izing",
  "izers",
  "ness",
  "ings",
  "izer",
  "ized",
  "izes",
  "ions",
  "iers",
  "ment",
  "ing",
  "ion",
  "ize",
  "ier",
  "ied",
  "ies",
  "ers",
  "ors",
  "ous",
  "ive",
  "ful",
  "ed",
  "er",
  "or",
  "es",
  "ly",
  "al",
  "ic",
  "y",
  "s",
  "e",
];

/** A light suffix-stripping stemmer: "transcribes", "transcribed" and "transcribing" share "transcrib". */
export function stem(word: string): string {
  const lower = americanSpelling(word.toLowerCase());
  if (lower.length <= 4 || /\d/.test(lower)) return lower;
  for (const suffix of SUFFIXES) {
    if (!lower.endsWith(suffix)) continue;
    const root = lower.slice(0, -suffix.length);
    if (root.length < 3 || !/[aeiouy]/.test(root)) continue;
    if (suffix === "s" && /(ss|us|is)$/.test(lower)) return lower;
    // "running" → "run", "mapped" → "map"; "fill" and "class" keep their double letters.
    if (/^(ing|ed|er|ers|ings)$/.test(suffix) && /([^aeioulsz])\1$/.test(root)) return root.slice(0, -1);
    return root;
  }
  return lower;
}

export const THESAURUS_PATH = fileURLToPath(
  new URL("../../../data/recommend-train/thesaurus.json", import.meta.url),
);

interface ThesaurusFile {
  groups: Array<{ means: string[]; words: string[] }>;
}

/** Stem (or two stems joined by a space) → stems of the general words it means. */
function readThesaurus(): Map<string, string[]> {
  const file = JSON.parse(readFileSync(THESAURUS_PATH, "utf8")) as ThesaurusFile;
  const meanings = new Map<string, Set<string>>();
  for (const group of file.groups) {
    const general = group.means.flatMap((phrase) => words(phrase).map(({ word }) => stem(word)));
    for (const phrase of group.words) {
      const key = words(phrase)
        .map(({ word }) => stem(word))
        .join(" ");
      const set = meanings.get(key) ?? new Set<string>();
      for (const word of general) if (word !== key) set.add(word);
      meanings.set(key, set);
    }
  }
  return new Map([...meanings].map(([key, set]) => [key, [...set]]));
}

const THESAURUS = readThesaurus();

/** A word of a text and where it is, so a feature can quote the words it came from. */
interface Word {
  word: string;
  start: number;
  end: number;
}

/** Words of letters and digits; "x-ray" and "e-mail" stay one word (a single letter joined by a hyphen). */
function words(text: string): Word[] {
  const found: Word[] = [];
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const start = match.index;
    const end = start + match[0].length;
    const previous = found[found.length - 1];
    if (previous && previous.word.length === 1 && previous.end + 1 === start && text[previous.end] === "-") {
      previous.word += match[0].toLowerCase();
      previous.end = end;
      continue;
    }
    found.push({ word: match[0].toLowerCase(), start, end });
  }
  return found;
}

/** How much each kind of feature weighs in a description's vector (each kind is normalised apart). */
export interface FeatureWeights {
  words: number;
  /** General words the thesaurus reads into specific ones ("mammogram" → image, scan, medical). */
  related: number;
  pairs: number;
  directions: number;
  characters: number;
}

export const DEFAULT_FEATURE_WEIGHTS: FeatureWeights = {
  words: 1,
  related: 0.5,
  pairs: 0.5,
  directions: 0.5,
  characters: 0.3,
};

/** Character 4-grams of a word with its boundaries (`<ocr>` → `<ocr`, `ocr>`). */
function characterGrams(word: string): string[] {
  const marked = `<${word}>`;
  const grams: string[] = [];
  for (let at = 0; at + 4 <= marked.length; at++) grams.push(marked.slice(at, at + 4));
  return grams;
}

/** Scales a group of features to unit length, times its weight, into `out`. */
function addNormalised(out: Map<string, number>, group: Map<string, number>, weight: number): void {
  if (weight === 0 || group.size === 0) return;
  let norm = 0;
  for (const value of group.values()) norm += value * value;
  const scale = weight / Math.sqrt(norm);
  for (const [name, value] of group) out.set(name, (out.get(name) ?? 0) + value * scale);
}

/** The features of a text before weighting, each with the spans of the words that produced it. */
interface RawFeatures {
  groups: Record<keyof FeatureWeights, Map<string, number>>;
  spans: Map<string, Array<[number, number]>>;
}

function rawFeatures(text: string, withSpans: boolean): RawFeatures {
  const groups = {
    words: new Map<string, number>(),
    related: new Map<string, number>(),
    pairs: new Map<string, number>(),
    directions: new Map<string, number>(),
    characters: new Map<string, number>(),
  };
  const spans = new Map<string, Array<[number, number]>>();
  const add = (group: keyof FeatureWeights, name: string, start: number, end: number) => {
    groups[group].set(name, (groups[group].get(name) ?? 0) + 1);
    if (!withSpans) return;
    const list = spans.get(name) ?? [];
    list.push([start, end]);
    spans.set(name, list);
  };
  let previous: { root: string; start: number } | null = null;
  let direction: { kind: string; left: number; start: number } | null = null;
  for (const { word, start, end } of words(text)) {
    const kind = DIRECTION_WORDS[word];
    if (kind) {
      direction = { kind, left: 2, start };
      continue;
    }
    if (STOP_WORDS.has(word) || word.length < 2) continue;
    const root = stem(word);
    add("words", `w:${root}`, start, end);
    for (const general of THESAURUS.get(root) ?? []) add("related", `w:${general}`, start, end);
    if (previous !== null) {
      add("pairs", `p:${previous.root}_${root}`, previous.start, end);
      for (const general of THESAURUS.get(`${previous.root} ${root}`) ?? []) {
        add("related", `w:${general}`, previous.start, end);
      }
    }
    previous = { root, start };
    if (direction && direction.left > 0) {
      add("directions", `${direction.kind}:${root}`, direction.start, end);
      direction.left--;
    }
    if (!/\d/.test(word)) for (const gram of characterGrams(word)) add("characters", `c:${gram}`, start, end);
  }
  return { groups, spans };
}

/** The named features of a text, each group normalised to its weight. */
export function textFeatures(
  text: string,
  weights: FeatureWeights = DEFAULT_FEATURE_WEIGHTS,
): Map<string, number> {
  const { groups } = rawFeatures(text, false);
  const out = new Map<string, number>();
  for (const group of Object.keys(groups) as Array<keyof FeatureWeights>) {
    addNormalised(out, groups[group], weights[group]);
  }
  return out;
}

/**
 * For each feature of a text, the phrases it was read from (to explain a decision), quoted from `quoteFrom`
 * at the same offsets: the text a model read may have had words blanked out.
 */
export function featurePhrases(params: { text: string; quoteFrom?: string }): Map<string, string[]> {
  const { spans } = rawFeatures(params.text, true);
  const source = params.quoteFrom ?? params.text;
  return new Map(
    [...spans].map(([feature, list]) => [
      feature,
      [...new Set(list.map(([start, end]) => source.slice(start, end)))],
    ]),
  );
}
