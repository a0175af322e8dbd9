import { badRequest } from "../../core/errors.ts";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * The bytes of an image or audio input as the APIs carry it: raw bytes (the Hub route's request body), or a
 * base64 string or `data:` URL (the `inputs` field of a JSON body, as the Hub's JSON form sends files).
 */
export function mediaBytes(inputs: unknown, kind: "image" | "audio"): Buffer {
  if (Buffer.isBuffer(inputs)) return inputs;
  if (inputs instanceof Uint8Array) return Buffer.from(inputs.buffer, inputs.byteOffset, inputs.byteLength);
  if (inputs instanceof ArrayBuffer) return Buffer.from(inputs);
  if (typeof inputs === "string") {
    let text = inputs.trim();
    const dataUrl = /^data:([^,;]*)(;[^,]*)?,/.exec(text);
    if (dataUrl) {
      if (!dataUrl[2]?.includes("base64")) throw badRequest(`The ${kind} data URL must be base64-encoded`);
      text = text.slice(dataUrl[0].length);
    }
    // Each pass over a file of megabytes costs the event loop milliseconds: test once, strip only if needed.
    if (/\s/.test(text)) text = text.replace(/\s+/g, "");
    if (text.length === 0)
      throw badRequest(`inputs is an empty string; send the ${kind} file base64-encoded`);
    const encoding = BASE64.test(text) ? "base64" : BASE64_URL.test(text) ? "base64url" : null;
    if (!encoding) throw badRequest(`inputs must be the ${kind} file base64-encoded (or a base64 data: URL)`);
    return Buffer.from(text, encoding);
  }
  if (inputs === undefined || inputs === null) throw badRequest(`inputs is required: the ${kind} file`);
  throw badRequest(
    `inputs must be the ${kind} file: raw bytes as the request body, or a base64 string in a JSON body`,
  );
}

export type MediaKind = "wav" | "png" | "jpeg" | "webp" | "gif" | "tiff" | "avif" | "heif";

/** What a file is, from its first bytes; null when it is none of the formats the audio and image tasks read. */
export function sniffMedia(bytes: Uint8Array): MediaKind | null {
  const ascii = (start: number, end: number) => Buffer.from(bytes.subarray(start, end)).toString("latin1");
  if (bytes.byteLength >= 12 && ascii(0, 4) === "RIFF") {
    const form = ascii(8, 12);
    if (form === "WAVE") return "wav";
    if (form === "WEBP") return "webp";
  }
  if (bytes.byteLength >= 8 && ascii(0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (bytes.byteLength >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.byteLength >= 6 && (ascii(0, 6) === "GIF87a" || ascii(0, 6) === "GIF89a")) return "gif";
  if (bytes.byteLength >= 4 && (ascii(0, 4) === "II*\x00" || ascii(0, 4) === "MM\x00*")) return "tiff";
  if (bytes.byteLength >= 12 && ascii(4, 8) === "ftyp") {
    const brand = ascii(8, 12);
    if (brand === "avif" || brand === "avis") return "avif";
    if (["heic", "heix", "mif1", "msf1"].includes(brand)) return "heif";
  }
  return null;
}

/** The first bytes of a base64 string, decoded, for sniffing without decoding a whole file. */
export function base64Head(text: string, bytes = 16): Uint8Array {
  const body = text.startsWith("data:") ? text.slice(text.indexOf(",") + 1) : text;
  return Buffer.from(body.slice(0, Math.ceil(bytes / 3) * 4), "base64");
}
