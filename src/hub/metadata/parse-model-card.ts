import { metadataWorker } from "./metadata-worker.ts";

export interface ParsedModelCard {
  /** The YAML front matter as an object (empty when there is none). */
  data: Record<string, unknown>;
  /** The card text after the front matter. */
  text: string;
  /** Problems found; a malformed card is reported, never fatal. */
  warnings: string[];
}

/**
 * Card metadata is read up to this size. The largest cards in use (benchmark results in `model-index`,
 * `dataset_info` of datasets with many configs) stay well under it; every read of a repo serves the parsed
 * metadata again, so it is kept to what the server can answer quickly.
 */
export const MAX_CARD_METADATA_BYTES = 1024 ** 2;

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** The YAML front matter of a README and the text after it; null when the README has none. */
export function splitFrontMatter(readme: string): { yaml: string; text: string } | null {
  const match = FRONT_MATTER.exec(readme);
  if (!match) return null;
  return { yaml: match[1] ?? "", text: readme.slice(match[0].length) };
}

/** What is wrong with card metadata of `bytes` bytes: over the size Hangar reads. */
export function oversizedCardMetadata(bytes: number): string {
  return `README.md metadata is ${bytes} bytes, over the limit of ${MAX_CARD_METADATA_BYTES} bytes`;
}

/**
 * Splits a README into its YAML metadata and its text, as the Hub reads model cards. The YAML is parsed on
 * the metadata worker, so a large card does not hold up other requests.
 */
export async function parseModelCard(readme: string): Promise<ParsedModelCard> {
  const parts = splitFrontMatter(readme);
  if (!parts) return { data: {}, text: readme, warnings: [] };
  const { yaml, text } = parts;
  const bytes = Buffer.byteLength(yaml);
  if (bytes > MAX_CARD_METADATA_BYTES)
    return { data: {}, text, warnings: [`${oversizedCardMetadata(bytes)}; it was ignored`] };
  if (yaml.trim() === "") return { data: {}, text, warnings: [] };
  const parsed = await metadataWorker.run("parseCardYaml", { yaml });
  const data = parsed.json === null ? {} : (JSON.parse(parsed.json) as Record<string, unknown>);
  return { data, text, warnings: parsed.warnings };
}
