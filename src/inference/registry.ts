import { paddleOcrLoader } from "./adapters/paddle-ocr.ts";
import { sileroVadLoader } from "./adapters/silero-vad.ts";
import type { ModelLoader } from "./runtime/model-loader.ts";
import { transformersLoader } from "./runtime/transformers-loader.ts";
import { featureExtractionTask } from "./tasks/feature-extraction.ts";
import { fillMaskTask } from "./tasks/fill-mask.ts";
import { imageToTextTask } from "./tasks/image-to-text.ts";
import { questionAnsweringTask } from "./tasks/question-answering.ts";
import { sentenceSimilarityTask } from "./tasks/sentence-similarity.ts";
import type { TaskDefinition } from "./tasks/task-definition.ts";
import { textClassificationTask } from "./tasks/text-classification.ts";
import { textGenerationTask } from "./tasks/text-generation.ts";
import { tokenClassificationTask } from "./tasks/token-classification.ts";
import { voiceActivityDetectionTask } from "./tasks/voice-activity-detection.ts";
import { zeroShotClassificationTask } from "./tasks/zero-shot-classification.ts";

/**
 * The loaders and tasks every Hangar instance has. To add a model family or a task, add one line here
 * (loaders are asked in order: the first whose `tasksFor` is non-empty loads the model).
 */
export const BUILT_IN_LOADERS: readonly ModelLoader[] = [
  sileroVadLoader,
  paddleOcrLoader,
  transformersLoader,
];

export const BUILT_IN_TASKS: readonly TaskDefinition[] = [
  textClassificationTask,
  tokenClassificationTask,
  featureExtractionTask,
  sentenceSimilarityTask,
  fillMaskTask,
  questionAnsweringTask,
  zeroShotClassificationTask,
  textGenerationTask,
  imageToTextTask,
  voiceActivityDetectionTask,
];

/** The loaders and tasks one runtime serves: the built-in ones plus any registered by an embedding program. */
export class InferenceRegistry {
  readonly loaders: ModelLoader[];
  private readonly tasks = new Map<string, TaskDefinition>();

  constructor(loaders: readonly ModelLoader[] = BUILT_IN_LOADERS, tasks = BUILT_IN_TASKS) {
    // Specific loaders (VAD, OCR) registered later are asked before the general transformers.js one.
    this.loaders = [...loaders];
    for (const task of tasks) this.registerTask(task);
  }

  /** Adds a loader, asked before the ones already there. */
  registerLoader(loader: ModelLoader): void {
    this.loaders.unshift(loader);
  }

  registerTask(task: TaskDefinition): void {
    this.tasks.set(task.task, task);
  }

  task(name: string): TaskDefinition | undefined {
    return this.tasks.get(name);
  }

  taskNames(): string[] {
    return [...this.tasks.keys()];
  }
}
