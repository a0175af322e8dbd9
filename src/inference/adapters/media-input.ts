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
    text = text.replace(/\s+/g, "");
    if (text.length === 0)
      throw badRequest(`inputs is an empty string; send the ${kind} file base64-encoded`);
    if (!BASE64.test(text) && !BASE64_URL.test(text)) {
      throw badRequest(`inputs must be the ${kind} file base64-encoded (or a base64 data: URL)`);
    }
    return Buffer.from(text, BASE64.test(text) ? "base64" : "base64url");
  }
  if (inputs === undefined || inputs === null) throw badRequest(`inputs is required: the ${kind} file`);
  throw badRequest(
    `inputs must be the ${kind} file: raw bytes as the request body, or a base64 string in a JSON body`,
  );
}
