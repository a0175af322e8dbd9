import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { type ByteSource, Cursor, EndOfData } from "./source.ts";
import { addFinding, type ScanContext, type SiblingStat, storedSibling } from "./types.ts";

/** Operator domains onnxruntime implements itself; any other needs a custom-op library. */
const KNOWN_DOMAINS = new Set([
  "",
  "ai.onnx",
  "ai.onnx.ml",
  "ai.onnx.training",
  "ai.onnx.preview.training",
  "com.microsoft",
  "com.microsoft.nchwc",
  "com.microsoft.experimental",
  "com.ms.internal.nhwc",
]);
const EXTERNAL_KEYS = new Set(["location", "offset", "length", "checksum", "basepath"]);

class OnnxError extends Error {}

interface External {
  tensor: string;
  entries: Map<string, string>;
  offset: number;
}

/** Whether a relative location stays inside the model's folder once normalised. */
export function externalLocationProblem(location: string): string | undefined {
  if (location === "") return "is empty";
  if (/^([a-zA-Z]:|[\\/])/.test(location) || location.startsWith("\\\\")) return "is absolute";
  if (location.includes("\0")) return "contains a NUL byte";
  let depth = 0;
  for (const part of location.split(/[\\/]+/)) {
    if (part === "..") depth--;
    else if (part !== "." && part !== "") depth++;
    if (depth < 0) return "leaves the model's folder";
  }
  return undefined;
}

/**
 * Walks an ONNX ModelProto as a protobuf stream (weights are skipped, never held): external-data locations
 * of every tensor (graph initializers, sparse ones, node attributes, subgraphs, functions) and the operator
 * domains of every node.
 */
export async function scanOnnx(source: ByteSource, ctx: ScanContext): Promise<string> {
  const c = Cursor.over(source);
  const externals: External[] = [];
  const nodes: Array<{ domain: string; op: string; offset: number }> = [];
  const functions = new Set<string>();
  const varint = async (): Promise<number> => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = await c.u8();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new OnnxError("varint longer than 10 bytes");
  };
  const text = async (length: number) => new TextDecoder().decode(await c.take(Math.min(length, 1 << 20)));
  type Handler = (field: number, wire: number, end: number) => Promise<boolean>;
  /** Reads fields until `end`; the handler consumes the ones it knows and returns true. */
  const message = async (end: number, depth: number, handler: Handler): Promise<void> => {
    if (depth > 64) throw new OnnxError("messages nested deeper than 64");
    while (c.offset < end) {
      const key = await varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (await handler(field, wire, end)) continue;
      if (wire === 0) await varint();
      else if (wire === 1) await c.skip(8);
      else if (wire === 5) await c.skip(4);
      else if (wire === 2) await c.skip(await lengthWithin(end));
      else throw new OnnxError(`unsupported wire type ${wire}`);
    }
    if (c.offset !== end) throw new OnnxError("a field runs past the end of its message");
  };
  const lengthWithin = async (end: number): Promise<number> => {
    const length = await varint();
    if (c.offset + length > end) throw new OnnxError("a length runs past the end of its message");
    return length;
  };
  const sub = async (end: number, depth: number, handler: Handler) => {
    const length = await lengthWithin(end);
    await message(c.offset + length, depth, handler);
  };
  const str = async (end: number) => text(await lengthWithin(end));

  const tensor = (depth: number): Handler => {
    let name = "";
    let external: External | undefined;
    return async (field, wire, end) => {
      if (wire !== 2 && field !== 14) return false;
      if (field === 8) name = await str(end);
      else if (field === 13) {
        external ??= { tensor: name, entries: new Map(), offset: c.offset };
        const current = external;
        let key = "";
        let value = "";
        await sub(end, depth + 1, async (f, w, e) => {
          if (w !== 2) return false;
          if (f === 1) key = await str(e);
          else if (f === 2) value = await str(e);
          else return false;
          return true;
        });
        current.entries.set(key, value);
        if (!externals.includes(current)) externals.push(current);
      } else if (field === 14 && wire === 0) {
        await varint();
      } else return false;
      if (external) external.tensor = name;
      return true;
    };
  };
  const attribute =
    (depth: number): Handler =>
    async (field, wire, end) => {
      if (wire !== 2) return false;
      if (field === 6 || field === 11) await sub(end, depth + 1, graph(depth + 1));
      else if (field === 5 || field === 10) await sub(end, depth + 1, tensor(depth + 1));
      else return false;
      return true;
    };
  const graph =
    (depth: number): Handler =>
    async (field, wire, end) => {
      if (wire !== 2) return false;
      if (field === 1) await nodeMessage(end, depth);
      else if (field === 5) await sub(end, depth + 1, tensor(depth + 1));
      else if (field === 15) {
        await sub(end, depth + 1, async (f, w, e) => {
          if (w !== 2 || (f !== 1 && f !== 2)) return false;
          await sub(e, depth + 2, tensor(depth + 2));
          return true;
        });
      } else return false;
      return true;
    };
  const nodeMessage = async (end: number, depth: number) => {
    const length = await lengthWithin(end);
    const start = c.offset;
    nodes.push({ domain: "", op: "", offset: start });
    const record = nodes[nodes.length - 1]!;
    await message(start + length, depth + 1, async (field, wire, e) => {
      if (wire !== 2) return false;
      if (field === 4) record.op = await str(e);
      else if (field === 7) record.domain = await str(e);
      else if (field === 5) await sub(e, depth + 2, attribute(depth + 2));
      else return false;
      return true;
    });
  };
  const fn = (depth: number): Handler => {
    let name = "";
    let domain = "";
    return async (field, wire, end) => {
      if (wire !== 2) return false;
      if (field === 1) name = await str(end);
      else if (field === 10) domain = await str(end);
      else if (field === 7) await nodeMessage(end, depth);
      else return false;
      functions.add(`${domain}\0${name}`);
      return true;
    };
  };
  try {
    await message(source.size, 0, async (field, wire, end) => {
      if (wire !== 2) return false;
      if (field === 7) await sub(end, 1, graph(1));
      else if (field === 14) await sub(end, 1, fn(1));
      else return false;
      return true;
    });
  } catch (error) {
    if (!(error instanceof OnnxError) && !(error instanceof EndOfData)) throw error;
    addFinding(ctx, {
      rule: "onnx.structure",
      severity: "invalid",
      message: `not a valid ONNX protobuf: ${error.message}`,
      offset: c.offset,
    });
  }
  const reported = new Set<string>();
  for (const { domain, op, offset } of nodes) {
    if (KNOWN_DOMAINS.has(domain) || functions.has(`${domain}\0${op}`) || reported.has(domain)) continue;
    reported.add(domain);
    addFinding(ctx, {
      rule: "onnx.custom-domain",
      severity: "suspicious",
      message: `operator ${op} of custom domain ${domain} needs a custom-op library (native code) to run`,
      construct: `${domain}.${op}`,
      offset,
    });
  }
  for (const external of externals) await checkExternal(external, ctx);
  return "onnx";
}

async function checkExternal(external: External, ctx: ScanContext): Promise<void> {
  const location = external.entries.get("location") ?? "";
  const base = { offset: external.offset, construct: location };
  const unknown = [...external.entries.keys()].filter((key) => !EXTERNAL_KEYS.has(key));
  if (unknown.length > 0) {
    addFinding(ctx, {
      rule: "onnx.external-data.keys",
      severity: "suspicious",
      message: `tensor ${external.tensor}: unknown external-data keys ${unknown.join(", ")}`,
      ...base,
    });
  }
  if (external.entries.has("basepath")) {
    addFinding(ctx, {
      rule: "onnx.external-data.basepath",
      severity: "unsafe",
      message: `tensor ${external.tensor}: external data sets basepath, which moves where files are read`,
      ...base,
    });
  }
  const problem = externalLocationProblem(location);
  if (problem) {
    addFinding(ctx, {
      rule: "onnx.external-data.location",
      severity: "unsafe",
      message: `tensor ${external.tensor}: external data location ${JSON.stringify(location)} ${problem}`,
      ...base,
    });
    return;
  }
  if (ctx.member !== undefined) return;
  let stat: SiblingStat | undefined;
  if (ctx.dir !== undefined) stat = await lstat(join(ctx.dir, location)).catch(() => undefined);
  else if (ctx.siblings !== undefined) stat = storedSibling(ctx.siblings, location);
  else return;
  if (!stat) {
    addFinding(ctx, {
      rule: "onnx.external-data.missing",
      severity: "suspicious",
      message: `tensor ${external.tensor}: external data file ${location} is not next to the model`,
      ...base,
    });
  } else if (!stat.isFile()) {
    addFinding(ctx, {
      rule: "onnx.external-data.location",
      severity: "unsafe",
      message: `tensor ${external.tensor}: external data ${location} is a ${stat.isSymbolicLink() ? "symbolic link" : "non-regular file"}`,
      ...base,
    });
  } else {
    const offset = Number(external.entries.get("offset") ?? 0);
    const length = external.entries.has("length") ? Number(external.entries.get("length")) : 0;
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > stat.size
    ) {
      addFinding(ctx, {
        rule: "onnx.external-data.range",
        severity: "invalid",
        message: `tensor ${external.tensor}: offset ${offset} + length ${length} is outside ${location} (${stat.size} bytes)`,
        ...base,
      });
    }
  }
}
