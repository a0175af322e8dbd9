import { pipeline, Readable } from "node:stream";
import { createGunzip, createInflate } from "node:zlib";
import { newPickleState, PickleError, type PickleState, type Value, walkPickleStream } from "./pickle-vm.ts";
import { type ByteSource, Cursor, EndOfData } from "./source.ts";
import { addFinding, type ScanContext } from "./types.ts";

/** The first pickle of a legacy (pre-zip) `torch.save` file is this number. */
const LEGACY_TORCH_MAGIC = 0x1950a86a20f9469cfc6cn;

export interface PickleScanOptions {
  /** Where the first stream starts. */
  offset?: number;
  /**
   * Chosen by name or by a loose sniff only: a first stream that breaks before any import or call is
   * "not a pickle" (an info finding), not a malformed one.
   */
  lenient?: boolean;
  /** Exactly one stream (an object `.npy` payload); anything after it is trailing data. */
  single?: boolean;
  /** Bytes the streams can span at most (the opcode budget is `maxOpcodes` plus these). */
  bytes?: number;
}

export interface PickleScanOutcome {
  /** `pickle`, `pytorch-legacy`, or `not-pickle`. */
  format: string;
  imports: string[];
}

/** Walks every pickle stream of `source` (from `offset`) until its end, with legacy PyTorch framing. */
export async function scanPickle(
  source: ByteSource,
  ctx: ScanContext,
  options: PickleScanOptions = {},
): Promise<PickleScanOutcome> {
  const offset = options.offset ?? 0;
  return scanPickleCursor(Cursor.over(source, offset), ctx, { bytes: source.size - offset, ...options });
}

export async function scanPickleCursor(
  cursor: Cursor,
  ctx: ScanContext,
  options: PickleScanOptions = {},
): Promise<PickleScanOutcome> {
  const state = newPickleState(ctx);
  state.opcodeBudget = ctx.limits.maxOpcodes + Math.max(0, options.bytes ?? 0);
  let format = "pickle";
  let legacy = false;
  const findingsBefore = ctx.findings.length;
  for (let index = 0; ; index++) {
    const start = cursor.offset;
    try {
      const { value } = await walkPickleStream(cursor, state);
      if (index === 0 && value.k === "int" && value.v === LEGACY_TORCH_MAGIC && !options.single) {
        legacy = true;
        format = "pytorch-legacy";
        state.ctx = { ...ctx, torch: true };
        state.storageSizes = new Map();
      }
      // The storage key list (stream 5) keeps one key per declared storage, and one more to tell a longer list.
      if (legacy && index === 3)
        state.keepItems = Math.max(state.keepItems, (state.storageSizes?.size ?? 0) + 1);
      if (legacy && index === 4) {
        await skipLegacyStorages(cursor, state, value, start);
        if (!(await cursor.atEnd()))
          trailing(ctx, cursor.offset, "after the storages of a legacy PyTorch file");
        break;
      }
      if (await cursor.atEnd()) {
        if (legacy) {
          addFinding(ctx, {
            rule: "pickle.legacy-truncated",
            severity: "invalid",
            message: `a legacy PyTorch file has 5 pickles; this one ends after ${index + 1}`,
            offset: cursor.offset,
          });
        }
        break;
      }
      if (options.single) {
        trailing(ctx, cursor.offset, "after the pickle");
        break;
      }
    } catch (error) {
      if (!(error instanceof PickleError) && !(error instanceof EndOfData)) throw error;
      if (state.limited) {
        addFinding(ctx, {
          rule: "pickle.limit",
          severity: "suspicious",
          message: `stopped at a resource limit (${error.message}); the rest of the file was not inspected`,
          offset: error.offset,
        });
      } else if (index === 0 && options.lenient && state.imports.length === 0 && state.calls === 0) {
        // Bytes that merely start like a pickle: what the failed walk noted about them is noise.
        ctx.findings.length = findingsBefore;
        addFinding(ctx, {
          rule: "pickle.not-a-pickle",
          severity: "info",
          message: `named like a pickle but does not parse as one (${error.message})`,
          offset: error.offset,
        });
        format = "not-pickle";
      } else {
        const after = state.calls > 0 ? ` after ${state.calls} call(s) a loader would already have run` : "";
        const what = error instanceof EndOfData ? "ends without STOP" : `is malformed: ${error.message}`;
        addFinding(ctx, {
          rule:
            index > 0
              ? "pickle.trailing-data"
              : error instanceof EndOfData
                ? "pickle.no-stop"
                : "pickle.malformed",
          severity: "unsafe",
          message:
            index > 0
              ? `bytes after pickle ${index} do not form a valid pickle (stream ${index + 1} ${what})${after}`
              : `the pickle stream ${what}${after}`,
          offset: error.offset,
        });
      }
      break;
    }
  }
  return { format, imports: state.imports };
}

function trailing(ctx: ScanContext, offset: number, where: string): void {
  addFinding(ctx, {
    rule: "pickle.trailing-data",
    severity: "unsafe",
    message: `unexpected bytes ${where}`,
    offset,
  });
}

/** After the 5th pickle of a legacy file: for each storage key, a u64 element count and the raw data. */
async function skipLegacyStorages(
  cursor: Cursor,
  state: PickleState,
  keysValue: Value,
  at: number,
): Promise<void> {
  const sizes = state.storageSizes ?? new Map<string, number>();
  if (keysValue.k !== "list")
    throw new PickleError("the storage key list of a legacy PyTorch file is not a list", at);
  if (keysValue.items.length > sizes.size)
    throw new PickleError(
      `the storage key list of a legacy PyTorch file names more storages than the ${sizes.size} declared`,
      at,
    );
  for (const key of keysValue.items) {
    const name = key.k === "str" ? key.v : undefined;
    const elementSize = name === undefined ? undefined : sizes.get(name);
    if (elementSize === undefined)
      throw new PickleError(`storage key ${name ?? "?"} was never declared`, cursor.offset);
    const count = await cursor.u64();
    const bytes = count * BigInt(elementSize);
    if (bytes > BigInt(Number.MAX_SAFE_INTEGER))
      throw new PickleError("storage larger than 2^53 bytes", cursor.offset);
    await cursor.skip(Number(bytes));
  }
}

/** Compression joblib (and people) wrap pickles in, by magic bytes. */
export function compressionOf(
  head: Uint8Array,
): "gzip" | "zlib" | "joblib-zf" | "bz2" | "xz" | "lz4" | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x5a && head[1] === 0x46) return "joblib-zf";
  if (head[0] === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(head[1] ?? -1)) return "zlib";
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return "bz2";
  if ([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00].every((byte, i) => head[i] === byte)) return "xz";
  if ([0x04, 0x22, 0x4d, 0x18].every((byte, i) => head[i] === byte)) return "lz4";
  return undefined;
}

class InflateLimit extends Error {}

/** Inflated chunks of a gzip or zlib stream, charged to the scan's inflation budget. */
async function* inflated(
  source: ByteSource,
  offset: number,
  kind: "gzip" | "zlib",
  budget: { inflated: number },
) {
  const inflater = kind === "gzip" ? createGunzip() : createInflate();
  const out = pipeline(Readable.from(source.chunks(offset)), inflater, () => {});
  for await (const chunk of out as AsyncIterable<Buffer>) {
    budget.inflated -= chunk.length;
    if (budget.inflated < 0) {
      inflater.destroy();
      throw new InflateLimit("inflation budget exhausted");
    }
    yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** A compressed pickle (joblib's compressors): gzip and zlib are inflated with a cap; others are flagged. */
export async function scanCompressedPickle(
  source: ByteSource,
  ctx: ScanContext,
  kind: NonNullable<ReturnType<typeof compressionOf>>,
): Promise<PickleScanOutcome> {
  if (kind !== "gzip" && kind !== "zlib" && kind !== "joblib-zf") {
    addFinding(ctx, {
      rule: "pickle.compressed-unsupported",
      severity: "suspicious",
      message: `${kind}-compressed data: the pickle inside cannot be inspected`,
      offset: 0,
    });
    return { format: `pickle+${kind}`, imports: [] };
  }
  // joblib < 0.10: "ZF", the hex length padded to 19 bytes, then a zlib stream.
  const offset = kind === "joblib-zf" ? 21 : 0;
  const cursor = new Cursor(inflated(source, offset, kind === "gzip" ? "gzip" : "zlib", ctx.budget));
  try {
    const outcome = await scanPickleCursor(cursor, ctx, { bytes: ctx.budget.inflated });
    return { ...outcome, format: `${outcome.format}+${kind}` };
  } catch (error) {
    const message =
      error instanceof InflateLimit
        ? "inflates past the scan's limit (a compression bomb?)"
        : `does not inflate (${(error as Error).message})`;
    addFinding(ctx, {
      rule: error instanceof InflateLimit ? "archive.bomb" : "pickle.compressed-corrupt",
      severity: error instanceof InflateLimit ? "suspicious" : "invalid",
      message: `the ${kind} stream ${message}`,
    });
    return { format: `pickle+${kind}`, imports: [] };
  }
}
