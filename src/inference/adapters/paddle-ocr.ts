import type * as Ort from "onnxruntime-node";
import { badRequest } from "../../core/errors.ts";
import {
  type InferenceCall,
  type LoadedModel,
  type LoadOptions,
  type ModelLoader,
  type ModelRuntimeInfo,
  type ModelSource,
  modelKey,
} from "../runtime/model-loader.ts";
import {
  IMAGE_TO_TEXT,
  type ImageToTextOutput,
  type OcrLine,
  type OcrParameters,
  readImageInputs,
  readOcrParameters,
} from "../tasks/image-to-text.ts";
import { decodeImage, type RgbImage, resizeRegion } from "./decode-image.ts";
import { loadOnnxRuntime, type OnnxRuntime } from "./lazy-modules.ts";
import { configuredFile, filesSize, loadFailure, modelConfig, throwIfAborted } from "./onnx-files.ts";

export const PADDLEOCR_MODEL_TYPE = "paddleocr";

// PaddleOCR's preprocessing constants for PP-OCRv4 (det: ImageNet mean/std on BGR; rec: [-1, 1] at height 48).
const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];
const REC_HEIGHT = 48;
const REC_MIN_WIDTH = 320;
const REC_MAX_WIDTH = 3200;
const REC_BATCH = 6;
/** White kept around a detected box when reading it, as a fraction of the box's shorter side. */
const CROP_MARGIN = 0.2;
/** Components whose shorter side is below this many pixels of the probability map are noise. */
const MIN_BOX_SIDE = 3;
const MAX_CANDIDATES = 1000;

interface Box {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** Image pixels (RGB) → a planar BGR float tensor, each channel normalised as `(v / 255 - mean) / std`. */
function bgrTensor(
  pixels: Buffer,
  width: number,
  height: number,
  mean: readonly number[],
  std: readonly number[],
  paddedWidth = width,
): Float32Array {
  const plane = height * paddedWidth;
  const out = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const source = (y * width + x) * 3;
      const target = y * paddedWidth + x;
      for (let c = 0; c < 3; c++) {
        // Channel c of the tensor is BGR order: B is RGB channel 2.
        out[c * plane + target] = (pixels[source + 2 - c]! / 255 - mean[c]!) / std[c]!;
      }
    }
  }
  return out;
}

/** The size the detector sees: longest side at most `maxSide`, both sides multiples of 32. */
function detectionSize(image: RgbImage, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const round32 = (value: number) => Math.max(32, Math.round((value * scale) / 32) * 32);
  return { width: round32(image.width), height: round32(image.height) };
}

/**
 * DB post-processing with axis-aligned boxes: threshold the probability map, take 8-connected components,
 * keep those whose mean probability over their box reaches `boxThreshold`, then grow each box by
 * `area * unclipRatio / perimeter` (the detector is trained on text regions shrunk by that much).
 */
export function boxesFromProbabilities(
  probabilities: Float32Array,
  width: number,
  height: number,
  parameters: Pick<OcrParameters, "detThreshold" | "boxThreshold" | "unclipRatio">,
): Box[] {
  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const boxes: Box[] = [];
  let next = 0;
  for (let start = 0; start < labels.length; start++) {
    if (labels[start] !== 0 || probabilities[start]! <= parameters.detThreshold) continue;
    next++;
    let xmin = width;
    let ymin = height;
    let xmax = -1;
    let ymax = -1;
    let top = 0;
    stack[top++] = start;
    labels[start] = next;
    while (top > 0) {
      const index = stack[--top]!;
      const x = index % width;
      const y = (index - x) / width;
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const neighbour = ny * width + nx;
          if (labels[neighbour] === 0 && probabilities[neighbour]! > parameters.detThreshold) {
            labels[neighbour] = next;
            stack[top++] = neighbour;
          }
        }
      }
    }
    const boxWidth = xmax - xmin + 1;
    const boxHeight = ymax - ymin + 1;
    if (Math.min(boxWidth, boxHeight) < MIN_BOX_SIDE) continue;
    let sum = 0;
    for (let y = ymin; y <= ymax; y++) {
      for (let x = xmin; x <= xmax; x++) sum += probabilities[y * width + x]!;
    }
    if (sum / (boxWidth * boxHeight) < parameters.boxThreshold) continue;
    const grow = (boxWidth * boxHeight * parameters.unclipRatio) / (2 * (boxWidth + boxHeight));
    if (Math.min(boxWidth, boxHeight) + 2 * grow < MIN_BOX_SIDE + 2) continue;
    boxes.push({
      xmin: Math.max(0, xmin - grow),
      ymin: Math.max(0, ymin - grow),
      xmax: Math.min(width, xmax + 1 + grow),
      ymax: Math.min(height, ymax + 1 + grow),
    });
    if (boxes.length >= MAX_CANDIDATES) break;
  }
  return boxes;
}

/** Reading order: rows from top to bottom (a box joins a row when its centre is within the row's first box), left to right in a row. */
export function readingOrder(boxes: readonly Box[]): Box[][] {
  const rows: Box[][] = [];
  for (const box of [...boxes].sort((a, b) => a.ymin - b.ymin || a.xmin - b.xmin)) {
    const centre = (box.ymin + box.ymax) / 2;
    const row = rows.find((candidate) => centre >= candidate[0]!.ymin && centre <= candidate[0]!.ymax);
    if (row) row.push(box);
    else rows.push([box]);
  }
  for (const row of rows) row.sort((a, b) => a.xmin - b.xmin);
  return rows;
}

/** Greedy CTC: best class per step, repeats collapsed, blanks (class 0) dropped. */
export function ctcGreedyDecode(
  scores: Float32Array,
  steps: number,
  classes: number,
  alphabet: readonly string[],
): { text: string; confidence: number } {
  let text = "";
  let sum = 0;
  let count = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    const offset = t * classes;
    for (let c = 0; c < classes; c++) {
      const score = scores[offset + c]!;
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += alphabet[best] ?? "";
      sum += bestScore;
      count++;
    }
    previous = best;
  }
  return { text, confidence: count === 0 ? 0 : sum / count };
}

class PaddleOcrModel implements LoadedModel {
  readonly tasks = [IMAGE_TO_TEXT];
  private warmedUp = false;

  constructor(
    readonly key: string,
    readonly memoryBytes: number,
    private readonly ort: OnnxRuntime,
    private readonly detection: Ort.InferenceSession,
    private readonly recognition: Ort.InferenceSession,
    /** Class index → text: `blank`, the dictionary, then a space. */
    private readonly alphabet: readonly string[],
    private readonly sessionOptions: Ort.InferenceSession.SessionOptions,
  ) {}

  get runtime(): ModelRuntimeInfo {
    return { sessionOptions: this.sessionOptions, warmedUp: this.warmedUp };
  }

  /**
   * One run of each session on a blank input of the smallest size it takes (a 32 x 32 page for the
   * detector, one 48 x 320 line for the recogniser), so the first request does not pay for onnxruntime's
   * first-run set-up. Tens of milliseconds against the hundreds the two sessions take to open.
   */
  async warmUp(): Promise<void> {
    const page = new this.ort.Tensor("float32", new Float32Array(3 * 32 * 32), [1, 3, 32, 32]);
    await this.detection.run({ [this.detection.inputNames[0]!]: page });
    const line = new this.ort.Tensor("float32", new Float32Array(3 * REC_HEIGHT * REC_MIN_WIDTH), [
      1,
      3,
      REC_HEIGHT,
      REC_MIN_WIDTH,
    ]);
    await this.recognition.run({ [this.recognition.inputNames[0]!]: line });
    this.warmedUp = true;
  }

  async run(call: InferenceCall): Promise<ImageToTextOutput> {
    if (call.task !== IMAGE_TO_TEXT) throw badRequest(`This model does ${IMAGE_TO_TEXT}, not ${call.task}`);
    const parameters = readOcrParameters(call.parameters);
    const image = await decodeImage(readImageInputs(call.inputs));
    throwIfAborted(call.signal);
    const boxes = parameters.detect
      ? await this.detect(image, parameters)
      : [{ xmin: 0, ymin: 0, xmax: image.width, ymax: image.height }];
    const rows = readingOrder(boxes);
    const ordered = rows.flat();
    throwIfAborted(call.signal);
    const read = await this.recognise(image, ordered, call.signal);
    const lines: OcrLine[] = [];
    const rowTexts: string[] = [];
    let index = 0;
    for (const row of rows) {
      const texts: string[] = [];
      for (const box of row) {
        const result = read[index++]!;
        const text = result.text.trim();
        if (text.length === 0 || result.confidence < parameters.minConfidence) continue;
        texts.push(text);
        lines.push({ text, confidence: round4(result.confidence), box });
      }
      if (texts.length > 0) rowTexts.push(texts.join(" "));
    }
    return {
      generated_text: rowTexts.join("\n"),
      hangar: { width: image.width, height: image.height, lines },
    };
  }

  private async detect(image: RgbImage, parameters: OcrParameters): Promise<Box[]> {
    const size = detectionSize(image, parameters.maxSideLen);
    const pixels = await resizeRegion(
      image,
      { left: 0, top: 0, width: image.width, height: image.height },
      size.width,
      size.height,
    );
    const input = new this.ort.Tensor(
      "float32",
      bgrTensor(pixels, size.width, size.height, DET_MEAN, DET_STD),
      [1, 3, size.height, size.width],
    );
    const output = await this.detection.run({ [this.detection.inputNames[0]!]: input });
    const map = output[this.detection.outputNames[0]!]!;
    const [, , mapHeight, mapWidth] = map.dims as number[];
    const scaleX = image.width / mapWidth!;
    const scaleY = image.height / mapHeight!;
    return boxesFromProbabilities(map.data as Float32Array, mapWidth!, mapHeight!, parameters).map((box) => ({
      xmin: Math.max(0, Math.floor(box.xmin * scaleX)),
      ymin: Math.max(0, Math.floor(box.ymin * scaleY)),
      xmax: Math.min(image.width, Math.ceil(box.xmax * scaleX)),
      ymax: Math.min(image.height, Math.ceil(box.ymax * scaleY)),
    }));
  }

  /** Reads each box as one line, in batches of similar width as PaddleOCR does (padding wastes less). */
  private async recognise(
    image: RgbImage,
    boxes: readonly Box[],
    signal: AbortSignal,
  ): Promise<Array<{ text: string; confidence: number }>> {
    const results = new Array<{ text: string; confidence: number }>(boxes.length);
    const crops = boxes.map((box, index) => {
      // DB boxes hug the glyphs; without some white around them the recogniser drops word spaces
      // ("Invoicetotal42.50EUR" for "Invoice total 42.50 EUR"), so it reads each box with a margin.
      const margin = Math.round(CROP_MARGIN * Math.min(box.xmax - box.xmin, box.ymax - box.ymin));
      const left = Math.max(0, box.xmin - margin);
      const top = Math.max(0, box.ymin - margin);
      const width = Math.max(1, Math.min(image.width, box.xmax + margin) - left);
      const height = Math.max(1, Math.min(image.height, box.ymax + margin) - top);
      // Tall narrow boxes are vertical text: PaddleOCR turns them a quarter counter-clockwise.
      const rotate = height >= 1.5 * width ? 270 : 0;
      const ratio = rotate ? height / width : width / height;
      const targetWidth = Math.min(REC_MAX_WIDTH, Math.max(1, Math.ceil(REC_HEIGHT * ratio)));
      return { index, region: { left, top, width, height }, rotate, targetWidth };
    });
    crops.sort((a, b) => a.targetWidth - b.targetWidth);
    for (let first = 0; first < crops.length; first += REC_BATCH) {
      throwIfAborted(signal);
      const batch = crops.slice(first, first + REC_BATCH);
      const paddedWidth = Math.max(REC_MIN_WIDTH, ...batch.map((crop) => crop.targetWidth));
      const plane = 3 * REC_HEIGHT * paddedWidth;
      const data = new Float32Array(batch.length * plane);
      for (const [position, crop] of batch.entries()) {
        const pixels = await resizeRegion(image, crop.region, crop.targetWidth, REC_HEIGHT, crop.rotate);
        const tensor = bgrTensor(
          pixels,
          crop.targetWidth,
          REC_HEIGHT,
          [0.5, 0.5, 0.5],
          [0.5, 0.5, 0.5],
          paddedWidth,
        );
        data.set(tensor, position * plane);
      }
      const input = new this.ort.Tensor("float32", data, [batch.length, 3, REC_HEIGHT, paddedWidth]);
      const output = await this.recognition.run({ [this.recognition.inputNames[0]!]: input });
      const scores = output[this.recognition.outputNames[0]!]!;
      const [, steps, classes] = scores.dims as number[];
      const all = scores.data as Float32Array;
      for (const [position, crop] of batch.entries()) {
        const slice = all.subarray(position * steps! * classes!, (position + 1) * steps! * classes!);
        results[crop.index] = ctcGreedyDecode(slice, steps!, classes!, this.alphabet);
      }
    }
    return results;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.detection.release(), this.recognition.release()]);
  }
}

function round4(value: number): number {
  return Math.round(value * 10000) / 10000;
}

export const paddleOcrLoader: ModelLoader = {
  name: "paddleocr",
  tasksFor(source: ModelSource): string[] {
    return modelConfig(source).model_type === PADDLEOCR_MODEL_TYPE ? [IMAGE_TO_TEXT] : [];
  },
  async load(source: ModelSource, options: LoadOptions): Promise<LoadedModel> {
    const opened: Ort.InferenceSession[] = [];
    try {
      const detectionPath = configuredFile(source, "detection_model", "ch_PP-OCRv4_det_infer.onnx");
      const recognitionPath = configuredFile(source, "recognition_model", "ch_PP-OCRv4_rec_infer.onnx");
      const dictionaryPath = configuredFile(source, "character_dict", "ppocr_keys_v1.txt");
      const keys = (await source.readFile(dictionaryPath))
        .toString("utf8")
        .split("\n")
        .map((line) => line.replace(/\r$/, ""));
      if (keys.at(-1) === "") keys.pop();
      const ort = await loadOnnxRuntime();
      const sessionOptions: Ort.InferenceSession.SessionOptions = {
        graphOptimizationLevel: "all",
        ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      };
      for (const path of [detectionPath, recognitionPath]) {
        opened.push(await ort.InferenceSession.create(await source.localPath(path), sessionOptions));
      }
      const [detection, recognition] = opened as [Ort.InferenceSession, Ort.InferenceSession];
      const classes = recognition.outputMetadata[0];
      const alphabet = ["blank", ...keys, " "];
      const declared = classes?.isTensor ? classes.shape.at(-1) : undefined;
      if (typeof declared === "number" && declared !== alphabet.length) {
        throw new Error(
          `${recognitionPath} has ${declared} classes but ${dictionaryPath} gives ${alphabet.length} (blank, ${keys.length} characters, space)`,
        );
      }
      const memory = 4 * filesSize(source, [detectionPath, recognitionPath]) + 96 * 1024 * 1024;
      const model = new PaddleOcrModel(
        modelKey(source),
        memory,
        ort,
        detection,
        recognition,
        alphabet,
        sessionOptions,
      );
      await model.warmUp();
      return model;
    } catch (error) {
      await Promise.all(opened.map((session) => session.release()));
      throw loadFailure(source, error);
    }
  },
};
