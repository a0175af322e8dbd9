import { scanPickle } from "./pickle-scan.ts";
import { numpyItemSize } from "./pickle-vm.ts";
import type { ByteSource } from "./source.ts";
import { addFinding, type ScanContext } from "./types.ts";

/**
 * A `.npy` array: magic, version, a Python dict literal header (`descr`, `fortran_order`, `shape`), then the
 * data. Object arrays (`O` in the dtype) are a pickle after the header, walked like any pickle.
 */
export async function scanNpy(source: ByteSource, ctx: ScanContext): Promise<string> {
  const head = await source.read(0, 12);
  const major = head[6] ?? 0;
  const invalid = (message: string) => {
    addFinding(ctx, { rule: "npy.header", severity: "invalid", message, offset: 0 });
    return "npy";
  };
  if (head.length < 10 || major < 1 || major > 3) return invalid(`unknown .npy version ${major}`);
  const headerLength =
    major === 1
      ? head[8]! | (head[9]! << 8)
      : (head[8]! | (head[9]! << 8) | (head[10]! << 16)) + head[11]! * 0x1000000;
  const dataStart = (major === 1 ? 10 : 12) + headerLength;
  if (headerLength > 1024 * 1024 || dataStart > source.size)
    return invalid("the header length does not fit the file");
  const header = new TextDecoder("latin1").decode(await source.read(major === 1 ? 10 : 12, headerLength));
  const descrMatch = /['"]descr['"]\s*:\s*(\[.*\]|'[^']*'|"[^"]*")/s.exec(header);
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descrMatch || !shapeMatch) return invalid("the header has no descr or shape");
  const descr = descrMatch[1]!;
  if (/['"][<>|=]?O\d*['"]/.test(descr)) {
    const outcome = await scanPickle(source, ctx, { offset: dataStart, single: true });
    return outcome.format === "not-pickle" ? "npy" : "npy+pickle";
  }
  if (!descr.startsWith("[")) {
    const itemSize = numpyItemSize(descr.slice(1, -1));
    const dims = shapeMatch[1]!
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "");
    if (itemSize !== undefined && dims.every((dim) => /^\d+$/.test(dim))) {
      const expected = dims.reduce((product, dim) => product * BigInt(dim), 1n) * BigInt(itemSize);
      if (BigInt(source.size - dataStart) !== expected) {
        addFinding(ctx, {
          rule: "npy.size",
          severity: "invalid",
          message: `the header declares ${expected} data bytes; the file has ${source.size - dataStart}`,
          offset: dataStart,
        });
      }
    }
  }
  return "npy";
}
