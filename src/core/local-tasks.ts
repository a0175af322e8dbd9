/**
 * The tasks Hangar's own runtime serves. The hub layer uses it to say whether a model "runs locally"; the
 * inference registry must serve exactly these (a test holds the two together).
 */
export const LOCAL_TASKS: ReadonlySet<string> = new Set([
  "text-classification",
  "token-classification",
  "feature-extraction",
  "sentence-similarity",
  "fill-mask",
  "question-answering",
  "zero-shot-classification",
  "text-generation",
  "image-to-text",
  "voice-activity-detection",
]);
