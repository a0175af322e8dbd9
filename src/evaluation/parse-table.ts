import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { badRequest, HangarError } from "../core/errors.ts";

/** File formats an evaluation reads, by file extension. */
export const TABLE_FORMATS = {
  ".csv": "csv",
  ".tsv": "tsv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".parquet": "parquet",
} as const;
export type TableFormat = (typeof TABLE_FORMATS)[keyof typeof TABLE_FORMATS];
type TextFormat = Exclude<TableFormat, "parquet">;

/**
 * A labelled file as rows of named cells: strings from CSV and TSV, any JSON value from JSON Lines, and from
 * Parquet strings, numbers (64-bit integers included, as the `datasets` library stores class ids) and lists.
 */
export interface Table {
  /** Column names in file order (JSON Lines: in order of first appearance). */
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

export function tableFormatOf(path: string): TableFormat | undefined {
  const lower = path.toLowerCase();
  for (const [extension, format] of Object.entries(TABLE_FORMATS)) {
    if (lower.endsWith(extension)) return format;
  }
  return undefined;
}

/**
 * Parquet pages are compressed: a small file can decode to gigabytes. A file whose row groups declare more
 * uncompressed data than this is refused before any page is decoded.
 */
export const MAX_DECODED_PARQUET_BYTES = 512 * 1024 ** 2;

/** Reads a labelled file of any of the formats. */
export async function readTable(bytes: Uint8Array, format: TableFormat, path: string): Promise<Table> {
  if (format === "parquet") return readParquet(bytes, path);
  return parseTable(new TextDecoder().decode(bytes), format, path);
}

/**
 * Reads a Parquet file, as `datasets` writes them when a dataset is pushed to a hub (snappy or no
 * compression). Whole 64-bit integers become numbers (strings when too large to be exact).
 */
async function readParquet(bytes: Uint8Array, path: string): Promise<Table> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata: ReturnType<typeof parquetMetadata>;
  try {
    metadata = parquetMetadata(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw badRequest(`${path}: not a Parquet file Hangar can read (${reason})`);
  }
  const decodedBytes = metadata.row_groups.reduce((sum, group) => sum + Number(group.total_byte_size), 0);
  if (!(decodedBytes <= MAX_DECODED_PARQUET_BYTES)) {
    throw new HangarError(
      "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      `${path} decodes to ${decodedBytes} bytes, over the ${MAX_DECODED_PARQUET_BYTES} an evaluation reads`,
    );
  }
  try {
    const columns = parquetSchema(metadata).children.map((child) => child.element.name);
    const rows = await parquetReadObjects({ file, metadata });
    return { columns, rows: rows.map((row) => plainValue(row) as Record<string, unknown>) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw badRequest(`${path}: not a Parquet file Hangar can read (${reason})`);
  }
}

function plainValue(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainValue(item)]));
  }
  return value;
}

/** Parses a CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes), TSV or JSON Lines file. */
export function parseTable(text: string, format: TextFormat, path: string): Table {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return format === "jsonl"
    ? parseJsonLines(body, path)
    : parseDelimited(body, format === "tsv" ? "\t" : ",", path);
}

function parseJsonLines(text: string, path: string): Table {
  const columns: string[] = [];
  const seen = new Set<string>();
  const rows: Array<Record<string, unknown>> = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw badRequest(`${path}, line ${index + 1}: not JSON (${(error as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw badRequest(`${path}, line ${index + 1}: each line of a JSON Lines file must be an object`);
    }
    for (const key of Object.keys(value)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
    rows.push(value as Record<string, unknown>);
  });
  return { columns, rows };
}

function parseDelimited(text: string, delimiter: string, path: string): Table {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let quoteStartLine = 1;
  let index = 0;
  const endField = () => {
    record.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    // A blank line is not a row of one empty cell.
    if (!(record.length === 1 && record[0] === "")) records.push(record);
    record = [];
  };
  while (index < text.length) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index += 2;
          continue;
        }
        quoted = false;
      } else {
        if (character === "\n") line++;
        field += character;
      }
      index++;
      continue;
    }
    if (character === '"' && field === "") {
      quoted = true;
      quoteStartLine = line;
    } else if (character === delimiter) {
      endField();
    } else if (character === "\n" || character === "\r") {
      endRecord();
      if (character === "\r" && text[index + 1] === "\n") index++;
      line++;
    } else {
      field += character;
    }
    index++;
  }
  if (quoted) throw badRequest(`${path}: the quoted field opened on line ${quoteStartLine} is never closed`);
  if (field !== "" || record.length > 0) endRecord();
  const [header, ...rest] = records;
  if (!header) return { columns: [], rows: [] };
  // Short rows get empty cells: a wide header over many short rows would fill far more cells than the file
  // holds bytes (rows times columns), so such a file is refused rather than expanded.
  if (rest.length * header.length > 2 * text.length + 1024) {
    throw badRequest(
      `${path}: ${rest.length} rows of ${header.length} columns are more cells than its ${text.length} characters hold; its rows are far shorter than its header`,
    );
  }
  const columns = header.map((name) => name.trim());
  const rows = rest.map((cells) =>
    Object.fromEntries(columns.map((name, column) => [name, cells[column] ?? ""])),
  );
  return { columns, rows };
}
