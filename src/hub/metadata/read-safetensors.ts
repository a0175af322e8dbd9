import type { ModelFileFacts } from "../../core/types.ts";
import type { BlobSource } from "./blob-source.ts";
import { metadataWorker } from "./metadata-worker.ts";

/** safetensors caps its own header at 100 MB; anything larger is not a safetensors file. */
const MAX_HEADER_BYTES = 100 * 1024 ** 2;

type SafetensorsFacts = NonNullable<ModelFileFacts["safetensors"]>;

/** Bytes per element of the dtypes whose data length can be checked (sub-byte float types are packed). */
const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  I64: 8,
  U64: 8,
  F32: 4,
  I32: 4,
  U32: 4,
  F16: 2,
  BF16: 2,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  F8_E8M0: 1,
};

/**
 * Counts the parameters of a safetensors file by dtype from its header alone: 8 bytes of little-endian
 * header length, then a JSON object `{tensor: {dtype, shape, data_offsets}}`. Tensor data is never read;
 * the header, up to 100 MB of JSON, is parsed on the metadata worker.
 */
export async function readSafetensorsHeader(source: BlobSource): Promise<SafetensorsFacts> {
  if (source.size < 8) throw new Error("too short for a safetensors header");
  const lengthBytes = await source.read(0, 8);
  const headerLength = Number(lengthBytes.readBigUInt64LE(0));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > source.size) {
    throw new Error(`header length ${headerLength} does not fit the file`);
  }
  const header = await source.read(8, 8 + headerLength);
  return metadataWorker.run("countSafetensorsParameters", {
    header,
    dataBytes: source.size - 8 - headerLength,
  });
}

/** The parameter counts a safetensors header declares, checked against the `dataBytes` after it. */
export function countSafetensorsParameters(input: {
  header: Uint8Array;
  dataBytes: number;
}): SafetensorsFacts {
  const { dataBytes } = input;
  let header: unknown;
  try {
    header = JSON.parse(
      Buffer.from(input.header.buffer, input.header.byteOffset, input.header.byteLength).toString("utf8"),
    );
  } catch (error) {
    throw new Error(`header is not JSON: ${(error as Error).message}`);
  }
  if (!header || typeof header !== "object" || Array.isArray(header)) {
    throw new Error("header is not a JSON object");
  }
  const parameters: Record<string, number> = {};
  let total = 0;
  let tensorCount = 0;
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") continue;
    const tensor = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (!tensor || typeof tensor.dtype !== "string" || !Array.isArray(tensor.shape)) {
      throw new Error(`tensor "${name}" has no dtype or shape`);
    }
    let count = 1;
    for (const dimension of tensor.shape) {
      if (!Number.isSafeInteger(dimension) || (dimension as number) < 0) {
        throw new Error(`tensor "${name}" has an invalid shape`);
      }
      count *= dimension as number;
    }
    // Shapes are only believed when the bytes they need are in the file: a header cannot claim 70B
    // parameters in a few kilobytes.
    const offsets = tensor.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !Number.isSafeInteger(offsets[0]) ||
      !Number.isSafeInteger(offsets[1]) ||
      offsets[0] < 0 ||
      offsets[1] < offsets[0] ||
      offsets[1] > dataBytes
    ) {
      throw new Error(`tensor "${name}" has data_offsets outside the file`);
    }
    const elementBytes = DTYPE_BYTES[tensor.dtype];
    if (elementBytes !== undefined && offsets[1] - offsets[0] !== count * elementBytes) {
      throw new Error(
        `tensor "${name}" has ${offsets[1] - offsets[0]} bytes of data for ${count} ${tensor.dtype} values`,
      );
    }
    parameters[tensor.dtype] = (parameters[tensor.dtype] ?? 0) + count;
    total += count;
    tensorCount++;
  }
  return { parameters, total, tensorCount };
}

/** The shard files a `model.safetensors.index.json` maps tensors to, as repo paths. */
export function parseSafetensorsIndex(input: {
  indexPath: string;
  bytes: Uint8Array;
}): NonNullable<ModelFileFacts["safetensorsIndex"]> {
  const { indexPath, bytes } = input;
  const index = JSON.parse(new TextDecoder().decode(bytes)) as {
    weight_map?: unknown;
    metadata?: { total_size?: unknown } | null;
  } | null;
  if (!index || typeof index.weight_map !== "object" || index.weight_map === null) {
    throw new Error("has no weight_map");
  }
  const folder = indexPath.includes("/") ? indexPath.slice(0, indexPath.lastIndexOf("/") + 1) : "";
  const shards = new Set<string>();
  for (const file of Object.values(index.weight_map as Record<string, unknown>)) {
    if (typeof file === "string") shards.add(folder + file);
  }
  const totalSize = index.metadata?.total_size;
  return {
    shards: [...shards].sort(),
    totalSize: typeof totalSize === "number" && Number.isFinite(totalSize) ? totalSize : null,
  };
}
