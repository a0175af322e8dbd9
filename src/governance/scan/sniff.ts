import { compressionOf } from "./pickle-scan.ts";

export type SniffedFormat =
  | "zip"
  | "pickle"
  | "compressed-pickle"
  | "npy"
  | "gguf"
  | "hdf5"
  | "parquet"
  | "safetensors"
  | "onnx"
  | "config"
  | "json"
  | "python"
  | "text"
  | "unknown";

const PICKLE_EXTENSIONS = new Set([
  "pkl",
  "pickle",
  "bin",
  "pt",
  "pth",
  "ckpt",
  "joblib",
  "dat",
  "data",
  "dill",
  "sav",
  "pkl.z",
]);
const TEXT_EXTENSIONS = new Set([
  "txt",
  "md",
  "csv",
  "tsv",
  "jsonl",
  "ndjson",
  "yaml",
  "yml",
  "cfg",
  "ini",
  "env",
  "toml",
  "sh",
  "rst",
]);

export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1).toLowerCase();
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot + 1);
}

export function baseName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
}

/** Whether the first bytes are a binary pickle's PROTO opcode (protocols 0–5). */
export const looksLikePickle = (head: Uint8Array) => head[0] === 0x80 && (head[1] ?? 0xff) <= 5;

/**
 * A file's format, by magic bytes first and by name second. `head` is at least the first 16 bytes (fewer
 * for shorter files).
 */
export function sniff(head: Uint8Array, name: string, size: number): SniffedFormat {
  const ext = extensionOf(name);
  const base = baseName(name).toLowerCase();
  const at = (bytes: number[], offset = 0) => bytes.every((byte, i) => head[offset + i] === byte);
  if (at([0x50, 0x4b, 0x03, 0x04]) || at([0x50, 0x4b, 0x05, 0x06])) return "zip";
  if (looksLikePickle(head)) return "pickle";
  if (at([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return "npy";
  if (at([0x47, 0x47, 0x55, 0x46])) return "gguf";
  if (at([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) return "hdf5";
  if (at([0x50, 0x41, 0x52, 0x31])) return "parquet";
  if (ext === "safetensors") return "safetensors";
  if (head.length >= 9 && size >= 10) {
    let headerLength = 0;
    for (let i = 7; i >= 0; i--) headerLength = headerLength * 256 + head[i]!;
    if (headerLength >= 2 && headerLength + 8 <= size && head[8] === 0x7b) return "safetensors";
  }
  if (ext === "onnx" || ext === "ort") return "onnx";
  if (ext === "gguf") return "gguf";
  if (PICKLE_EXTENSIONS.has(ext) || base.endsWith(".pkl.z")) {
    return compressionOf(head) ? "compressed-pickle" : "pickle";
  }
  if (ext === "h5" || ext === "hdf5" || ext === "keras") return ext === "keras" ? "zip" : "hdf5";
  if (base === "config.json" || base === "tokenizer_config.json" || base.endsWith(".safetensors.index.json"))
    return "config";
  if (ext === "json") return "json";
  if (ext === "py") return "python";
  if (TEXT_EXTENSIONS.has(ext)) return "text";
  return "unknown";
}
