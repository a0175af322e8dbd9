import { badRequest } from "../core/errors.ts";
import type { RepoRef } from "../core/types.ts";
import type { HubContext } from "../hub/hub.ts";
import { type CommitModelFilesResult, commitModelFiles } from "./commit-model.ts";
import { buildEmbedderModel } from "./embedder.ts";
import { buildEncoderBenchmarkModel, type EncoderDtype, type EncoderSize } from "./encoder-benchmark.ts";
import { buildFillMaskModel } from "./fill-mask.ts";
import { buildGeneratorModel } from "./generator.ts";
import type { BuiltModel } from "./model-files.ts";
import { buildNerModel } from "./ner-model.ts";
import { buildQuestionAnsweringModel } from "./question-answering.ts";
import { buildSentimentModel } from "./sentiment.ts";
import { buildZeroShotModel } from "./zero-shot.ts";

/** The kinds of model the factory makes. */
export const MODEL_KINDS = [
  "sentiment",
  "ner",
  "embedder",
  "generator",
  "fill-mask",
  "question-answering",
  "zero-shot",
  "bert-base",
  "minilm",
] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export const ENCODER_SIZE_NAMES: readonly EncoderSize[] = ["base", "mini", "tiny"];
export const ENCODER_DTYPES: readonly EncoderDtype[] = ["fp32", "int8"];

export interface BuildModelOptions {
  /** The repo name, written into the card's model-index. */
  name: string;
  /** For bert-base and minilm: the shape (default: the kind's own; `tiny` for tests). */
  size?: EncoderSize;
  /** For bert-base and minilm: fp32 (onnx/model.onnx) or int8 (onnx/model_quantized.onnx). */
  dtype?: EncoderDtype;
}

export function isModelKind(kind: string): kind is ModelKind {
  return (MODEL_KINDS as readonly string[]).includes(kind);
}

/** Builds a model's files in memory, without touching the hub. */
export async function buildModel(kind: ModelKind, options: BuildModelOptions): Promise<BuiltModel> {
  switch (kind) {
    case "sentiment":
      return buildSentimentModel(options);
    case "ner":
      return buildNerModel(options);
    case "embedder":
      return buildEmbedderModel(options);
    case "generator":
      return buildGeneratorModel(options);
    case "fill-mask":
      return buildFillMaskModel(options);
    case "question-answering":
      return buildQuestionAnsweringModel(options);
    case "zero-shot":
      return buildZeroShotModel(options);
    case "bert-base":
    case "minilm":
      return buildEncoderBenchmarkModel({
        name: options.name,
        size: options.size ?? (kind === "bert-base" ? "base" : "mini"),
        dtype: options.dtype ?? "fp32",
      });
  }
}

export interface MakeModelParams {
  kind: string;
  repo: RepoRef;
  size?: string;
  dtype?: string;
  message?: string;
  onFileStored?: (path: string, bytes: number) => void;
}

export interface MakeModelResult extends CommitModelFilesResult {
  kind: ModelKind;
  pipelineTag: string;
  files: Record<string, number>;
  facts: BuiltModel["facts"];
}

/** Builds a model of the given kind and commits it to the hub as one commit on main. */
export async function makeModel(hub: HubContext, params: MakeModelParams): Promise<MakeModelResult> {
  const kind = params.kind;
  if (!isModelKind(kind))
    throw badRequest(`Unknown model kind "${kind}": expected one of ${MODEL_KINDS.join(", ")}`);
  if (params.repo.type !== "model") throw badRequest("The model factory writes model repos only");
  const encoder = kind === "bert-base" || kind === "minilm";
  if ((params.size !== undefined || params.dtype !== undefined) && !encoder)
    throw badRequest(`--size and --dtype apply to bert-base and minilm only, not ${kind}`);
  if (params.size !== undefined && !(ENCODER_SIZE_NAMES as readonly string[]).includes(params.size))
    throw badRequest(`Unknown size "${params.size}": expected one of ${ENCODER_SIZE_NAMES.join(", ")}`);
  if (params.dtype !== undefined && !(ENCODER_DTYPES as readonly string[]).includes(params.dtype))
    throw badRequest(`Unknown dtype "${params.dtype}": expected one of ${ENCODER_DTYPES.join(", ")}`);
  const built = await buildModel(kind, {
    name: params.repo.name,
    ...(params.size ? { size: params.size as EncoderSize } : {}),
    ...(params.dtype ? { dtype: params.dtype as EncoderDtype } : {}),
  });
  const result = await commitModelFiles(hub, {
    repo: params.repo,
    files: built.files,
    message: params.message ?? `Make ${kind} model (Hangar model factory)`,
    ...(params.onFileStored ? { onFileStored: params.onFileStored } : {}),
  });
  return {
    ...result,
    kind,
    pipelineTag: built.pipelineTag,
    facts: built.facts,
    files: Object.fromEntries(
      Object.entries(built.files).map(([path, content]) => [
        path,
        typeof content === "string" ? Buffer.byteLength(content) : content.byteLength,
      ]),
    ),
  };
}
