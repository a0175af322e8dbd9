// The query mix of `bench:search`: a deterministic set of queries (text, typos, prefixes, exact ids, filters,
// ranges, sorts and combinations) that the own engine, the naive SQL path, the PostgreSQL row and the
// baselines all run.
import type { SearchModelsParams } from "../../src/discovery/index.ts";
import { seededRandom } from "../../src/hub/catalog/generate-catalog.ts";

const WORDS = ["llama", "qwen", "bert", "whisper", "sdxl", "mistral", "instruct", "chat", "gguf", "roberta"];
const TYPOS = ["lamma", "qwn", "bret", "wisper", "mistrall", "instrcut", "robera"];
const PREFIXES = ["lla", "qw", "whis", "inst", "deb", "mini", "tur"];
const TASKS = [
  "text-generation",
  "text-classification",
  "sentence-similarity",
  "automatic-speech-recognition",
  "text-to-image",
  "image-classification",
];
const LIBRARIES = ["transformers", "gguf", "peft", "sentence-transformers", "diffusers", "timm"];
const LICENSES = ["apache-2.0", "mit", "cc-by-nc-4.0", "llama3.1"];
const LANGUAGES = ["en", "zh", "fr", "de"];
export const SORTS = [
  "relevance",
  "trending",
  "downloads",
  "likes",
  "updated",
  "created",
  "parameters",
] as const;

/**
 * `count` queries over the catalog of `ids`, drawn from the catalog's seed + 1: about a third text, a third
 * filters, a third both, with every sort (12 kinds, in turn).
 */
export function makeQueries(ids: string[], params: { seed: number; count: number }): SearchModelsParams[] {
  const random = seededRandom(params.seed + 1);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const queries: SearchModelsParams[] = [];
  for (let n = 0; n < params.count; n++) {
    const query: SearchModelsParams = { sort: pick(SORTS), limit: 20 };
    const kind = n % 12;
    if (kind === 0) query.query = pick(WORDS);
    else if (kind === 1) query.query = `${pick(WORDS)} ${pick(WORDS)}`;
    else if (kind === 2) query.query = pick(TYPOS);
    else if (kind === 3) query.query = pick(PREFIXES);
    else if (kind === 4) query.query = ids[Math.floor(random() * ids.length)]!;
    else if (kind === 5) query.tasks = [pick(TASKS)];
    else if (kind === 6) {
      query.tasks = [pick(TASKS)];
      query.licenses = [pick(LICENSES)];
    } else if (kind === 7) {
      query.commercial = ["yes"];
      query.parametersMin = 1e8;
      query.parametersMax = 8e9;
      query.languages = [pick(LANGUAGES)];
    } else if (kind === 8) {
      query.query = pick(WORDS);
      query.libraries = [pick(LIBRARIES)];
    } else if (kind === 9) {
      query.query = pick(WORDS);
      query.tasks = [pick(TASKS)];
      query.commercial = ["yes"];
    } else if (kind === 10) {
      query.libraries = [pick(LIBRARIES)];
      query.gated = false;
    } else {
      // The whole catalog: the broadest facet pass there is.
      if (random() < 0.5) query.query = pick(WORDS);
    }
    if (query.sort === "relevance" && !query.query) query.sort = "downloads";
    queries.push(query);
  }
  return queries;
}
