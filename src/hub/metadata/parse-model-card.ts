import { parse as parseYaml } from "yaml";

export interface ParsedModelCard {
  /** The YAML front matter as an object (empty when there is none). */
  data: Record<string, unknown>;
  /** The card text after the front matter. */
  text: string;
  /** Problems found; a malformed card is reported, never fatal. */
  warnings: string[];
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Splits a README into its YAML metadata and its text, as the Hub reads model cards. */
export function parseModelCard(readme: string): ParsedModelCard {
  const match = FRONT_MATTER.exec(readme);
  if (!match) return { data: {}, text: readme, warnings: [] };
  const text = readme.slice(match[0].length);
  try {
    const data: unknown = parseYaml(match[1] ?? "", { maxAliasCount: 100 });
    if (data === null || data === undefined) return { data: {}, text, warnings: [] };
    if (typeof data !== "object" || Array.isArray(data)) {
      return { data: {}, text, warnings: ["README.md metadata is not a YAML mapping; it was ignored"] };
    }
    return { data: data as Record<string, unknown>, text, warnings: [] };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { data: {}, text, warnings: [`README.md metadata is not valid YAML and was ignored: ${reason}`] };
  }
}
