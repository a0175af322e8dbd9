import { type AsyncBuffer, parquetMetadataAsync, parquetRead } from "hyparquet";
import { reportTallies, type Tallies, tallyStrings } from "./data-scan.ts";
import type { ByteSource } from "./source.ts";
import { addFinding, type ScanContext } from "./types.ts";

const ROWS_PER_READ = 10_000;
const MAX_ROWS = 1_000_000;

function collectStrings(value: unknown, out: string[], depth = 0): void {
  if (typeof value === "string") out.push(value);
  else if (depth < 8 && Array.isArray(value)) for (const item of value) collectStrings(item, out, depth + 1);
  else if (depth < 8 && value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    for (const item of Object.values(value)) collectStrings(item, out, depth + 1);
  }
}

/** Secrets and personal data in the string cells of a Parquet file, read in row slices. */
export async function scanParquet(source: ByteSource, ctx: ScanContext): Promise<string> {
  const file: AsyncBuffer = {
    byteLength: source.size,
    slice: async (start, end = source.size) => {
      const bytes = await source.read(start, end - start);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
  try {
    const metadata = await parquetMetadataAsync(file);
    const rows = Number(metadata.num_rows);
    const limit = Math.min(rows, MAX_ROWS);
    const tallies: Tallies = new Map();
    for (let start = 0; start < limit; start += ROWS_PER_READ) {
      await parquetRead({
        file,
        metadata,
        rowStart: start,
        rowEnd: Math.min(limit, start + ROWS_PER_READ),
        onComplete: (slice) => {
          const texts: string[] = [];
          collectStrings(slice, texts);
          tallyStrings(texts, tallies);
        },
      });
    }
    reportTallies(tallies, ctx);
    if (rows > limit)
      addFinding(ctx, {
        rule: "data.partial",
        severity: "info",
        message: `only the first ${limit} of ${rows} rows were scanned`,
      });
  } catch (error) {
    addFinding(ctx, {
      rule: "parquet.structure",
      severity: "invalid",
      message: `not a readable Parquet file: ${(error as Error).message}`,
    });
  }
  return "parquet";
}
