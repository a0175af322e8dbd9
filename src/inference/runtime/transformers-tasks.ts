import { PIPELINE_OF_TASK } from "../../core/local-tasks.ts";
import type { ModelSource } from "./model-loader.ts";

function tasksFromArchitectures(architectures: string[], config: Record<string, unknown>): string[] {
  const tasks: string[] = [];
  for (const architecture of architectures) {
    if (architecture.endsWith("ForSequenceClassification")) {
      tasks.push("text-classification");
      const labels = Object.keys((config.label2id as Record<string, number> | undefined) ?? {});
      if (labels.some((label) => label.toLowerCase() === "entailment"))
        tasks.push("zero-shot-classification");
    } else if (architecture.endsWith("ForTokenClassification")) tasks.push("token-classification");
    else if (architecture.endsWith("ForQuestionAnswering")) tasks.push("question-answering");
    else if (architecture.endsWith("ForMaskedLM")) tasks.push("fill-mask");
    else if (architecture.endsWith("ForCausalLM") || architecture.endsWith("LMHeadModel")) {
      tasks.push("text-generation");
    } else if (architecture.endsWith("Model")) tasks.push("feature-extraction", "sentence-similarity");
  }
  return tasks;
}

export function weightFile(source: ModelSource): { path: string; dtype: "fp32" | "q8" } | undefined {
  const paths = new Set(source.files.map((file) => file.path));
  if (paths.has("onnx/model.onnx")) return { path: "onnx/model.onnx", dtype: "fp32" };
  if (paths.has("onnx/model_quantized.onnx")) return { path: "onnx/model_quantized.onnx", dtype: "q8" };
  return undefined;
}

export function tasksOf(source: ModelSource): string[] {
  const paths = new Set(source.files.map((file) => file.path));
  if (!["config.json", "tokenizer.json", "tokenizer_config.json"].every((path) => paths.has(path))) return [];
  if (!weightFile(source)) return [];
  const config = source.metadata.config ?? {};
  if (typeof config.model_type !== "string") return [];
  const architectures = Array.isArray(config.architectures) ? (config.architectures as string[]) : [];
  const fromArchitectures = tasksFromArchitectures(architectures, config);
  const pipelineTag = source.metadata.model?.pipelineTag ?? source.metadata.card?.pipelineTag ?? null;
  const tasks = fromArchitectures.length > 0 ? fromArchitectures : pipelineTag ? [pipelineTag] : [];
  if (tasks.includes("feature-extraction") && !tasks.includes("sentence-similarity")) {
    tasks.push("sentence-similarity");
  }
  const supported = tasks.filter((task) => task in PIPELINE_OF_TASK);
  // The model's own pipeline tag first: it is what a bare `POST /models/{id}` means.
  if (pipelineTag && supported.includes(pipelineTag)) {
    return [pipelineTag, ...supported.filter((task) => task !== pipelineTag)];
  }
  return [...new Set(supported)];
}
