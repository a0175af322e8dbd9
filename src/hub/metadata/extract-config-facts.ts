import { PIPELINE_DATA, type PipelineType } from "@huggingface/tasks";
import type { ModelConfigFacts, TransformersInfo } from "../../core/types.ts";

/** Keys transformers configs use for the longest input, most common first. */
const MAX_POSITION_KEYS = [
  "max_position_embeddings",
  "n_positions",
  "max_seq_len",
  "max_sequence_length",
  "seq_length",
  "n_ctx",
  "max_seq_length",
  "model_max_length",
];

/**
 * Architecture class suffix → transformers Auto class and pipeline, the way the Hub fills
 * `transformersInfo`. Longer suffixes come first so `ForSequenceClassification` wins over `Model`.
 */
const ARCHITECTURE_SUFFIXES: Array<[suffix: string, autoModel: string, pipeline: PipelineType | null]> = [
  ["ForSequenceClassification", "AutoModelForSequenceClassification", "text-classification"],
  ["ForTokenClassification", "AutoModelForTokenClassification", "token-classification"],
  ["ForTableQuestionAnswering", "AutoModelForTableQuestionAnswering", "table-question-answering"],
  ["ForDocumentQuestionAnswering", "AutoModelForDocumentQuestionAnswering", "document-question-answering"],
  ["ForQuestionAnswering", "AutoModelForQuestionAnswering", "question-answering"],
  ["ForMaskedLM", "AutoModelForMaskedLM", "fill-mask"],
  ["ForCausalLM", "AutoModelForCausalLM", "text-generation"],
  ["LMHeadModel", "AutoModelForCausalLM", "text-generation"],
  ["ForImageTextToText", "AutoModelForImageTextToText", "image-text-to-text"],
  ["ForVision2Seq", "AutoModelForVision2Seq", "image-to-text"],
  ["ForSpeechSeq2Seq", "AutoModelForSpeechSeq2Seq", "automatic-speech-recognition"],
  ["ForImageClassification", "AutoModelForImageClassification", "image-classification"],
  [
    "ForZeroShotImageClassification",
    "AutoModelForZeroShotImageClassification",
    "zero-shot-image-classification",
  ],
  ["ForObjectDetection", "AutoModelForObjectDetection", "object-detection"],
  ["ForZeroShotObjectDetection", "AutoModelForZeroShotObjectDetection", "zero-shot-object-detection"],
  ["ForSemanticSegmentation", "AutoModelForSemanticSegmentation", "image-segmentation"],
  ["ForInstanceSegmentation", "AutoModelForInstanceSegmentation", "image-segmentation"],
  ["ForUniversalSegmentation", "AutoModelForUniversalSegmentation", "image-segmentation"],
  ["ForDepthEstimation", "AutoModelForDepthEstimation", "depth-estimation"],
  ["ForVideoClassification", "AutoModelForVideoClassification", "video-classification"],
  ["ForAudioClassification", "AutoModelForAudioClassification", "audio-classification"],
  ["ForCTC", "AutoModelForCTC", "automatic-speech-recognition"],
  ["ForTextToSpectrogram", "AutoModelForTextToSpectrogram", "text-to-speech"],
  ["ForTextToWaveform", "AutoModelForTextToWaveform", "text-to-audio"],
  ["ForMultipleChoice", "AutoModelForMultipleChoice", null],
  ["ForNextSentencePrediction", "AutoModelForNextSentencePrediction", null],
  ["ForPreTraining", "AutoModelForPreTraining", null],
  // `@huggingface/tasks` dropped text2text-generation; a seq2seq card usually names its real task.
  ["ForConditionalGeneration", "AutoModelForSeq2SeqLM", "text-generation"],
  ["Model", "AutoModel", "feature-extraction"],
];

/** `ForConditionalGeneration` means different Auto classes by model family. */
const CONDITIONAL_GENERATION_BY_MODEL_TYPE: Record<string, [string, PipelineType]> = {
  whisper: ["AutoModelForSpeechSeq2Seq", "automatic-speech-recognition"],
  speech_to_text: ["AutoModelForSpeechSeq2Seq", "automatic-speech-recognition"],
  seamless_m4t: ["AutoModelForSpeechSeq2Seq", "automatic-speech-recognition"],
  blip: ["AutoModelForVision2Seq", "image-to-text"],
  "blip-2": ["AutoModelForVision2Seq", "image-to-text"],
  pix2struct: ["AutoModelForVision2Seq", "image-to-text"],
  llava: ["AutoModelForImageTextToText", "image-text-to-text"],
  llava_next: ["AutoModelForImageTextToText", "image-text-to-text"],
  paligemma: ["AutoModelForImageTextToText", "image-text-to-text"],
  idefics2: ["AutoModelForImageTextToText", "image-text-to-text"],
  idefics3: ["AutoModelForImageTextToText", "image-text-to-text"],
  qwen2_vl: ["AutoModelForImageTextToText", "image-text-to-text"],
  qwen2_5_vl: ["AutoModelForImageTextToText", "image-text-to-text"],
  gemma3: ["AutoModelForImageTextToText", "image-text-to-text"],
  mllama: ["AutoModelForImageTextToText", "image-text-to-text"],
  florence2: ["AutoModelForCausalLM", "image-text-to-text"],
};

/** Dual-encoder families whose bare `Model` class is used for zero-shot classification, not features. */
const ZERO_SHOT_IMAGE_MODEL_TYPES = new Set(["clip", "siglip", "siglip2", "chinese_clip", "altclip"]);

function positiveInteger(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : null;
}

function maxPositionsOf(config: Record<string, unknown>): number | null {
  for (const source of [config, config.text_config]) {
    if (!source || typeof source !== "object") continue;
    for (const key of MAX_POSITION_KEYS) {
      const value = positiveInteger((source as Record<string, unknown>)[key]);
      if (value !== null) return value;
    }
  }
  return null;
}

export function extractConfigFacts(config: Record<string, unknown>): ModelConfigFacts {
  const architectures = Array.isArray(config.architectures)
    ? config.architectures.filter((name): name is string => typeof name === "string")
    : [];
  let id2label: Record<string, string> | null = null;
  if (config.id2label && typeof config.id2label === "object" && !Array.isArray(config.id2label)) {
    id2label = {};
    for (const [id, label] of Object.entries(config.id2label as Record<string, unknown>)) {
      if (typeof label === "string") id2label[id] = label;
    }
  }
  const quantization = config.quantization_config as { quant_method?: unknown } | undefined;
  return {
    modelType: typeof config.model_type === "string" ? config.model_type : null,
    architectures,
    id2label,
    maxPositions: maxPositionsOf(config),
    customCode: Boolean(config.auto_map && typeof config.auto_map === "object"),
    quantMethod: typeof quantization?.quant_method === "string" ? quantization.quant_method : null,
  };
}

/** The Auto class, pipeline and processor transformers would use for the first architecture. */
export function deriveTransformersInfo(
  facts: ModelConfigFacts,
  config: Record<string, unknown>,
  paths: ReadonlySet<string>,
): TransformersInfo | null {
  const architecture = facts.architectures[0];
  if (!architecture) return null;
  const match = ARCHITECTURE_SUFFIXES.find(([suffix]) => architecture.endsWith(suffix));
  if (!match) return null;
  let [, autoModel, pipeline] = match;
  const special = facts.modelType ? CONDITIONAL_GENERATION_BY_MODEL_TYPE[facts.modelType] : undefined;
  if (match[0] === "ForConditionalGeneration" && special) [autoModel, pipeline] = special;
  if (match[0] === "Model" && facts.modelType && ZERO_SHOT_IMAGE_MODEL_TYPES.has(facts.modelType)) {
    pipeline = "zero-shot-image-classification";
  }
  const info: TransformersInfo = { auto_model: autoModel };
  if (pipeline) info.pipeline_tag = pipeline;
  const processor = processorFor(paths, pipeline);
  if (processor) info.processor = processor;
  const autoMap = config.auto_map as Record<string, unknown> | undefined;
  const customClass = autoMap?.[autoModel];
  if (typeof customClass === "string") info.custom_class = customClass;
  return info;
}

/** The processor class follows the preprocessing files present, as transformers' Auto loaders do. */
function processorFor(paths: ReadonlySet<string>, pipeline: PipelineType | null): string | null {
  const tokenizer =
    paths.has("tokenizer_config.json") || paths.has("tokenizer.json") || paths.has("vocab.txt");
  const preprocessor = paths.has("preprocessor_config.json") || paths.has("processor_config.json");
  const modality = pipeline ? PIPELINE_DATA[pipeline].modality : null;
  if (tokenizer && preprocessor) return "AutoProcessor";
  if (preprocessor) return modality === "audio" ? "AutoFeatureExtractor" : "AutoImageProcessor";
  if (tokenizer) return "AutoTokenizer";
  return null;
}
