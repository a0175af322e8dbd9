import { badRequest } from "../../core/errors.ts";
import { mediaBytes } from "../adapters/media-input.ts";

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

function numberParameter(
  parameters: Record<string, unknown>,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const value = parameters[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < range.min || value > range.max) {
    throw badRequest(`parameters.${name} must be a number from ${range.min} to ${range.max}`);
  }
  return value;
}

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
    detThreshold: numberParameter(parameters, "det_threshold", 0.3, { min: 0.01, max: 0.99 }),
    boxThreshold: numberParameter(parameters, "box_threshold", 0.6, { min: 0, max: 1 }),
    unclipRatio: numberParameter(parameters, "unclip_ratio", 1.5, { min: 0, max: 5 }),
    maxSideLen: Math.round(numberParameter(parameters, "max_side_len", 960, { min: 64, max: 4096 })),
    minConfidence: numberParameter(parameters, "min_confidence", 0.5, { min: 0, max: 1 }),
  };
}

/** The image bytes of a call (not yet decoded: decoding is async and happens in the model's run). */
export function readImageInputs(inputs: unknown): Buffer {
  if (typeof inputs === "object" && inputs !== null && !ArrayBuffer.isView(inputs)) {
    // The Hub's JSON form for image tasks nests the file: {"inputs": {"image": "<base64>"}}.
    const image = (inputs as { image?: unknown }).image;
    if (image !== undefined) return mediaBytes(image, "image");
  }
  return mediaBytes(inputs, "image");
}

/** Checks and normalises one call's inputs and parameters before a model is involved. */
export function prepareImageToTextCall(
  inputs: unknown,
  parameters: Record<string, unknown>,
): { inputs: Buffer; parameters: OcrParameters } {
  return { parameters: readOcrParameters(parameters), inputs: readImageInputs(inputs) };
}
