/**
 * What the PostgreSQL engine changes in the catalog's SQL before sending it: `?` placeholders become
 * `$1..$n`, `LIKE` becomes `ILIKE` (SQLite's LIKE ignores ASCII case), camelCase names are double-quoted
 * (PostgreSQL would fold them to lower case), and `INSERT … VALUES (?, …)` run for many rows becomes one
 * multi-row INSERT per chunk. Everything else is sent as written.
 */

/** PostgreSQL's limit on the parameters of one statement (an unsigned 16-bit count). */
export const MAX_PARAMETERS = 65_535;
/** Rows per multi-row INSERT at most, whatever the column count: keeps statements and plans small. */
const MAX_ROWS_PER_INSERT = 1000;

/** A camelCase name (the catalog's result aliases); SQL keywords and snake_case names never match. */
const CAMEL_CASE = /^[a-z][a-z0-9_]*[A-Z][A-Za-z0-9_]*$/;

const isWordChar = (char: string | undefined) => char !== undefined && /[A-Za-z0-9_$]/.test(char);

/** Index just past a quoted run starting at `start` (the quote doubled inside stands for itself). */
function skipQuoted(sql: string, start: number, quote: string): number {
  let index = start + 1;
  while (index < sql.length) {
    if (sql[index] === quote) {
      if (sql[index + 1] === quote) index += 2;
      else return index + 1;
    } else index++;
  }
  return index;
}

/** Index just past a comment starting at `start`, or `start` when none starts there. */
function skipComment(sql: string, start: number): number {
  if (sql.startsWith("--", start)) {
    const end = sql.indexOf("\n", start);
    return end === -1 ? sql.length : end + 1;
  }
  if (sql.startsWith("/*", start)) {
    const end = sql.indexOf("*/", start + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return start;
}

export interface Translated {
  text: string;
  /** How many `?` placeholders the statement had. */
  parameters: number;
}

/**
 * Numbers the `?` placeholders, turns `LIKE` into `ILIKE` and double-quotes camelCase names (so
 * `AS repoType` keeps its case), leaving string literals ('…'), quoted identifiers ("…") and comments alone.
 */
export function translatePlaceholders(sql: string): Translated {
  let text = "";
  let parameters = 0;
  let index = 0;
  while (index < sql.length) {
    const char = sql[index]!;
    if (char === "'" || char === '"') {
      const end = skipQuoted(sql, index, char);
      text += sql.slice(index, end);
      index = end;
      continue;
    }
    const afterComment = skipComment(sql, index);
    if (afterComment !== index) {
      text += sql.slice(index, afterComment);
      index = afterComment;
      continue;
    }
    if (char === "?") {
      parameters++;
      text += `$${parameters}`;
      index++;
      continue;
    }
    if (/[A-Za-z_]/.test(char) && !isWordChar(sql[index - 1])) {
      let end = index + 1;
      while (isWordChar(sql[end])) end++;
      const word = sql.slice(index, end);
      if (word.toUpperCase() === "LIKE") text += "ILIKE";
      // PostgreSQL folds unquoted names to lower case: `AS gitOid` would come back as `gitoid`.
      else if (CAMEL_CASE.test(word)) text += `"${word}"`;
      else text += word;
      index = end;
      continue;
    }
    text += char;
    index++;
  }
  return { text, parameters };
}

/** Translations by statement: the catalog runs a few hundred distinct statements, over and over. */
export class TranslationCache {
  private readonly cache = new Map<string, Translated>();
  private readonly inserts = new Map<string, MultiRowInsert | null>();
  constructor(private readonly limit = 2000) {}

  /** The statement as a multi-row INSERT, or undefined when it cannot be one. */
  insert(sql: string): MultiRowInsert | undefined {
    let insert = this.inserts.get(sql);
    if (insert === undefined) {
      insert = parseMultiRowInsert(sql) ?? null;
      if (this.inserts.size >= this.limit) this.inserts.clear();
      this.inserts.set(sql, insert);
    }
    return insert ?? undefined;
  }

  get(sql: string): Translated {
    let translated = this.cache.get(sql);
    if (translated === undefined) {
      translated = translatePlaceholders(sql);
      if (this.cache.size >= this.limit) this.cache.clear();
      this.cache.set(sql, translated);
    }
    return translated;
  }
}

/** An `INSERT … VALUES (?, …, ?)` that can take many rows in one statement. */
export interface MultiRowInsert {
  /** Everything up to and including `VALUES `. */
  head: string;
  /** What follows the row (` ON CONFLICT … DO NOTHING`), or "". */
  tail: string;
  columns: number;
}

const INSERT_VALUES =
  /^\s*(INSERT\s+INTO\s[^'?;]*?\bVALUES)\s*\(\s*\?((?:\s*,\s*\?)*)\s*\)((?:\s+ON\s+CONFLICT\b[^'?;]*)?)\s*;?\s*$/i;

/**
 * Recognises an INSERT of one row of `?` placeholders. Not rewritten (run row by row instead): rows with
 * literals or expressions, `RETURNING` (the rows would come back from one statement), and
 * `ON CONFLICT … DO UPDATE` (PostgreSQL refuses to update one row twice in a statement, while SQLite row by
 * row lets the last row win).
 */
export function parseMultiRowInsert(sql: string): MultiRowInsert | undefined {
  const match = INSERT_VALUES.exec(sql);
  if (match === null) return undefined;
  const tail = match[3] ?? "";
  if (/\bDO\s+UPDATE\b|\bRETURNING\b/i.test(tail)) return undefined;
  const columns = 1 + (match[2]?.match(/\?/g)?.length ?? 0);
  return { head: translatePlaceholders(match[1]!).text, tail: translatePlaceholders(tail).text, columns };
}

/** Rows per statement for an INSERT of `columns` columns. */
export function rowsPerInsert(columns: number): number {
  return Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / columns)));
}

/** `head ($1, $2), ($3, $4) … tail` for `rows` rows. */
export function multiRowInsertText(insert: MultiRowInsert, rows: number): string {
  const tuples: string[] = [];
  let parameter = 0;
  for (let row = 0; row < rows; row++) {
    const values: string[] = [];
    for (let column = 0; column < insert.columns; column++) values.push(`$${++parameter}`);
    tuples.push(`(${values.join(", ")})`);
  }
  return `${insert.head} ${tuples.join(", ")}${insert.tail}`;
}

/** The URL with its password replaced by `***`, to name a server in messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    for (const key of [...parsed.searchParams.keys()]) {
      if (/^(password|sslpassword)$/i.test(key)) parsed.searchParams.set(key, "***");
    }
    return parsed.toString();
  } catch {
    // Not a URL (a key=value connection string, or garbage): hide anything that could be a password.
    return url
      .replace(/(:\/\/[^:/@\s]*:)[^@\s]*@/, "$1***@")
      .replace(/(password\s*=\s*)('[^']*'|\S+)/gi, "$1***");
  }
}
