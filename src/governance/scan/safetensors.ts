import { JsonError, parseJsonStrict } from "./json-strict.ts";
import type { ByteSource } from "./source.ts";
import { addFinding, type ScanContext } from "./types.ts";

const MAX_HEADER = 100_000_000;

/** Bits per element of every dtype the reference implementation knows. */
export const SAFETENSORS_DTYPE_BITS: Record<string, number> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  I64: 64,
  U64: 64,
  F64: 64,
  C64: 64,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
};

/**
 * Validates a safetensors file from its header and its size alone (the tensor data is never read), with
 * every rule of the reference implementation, plus duplicate keys.
 */
export async function scanSafetensors(source: ByteSource, ctx: ScanContext): Promise<string> {
  const invalid = (rule: string, message: string, offset?: number, construct?: string) => {
    addFinding(ctx, {
      rule: `safetensors.${rule}`,
      severity: "invalid",
      message,
      ...(offset === undefined ? {} : { offset }),
      ...(construct ? { construct } : {}),
    });
    return "safetensors";
  };
  if (source.size < 8) return invalid("header-too-small", "shorter than the 8-byte header length");
  const lengthBytes = await source.read(0, 8);
  const length = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER))
    return invalid("header-too-large", `header length ${length} is over ${MAX_HEADER}`, 0);
  const n = Number(length);
  if (8 + n > source.size)
    return invalid("header-length", `header length ${n} runs past the end of the file`, 0);
  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(await source.read(8, n));
    header = parseJsonStrict(text);
  } catch (error) {
    const what = error instanceof JsonError ? `is not valid JSON: ${error.message}` : "is not valid UTF-8";
    return invalid(
      error instanceof JsonError && error.message.startsWith("duplicate") ? "duplicate-key" : "header-json",
      `the header ${what}`,
      8,
    );
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    return invalid("header-json", "the header is not a JSON object", 8);
  const tensors: Array<{ name: string; begin: bigint; end: bigint }> = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (info === null) continue;
      if (
        typeof info !== "object" ||
        Array.isArray(info) ||
        Object.values(info as object).some((v) => typeof v !== "string")
      ) {
        return invalid("metadata", "__metadata__ must map strings to strings", 8, name);
      }
      continue;
    }
    const tensor = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof tensor !== "object" || tensor === null)
      return invalid("tensor-info", `tensor ${name} is not an object`, 8, name);
    const bits = typeof tensor.dtype === "string" ? SAFETENSORS_DTYPE_BITS[tensor.dtype] : undefined;
    if (bits === undefined)
      return invalid("dtype", `tensor ${name} has unknown dtype ${JSON.stringify(tensor.dtype)}`, 8, name);
    const isSize = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
    if (!Array.isArray(tensor.shape) || !tensor.shape.every(isSize))
      return invalid("tensor-info", `tensor ${name} has a bad shape`, 8, name);
    const offsets = tensor.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize)) {
      return invalid("tensor-info", `tensor ${name} has bad data_offsets`, 8, name);
    }
    const elements = (tensor.shape as number[]).reduce((product, dim) => product * BigInt(dim), 1n);
    if (elements > 0xffffffffffffffffn)
      return invalid("overflow", `tensor ${name}: the shape overflows`, 8, name);
    const totalBits = elements * BigInt(bits);
    if (totalBits % 8n !== 0n)
      return invalid("misaligned", `tensor ${name}: ${totalBits} bits is not whole bytes`, 8, name);
    const [begin, end] = offsets.map((v) => BigInt(v)) as [bigint, bigint];
    if (end < begin || end - begin !== totalBits / 8n) {
      return invalid(
        "tensor-info",
        `tensor ${name}: data_offsets [${begin}, ${end}] do not hold ${totalBits / 8n} bytes`,
        8,
        name,
      );
    }
    tensors.push({ name, begin, end });
  }
  tensors.sort((a, b) => (a.begin === b.begin ? Number(a.end - b.end) : a.begin < b.begin ? -1 : 1));
  let expected = 0n;
  for (const tensor of tensors) {
    if (tensor.begin !== expected) {
      return invalid(
        "offsets",
        `tensor ${tensor.name} starts at ${tensor.begin}, not at ${expected} (data must be contiguous, without overlap or gap)`,
        8 + n + Number(tensor.begin),
        tensor.name,
      );
    }
    expected = tensor.end;
  }
  const dataBytes = BigInt(source.size - 8 - n);
  if (expected !== dataBytes) {
    return invalid(
      "buffer-size",
      `tensors cover ${expected} data bytes; the file has ${dataBytes} (${dataBytes > expected ? "trailing bytes" : "truncated"})`,
      8 + n + Number(expected < dataBytes ? expected : dataBytes),
    );
  }
  return "safetensors";
}
