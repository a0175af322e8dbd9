import { badRequest } from "../core/errors.ts";
import type { QueryWord } from "./text-index.ts";
import { tokenize } from "./tokenize.ts";
import { closestValue } from "./vocabulary.ts";

/** Filters a query may carry inline as `field:value` (`field:"two words"` for values with spaces). */
export const QUERY_FIELDS = [
  "task",
  "modality",
  "library",
  "license",
  "language",
  "author",
  "dataset",
  "base_model",
] as const;
export type QueryField = (typeof QUERY_FIELDS)[number];

export interface ParsedQuery {
  words: QueryWord[];
  /** The text part as typed (quotes kept off), for exact id matching. */
  text: string;
  filters: Partial<Record<QueryField, string[]>>;
}

const FIELD_NAME = /^[a-z_]+$/i;

/**
 * Parses `llama "chat model" task:text-generation license:mit`: bare words match with prefix and typo
 * tolerance, quoted words match exactly, `field:value` adds a filter. An unbalanced quote or an unknown
 * field is a readable 400.
 */
export function parseQuery(query: string): ParsedQuery {
  const words: QueryWord[] = [];
  const textParts: string[] = [];
  const filters: Partial<Record<QueryField, string[]>> = {};
  let position = 0;
  const length = query.length;
  const readQuoted = (start: number): { value: string; end: number } => {
    const close = query.indexOf('"', start + 1);
    if (close < 0) {
      throw badRequest(
        `Unbalanced quote in the query at character ${start + 1}: close it or remove it (${JSON.stringify(query)})`,
      );
    }
    return { value: query.slice(start + 1, close), end: close + 1 };
  };
  while (position < length) {
    const char = query[position]!;
    if (/\s/.test(char)) {
      position++;
      continue;
    }
    if (char === '"') {
      const { value, end } = readQuoted(position);
      for (const token of tokenize(value)) words.push({ text: token, exact: true });
      textParts.push(value);
      position = end;
      continue;
    }
    let end = position;
    while (end < length && !/\s/.test(query[end]!) && query[end] !== '"') end++;
    const raw = query.slice(position, end);
    const colon = raw.indexOf(":");
    const field = colon > 0 ? raw.slice(0, colon) : "";
    if (colon > 0 && FIELD_NAME.test(field)) {
      const name = field.toLowerCase();
      if (!(QUERY_FIELDS as readonly string[]).includes(name)) {
        const suggestion = closestValue(name, QUERY_FIELDS);
        throw badRequest(
          `Unknown field "${field}" in the query${suggestion ? `; did you mean ${suggestion}?` : ""} Fields: ${QUERY_FIELDS.join(", ")}`,
        );
      }
      let value = raw.slice(colon + 1);
      position = end;
      if (value === "" && query[end] === '"') {
        const quoted = readQuoted(end);
        value = quoted.value;
        position = quoted.end;
      }
      if (value === "") throw badRequest(`The query field "${name}:" needs a value, e.g. ${name}:...`);
      const key = name as QueryField;
      filters[key] = [...(filters[key] ?? []), value];
      continue;
    }
    if (query[end] === '"') {
      throw badRequest(
        `Unbalanced quote in the query at character ${end + 1}: a quote must start a word (${JSON.stringify(query)})`,
      );
    }
    for (const token of tokenize(raw)) words.push({ text: token, exact: false });
    textParts.push(raw);
    position = end;
  }
  return { words, text: textParts.join(" ").trim(), filters };
}
