/** How Hangar's own runtime serves one task. */
export interface LocalTask {
  /** The transformers.js pipeline that runs it; absent when only a dedicated loader (VAD, OCR) serves it. */
  readonly pipeline?: string;
  /** Encoder tasks whose calls with equal parameters can run as one model call (dynamic batching). */
  readonly batchable: boolean;
}

/**
 * The one table of tasks Hangar's own runtime serves: the hub layer reads it to say whether a model "runs
 * locally", the transformers.js loader picks its pipeline from it, and the queue batches what it marks
 * batchable. The inference registry must serve exactly these (a test holds the two together).
 */
export const LOCAL_TASK_TABLE: Readonly<Record<string, LocalTask>> = {
  "text-classification": { pipeline: "text-classification", batchable: true },
  "token-classification": { pipeline: "token-classification", batchable: true },
  "feature-extraction": { pipeline: "feature-extraction", batchable: true },
  "sentence-similarity": { pipeline: "feature-extraction", batchable: true },
  "fill-mask": { pipeline: "fill-mask", batchable: true },
  "question-answering": { pipeline: "question-answering", batchable: true },
  "zero-shot-classification": { pipeline: "text-classification", batchable: true },
  "text-generation": { pipeline: "text-generation", batchable: false },
  "image-to-text": { batchable: false },
  "voice-activity-detection": { batchable: false },
};

export const LOCAL_TASKS: ReadonlySet<string> = new Set(Object.keys(LOCAL_TASK_TABLE));

/** Whether calls of `task` with equal parameters may share one model call. */
export function isBatchableTask(task: string): boolean {
  return LOCAL_TASK_TABLE[task]?.batchable === true;
}

/** The transformers.js pipeline of each task it serves. */
export const PIPELINE_OF_TASK: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(LOCAL_TASK_TABLE).flatMap(([task, entry]) =>
    entry.pipeline ? [[task, entry.pipeline]] : [],
  ),
);
