import { type ByteSource, Cursor, EndOfData } from "./source.ts";
import { checkTemplate } from "./template-check.ts";
import { addFinding, type ScanContext } from "./types.ts";

/** Bytes per block and elements per block of the GGML types whose sizes are fixed and well known. */
const GGML_BLOCKS: Record<number, [number, number]> = {
  0: [4, 1],
  1: [2, 1],
  2: [18, 32],
  3: [20, 32],
  6: [22, 32],
  7: [24, 32],
  8: [34, 32],
  9: [36, 32],
  10: [84, 256],
  11: [110, 256],
  12: [144, 256],
  13: [176, 256],
  14: [210, 256],
  15: [292, 256],
  24: [1, 1],
  25: [2, 1],
  26: [4, 1],
  27: [8, 1],
  28: [8, 1],
  30: [2, 1],
};
const SCALAR_SIZE: Record<number, number> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};
const MAX_STRING = 64 * 1024 ** 2;

class GgufError extends Error {}

/**
 * GGUF header, metadata and tensor infos, read as a stream with every count and length checked against the
 * bytes left in the file; chat templates checked for constructs that reach Python internals.
 */
export async function scanGguf(source: ByteSource, ctx: ScanContext): Promise<string> {
  const c = Cursor.over(source);
  const left = () => source.size - c.offset;
  const fail = (message: string): never => {
    throw new GgufError(message);
  };
  try {
    const magic = await c.take(4);
    if (new TextDecoder().decode(magic) !== "GGUF") fail("no GGUF magic");
    const version = await c.u32();
    if (version < 1 || version > 3) fail(`unsupported GGUF version ${version}`);
    const count = async () => (version === 1 ? BigInt(await c.u32()) : await c.u64());
    const tensorCount = await count();
    const kvCount = await count();
    // A KV needs at least a key length, a type and a one-byte value; a tensor info at least 4+8+4+8+8.
    if (kvCount * 13n > BigInt(left())) fail(`${kvCount} metadata entries cannot fit in the file`);
    if (tensorCount * 32n > BigInt(left())) fail(`${tensorCount} tensors cannot fit in the file`);
    const str = async (keep: boolean): Promise<string | undefined> => {
      const length = await count();
      if (length > BigInt(left()) || length > BigInt(MAX_STRING))
        fail(`a string of ${length} bytes runs past the end of the file`);
      if (!keep) {
        await c.skip(Number(length));
        return undefined;
      }
      return new TextDecoder().decode(await c.take(Number(length)));
    };
    let alignment = 32;
    const value = async (type: number, key: string, depth: number): Promise<unknown> => {
      if (type === 8) return str(key.startsWith("tokenizer.chat_template") || key === "general.alignment");
      if (type === 9) {
        if (depth > 3) fail(`nested arrays deeper than 3 in ${key}`);
        const elementType = await c.u32();
        const n = await count();
        const minSize = elementType === 8 ? (version === 1 ? 4 : 8) : (SCALAR_SIZE[elementType] ?? 1);
        if (n * BigInt(minSize) > BigInt(left()))
          fail(`array ${key} of ${n} elements runs past the end of the file`);
        if (elementType !== 8 && elementType !== 9) {
          const size = SCALAR_SIZE[elementType];
          if (size === undefined) fail(`array ${key} has unknown element type ${elementType}`);
          await c.skip(Number(n) * size!);
          return undefined;
        }
        for (let i = 0n; i < n; i++) await value(elementType, key, depth + 1);
        return undefined;
      }
      const size = SCALAR_SIZE[type];
      if (size === undefined) fail(`metadata ${key} has unknown type ${type}`);
      if (key === "general.alignment" && type === 4) return c.u32();
      await c.skip(size!);
      return undefined;
    };
    for (let i = 0n; i < kvCount; i++) {
      const key = (await str(true)) ?? "";
      const type = await c.u32();
      const v = await value(type, key, 0);
      if (key === "general.alignment") {
        if (typeof v !== "number" || v === 0 || (v & (v - 1)) !== 0)
          fail(`general.alignment ${String(v)} is not a power of two`);
        alignment = v as number;
      }
      if (key.startsWith("tokenizer.chat_template") && typeof v === "string") checkTemplate(ctx, key, v);
    }
    const tensors: Array<{ name: string; offset: bigint; bytes: bigint | undefined }> = [];
    for (let i = 0n; i < tensorCount; i++) {
      const name = (await str(true)) ?? "";
      const dims = await c.u32();
      if (dims > 8) fail(`tensor ${name} has ${dims} dimensions`);
      let elements = 1n;
      for (let d = 0; d < dims; d++) elements *= version === 1 ? BigInt(await c.u32()) : await c.u64();
      const type = await c.u32();
      const offset = await c.u64();
      const block = GGML_BLOCKS[type];
      tensors.push({
        name,
        offset,
        bytes: block ? (elements / BigInt(block[1])) * BigInt(block[0]) : undefined,
      });
    }
    const dataStart = BigInt(Math.ceil(c.offset / alignment) * alignment);
    const dataBytes = BigInt(source.size) - dataStart;
    for (const tensor of tensors) {
      if (tensor.offset % BigInt(alignment) !== 0n)
        fail(`tensor ${tensor.name} offset ${tensor.offset} is not aligned to ${alignment}`);
      if (tensor.offset + (tensor.bytes ?? 0n) > dataBytes)
        fail(`tensor ${tensor.name} lies beyond the end of the file`);
    }
  } catch (error) {
    if (!(error instanceof GgufError) && !(error instanceof EndOfData)) throw error;
    addFinding(ctx, {
      rule: "gguf.structure",
      severity: "invalid",
      message: error instanceof EndOfData ? "the header ends before its declared contents" : error.message,
      offset: c.offset,
    });
  }
  return "gguf";
}
