import { readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { scanZip } from "./archive.ts";
import { scanConfig, scanHdf5, scanPython } from "./config-scan.ts";
import { scanText } from "./data-scan.ts";
import { scanGguf } from "./gguf.ts";
import { scanNpy } from "./npy.ts";
import { scanOnnx } from "./onnx.ts";
import { scanParquet } from "./parquet-scan.ts";
import { compressionOf, scanCompressedPickle, scanPickle } from "./pickle-scan.ts";
import { scanSafetensors } from "./safetensors.ts";
import { sniff } from "./sniff.ts";
import { type ByteSource, bytesSource, openFileSource } from "./source.ts";
import {
  DEFAULT_LIMITS,
  type Finding,
  type ScanContext,
  type ScanLimits,
  type ScanResult,
  verdictOf,
} from "./types.ts";

export type { Finding, ScanResult, Severity, Verdict } from "./types.ts";
export { SCANNER_RULES_VERSION, unscannable, worstVerdict } from "./types.ts";

/** Scans one source (a file, or an archive member) with the scanner its format calls for. */
async function dispatch(
  source: ByteSource,
  ctx: ScanContext,
  options: { lenient?: boolean } = {},
): Promise<string> {
  const head = await source.read(0, 16);
  const kind = sniff(head, ctx.name, source.size);
  switch (kind) {
    case "zip":
      return scanZip(source, ctx, dispatch);
    case "pickle": {
      // A pickle chosen by its name only (no PROTO byte) may be anything: failing early means "not a pickle".
      const lenient = options.lenient || head[0] !== 0x80;
      return (await scanPickle(source, ctx, { lenient })).format;
    }
    case "compressed-pickle":
      return (await scanCompressedPickle(source, ctx, compressionOf(head)!)).format;
    case "npy":
      return scanNpy(source, ctx);
    case "safetensors":
      return scanSafetensors(source, ctx);
    case "gguf":
      return scanGguf(source, ctx);
    case "onnx":
      return scanOnnx(source, ctx);
    case "hdf5":
      return scanHdf5(source, ctx);
    case "config":
      return scanConfig(source, ctx);
    case "python":
      return scanPython(source, ctx);
    case "json":
    case "text":
      return scanText(source, ctx, kind);
    case "parquet":
      return scanParquet(source, ctx);
    default:
      return "unknown";
  }
}

export interface ScanOptions {
  /** File name (for extension-based decisions) when scanning bytes, or to override a path's. */
  name?: string;
  limits?: Partial<ScanLimits>;
}

/** Scans a ByteSource: what `scanFile` does once the file is open; a worker can host it as is. */
export async function scanSource(
  source: ByteSource,
  options: {
    name: string;
    dir?: string;
    /** Files next to this one by relative path, with sizes, when it is not on disk (see ScanContext). */
    siblings?: Readonly<Record<string, number>>;
    limits?: Partial<ScanLimits>;
  },
): Promise<ScanResult> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const findings: Finding[] = [];
  const ctx: ScanContext = {
    name: options.name,
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    ...(options.siblings === undefined ? {} : { siblings: options.siblings }),
    depth: 0,
    limits,
    budget: { inflated: limits.maxInflatedBytes },
    findings,
  };
  const format = await dispatch(source, ctx);
  return { path: options.name, format, verdict: verdictOf(findings), findings };
}

/**
 * Scans a file on disk (bounded reads; nothing is loaded or run) or bytes in memory. `name` defaults to the
 * path; bytes need one.
 */
export async function scanFile(input: string | Uint8Array, options: ScanOptions = {}): Promise<ScanResult> {
  if (typeof input !== "string") {
    return scanSource(bytesSource(input), {
      name: options.name ?? "",
      ...(options.limits ? { limits: options.limits } : {}),
    });
  }
  const source = await openFileSource(input);
  try {
    const result = await scanSource(source, {
      name: options.name ?? input,
      dir: dirname(input),
      ...(options.limits ? { limits: options.limits } : {}),
    });
    return { ...result, path: input };
  } finally {
    await source.close();
  }
}

/** Every regular file under the given paths (folders recursively, `.git` skipped), sorted. */
export async function listFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  const visit = async (path: string) => {
    const info = await stat(path);
    if (info.isDirectory()) {
      const entries = await readdir(path, { withFileTypes: true });
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.name === ".git") continue;
        if (entry.isDirectory() || entry.isFile()) await visit(join(path, entry.name));
      }
    } else if (info.isFile()) files.push(path);
  };
  for (const path of paths) await visit(path);
  return files;
}
