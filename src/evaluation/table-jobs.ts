import { readTable, type TableFormat } from "./parse-table.ts";

/** Rows per JSON chunk handed back: each chunk is parsed on the event loop in one go. */
const ROWS_PER_CHUNK = 2000;

/** Binary cells (images, audio) are not text or labels; they travel as null rather than as huge JSON. */
function plainJson(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer ? null : value;
}

/**
 * Parses a dataset file and hands its rows back as JSON text in chunks: strings cross threads as a copy,
 * and the event loop parses one chunk at a time, answering other requests in between.
 */
export function parseTableFile(input: {
  bytes: Uint8Array;
  format: TableFormat;
  path: string;
}): Promise<{ columns: string[]; rowChunks: string[] }> {
  return readTable(input.bytes, input.format, input.path).then((table) => {
    const rowChunks: string[] = [];
    for (let start = 0; start < table.rows.length; start += ROWS_PER_CHUNK) {
      rowChunks.push(JSON.stringify(table.rows.slice(start, start + ROWS_PER_CHUNK), plainJson));
    }
    return { columns: table.columns, rowChunks };
  });
}

/** What the table worker runs. */
export const jobs = { parseTableFile };
