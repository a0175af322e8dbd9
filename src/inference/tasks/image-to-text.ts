import { badRequest } from "../../core/errors.ts";
import { base64Head, mediaBytes, sniffMedia } from "../adapters/media-input.ts";
import {
  definedOnly,
  isRecord,
  MEDIA_REQUEST_BYTES,
  numberOrDefault,
  type TaskDefinition,
} from "./task-definition.ts";

/**
 * image-to-text: the text in an image (OCR models) or a caption of it.
 *
 * inputs: a PNG, JPEG or WebP file (GIF, TIFF and AVIF also decode), sent as the raw request body on the Hub
 *   route or base64 in `inputs` of a JSON body.
 * parameters: the Hub's `max_new_tokens` and `generation_parameters` are accepted (OCR models ignore them);
 *   OCR models also take `detect` (true; false reads the whole image as one line), `det_threshold` (0.3),
 *   `box_threshold` (0.6), `unclip_ratio` (1.5), `max_side_len` (960) and `min_confidence` (0.5).
 * output: `{generated_text}` as `@huggingface/tasks` defines it (and as `InferenceClient.imageToText`
 *   requires); OCR models add `hangar: {width, height, lines: [{text, confidence, box}]}` with one entry per
 *   detected text line, in reading order, boxes in pixels of the input image.
 */
export const IMAGE_TO_TEXT = "image-to-text";

export interface OcrParameters {
  detect: boolean;
  detThreshold: number;
  boxThreshold: number;
  unclipRatio: number;
  maxSideLen: number;
  minConfidence: number;
}

export interface OcrLine {
  text: string;
  confidence: number;
  box: { xmin: number; ymin: number; xmax: number; ymax: number };
}

export interface ImageToTextOutput {
  generated_text: string;
  hangar?: { width: number; height: number; lines: OcrLine[] };
}

const HUB_PARAMETERS = new Set(["max_new_tokens", "generation_parameters"]);
const OCR_PARAMETERS = new Set([
  "detect",
  "det_threshold",
  "box_threshold",
  "unclip_ratio",
  "max_side_len",
  "min_confidence",
]);

export function readOcrParameters(parameters: Record<string, unknown>): OcrParameters {
  for (const name of Object.keys(parameters)) {
    if (!HUB_PARAMETERS.has(name) && !OCR_PARAMETERS.has(name)) {
      throw badRequest(
        `Unknown parameter "${name}" for image-to-text (known: ${[...HUB_PARAMETERS, ...OCR_PARAMETERS].join(", ")})`,
      );
    }
  }
  const maxNewTokens = parameters.max_new_tokens;
  if (maxNewTokens !== undefined && maxNewTokens !== null && !Number.isInteger(maxNewTokens)) {
    throw badRequest("parameters.max_new_tokens must be an integer");
  }
  const detect = parameters.detect ?? true;
  if (typeof detect !== "boolean") throw badRequest("parameters.detect must be true or false");
  return {
    detect,
    detThreshold: numberOrDefault(parameters, "det_threshold", 0.3, { min: 0.01, max: 0.99 }),
    boxThreshold: numberOrDefault(parameters, "box_threshold", 0.6, { min: 0, max: 1 }),
    unclipRatio: numberOrDefault(parameters, "unclip_ratio", 1.5, { min: 0, max: 5 }),
    maxSideLen: Math.round(numberOrDefault(parameters, "max_side_len", 960, { min: 64, max: 4096 })),
    minConfidence: numberOrDefault(parameters, "min_confidence", 0.5, { min: 0, max: 1 }),
  };
}

const IMAGE_KINDS = new Set(["png", "jpeg", "webp", "gif", "tiff", "avif", "heif"]);

/**
 * The image bytes of a call, checked to be an image format (decoding is async and happens in the model's
 * run, where a truncated or corrupt file is also a 400).
 */
export function readImageInputs(inputs: unknown): Buffer {
  let bytes: Buffer;
  if (typeof inputs === "object" && inputs !== null && !ArrayBuffer.isView(inputs) && "image" in inputs) {
    // The Hub's JSON form for image tasks may nest the file: {"inputs": {"image": "<base64>"}}.
    bytes = mediaBytes((inputs as { image: unknown }).image, "image");
  } else {
    bytes = mediaBytes(inputs, "image");
  }
  const kind = sniffMedia(bytes);
  if (kind === null || !IMAGE_KINDS.has(kind)) {
    throw badRequest(
      `Invalid image: ${kind === "wav" ? "this is WAV audio" : "not a PNG, JPEG, WebP, GIF, TIFF or AVIF file"} (${bytes.byteLength} bytes)`,
    );
  }
  return bytes;
}

/** The task as the runtime serves it; the model receives the image bytes. */
export const imageToTextTask: TaskDefinition = {
  task: IMAGE_TO_TEXT,
  summary: "Reads the text in an image (OCR)",
  truncates: false,
  maxRequestBytes: MEDIA_REQUEST_BYTES,
  outputUnit: "characters",
  countOutput: (output) =>
    isRecord(output) && typeof output.generated_text === "string" ? output.generated_text.length : 0,
  parse(inputs, parameters) {
    readOcrParameters(parameters);
    return {
      inputs: readImageInputs(inputs),
      parameters: definedOnly(
        Object.fromEntries(Object.entries(parameters).filter(([, value]) => value !== null)),
      ),
    };
  },
  matchBody(body) {
    const inputs = isRecord(body.inputs) && "image" in body.inputs ? body.inputs.image : body.inputs;
    const head =
      inputs instanceof Uint8Array ? inputs : typeof inputs === "string" ? base64Head(inputs) : undefined;
    if (!head) return 0;
    const kind = sniffMedia(head);
    return kind !== null && IMAGE_KINDS.has(kind) ? 2 : 1;
  },
  // An image has no characters to count: its requests are metered by their bytes.
  inputText: () => [],
  inputFromFile: (bytes) => bytes,
};
