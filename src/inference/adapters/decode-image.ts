import { badRequest, HangarError } from "../../core/errors.ts";
import { loadSharp } from "./lazy-modules.ts";

/** An image as 8-bit RGB pixels, row by row. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

/** Raster formats accepted. SVG and PDF are refused: they are programs to render, not pictures. */
const RASTER_FORMATS = new Set(["jpeg", "png", "webp", "gif", "tiff", "avif", "heif"]);
/** Large enough for a 6000 x 6000 scan, small enough that one request cannot exhaust memory. */
export const MAX_IMAGE_PIXELS = 40_000_000;

function brokenImage(reason: string): never {
  throw badRequest(`Invalid image: ${reason}`);
}

function sharpReason(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
  if (/read error|premature end|truncated|corrupt|unexpected end|not enough data/i.test(message)) {
    return `the file is truncated or corrupt (${message})`;
  }
  return message.replace(/^Input buffer /, "the file ");
}

/**
 * Decodes PNG, JPEG, WebP (and GIF, TIFF, AVIF) bytes into RGB, applying EXIF orientation and flattening
 * transparency onto white, as a scan would look. A file that is not a readable raster image is a 400 naming
 * what is wrong.
 */
export async function decodeImage(bytes: Buffer): Promise<RgbImage> {
  if (bytes.byteLength === 0) brokenImage("the file is empty");
  const sharp = await loadSharp();
  let format: string | undefined;
  try {
    ({ format } = await sharp(bytes).metadata());
  } catch (error) {
    brokenImage(sharpReason(error));
  }
  if (!format || !RASTER_FORMATS.has(format)) {
    brokenImage(`${format ?? "unknown"} images are not supported; send PNG, JPEG or WebP`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: "truncated" })
      .rotate()
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) brokenImage(`decoded to ${info.channels} channels instead of 3`);
    return { data, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message)) {
      brokenImage(`the image has more than ${MAX_IMAGE_PIXELS} pixels`);
    }
    if (HangarError.isInstance(error)) throw error;
    brokenImage(sharpReason(error));
  }
}

/** Resizes (bilinear-like, via sharp) a region of an RGB image to exactly `width` x `height`. */
export async function resizeRegion(
  image: RgbImage,
  region: { left: number; top: number; width: number; height: number },
  width: number,
  height: number,
  rotate = 0,
): Promise<Buffer> {
  const sharp = await loadSharp();
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (
    region.left !== 0 ||
    region.top !== 0 ||
    region.width !== image.width ||
    region.height !== image.height
  ) {
    pipeline = pipeline.extract(region);
  }
  if (rotate !== 0) pipeline = pipeline.rotate(rotate);
  return pipeline.resize(width, height, { fit: "fill", kernel: "linear" }).raw().toBuffer();
}
