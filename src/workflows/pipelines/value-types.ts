/**
 * The types of values that flow between pipeline steps, and what each task takes and gives. Validation
 * walks references through these types, so a wrong field or a text where an image belongs is found before
 * anything runs.
 */
export type ValueType =
  | { kind: "text" }
  | { kind: "number" }
  | { kind: "boolean" }
  | { kind: "image" }
  | { kind: "audio" }
  | { kind: "any" }
  | { kind: "null" }
  | { kind: "list"; of: ValueType }
  | { kind: "object"; fields: Record<string, ValueType> };

const text: ValueType = { kind: "text" };
const number: ValueType = { kind: "number" };
const any: ValueType = { kind: "any" };
export const list = (of: ValueType): ValueType => ({ kind: "list", of });
const object = (fields: Record<string, ValueType>): ValueType => ({ kind: "object", fields });

/** Types a pipeline input may declare, by name. */
export const INPUT_TYPES: Record<string, ValueType> = {
  text,
  texts: list(text),
  number,
  image: { kind: "image" },
  audio: { kind: "audio" },
  json: any,
};

const LABELS = list(object({ label: text, score: number }));
const BOX = object({ xmin: number, ymin: number, xmax: number, ymax: number });

/** Per task: the input types it accepts and the output type it gives for each. */
export const TASK_TYPES: Record<string, { accepts: ValueType[]; output: (input: ValueType) => ValueType }> = {
  "text-classification": {
    accepts: [text, list(text)],
    output: (input) => (input.kind === "list" ? list(LABELS) : LABELS),
  },
  "zero-shot-classification": {
    accepts: [text],
    output: () => object({ sequence: text, labels: list(text), scores: list(number) }),
  },
  "token-classification": {
    accepts: [text],
    output: () => list(object({ entity_group: text, word: text, start: number, end: number, score: number })),
  },
  "feature-extraction": {
    accepts: [text, list(text)],
    output: (input) => (input.kind === "list" ? list(list(number)) : list(number)),
  },
  "sentence-similarity": {
    accepts: [object({ source_sentence: text, sentences: list(text) })],
    output: () => list(number),
  },
  "question-answering": {
    accepts: [object({ question: text, context: text })],
    output: () => object({ answer: text, score: number, start: number, end: number }),
  },
  "fill-mask": {
    accepts: [text],
    output: () => list(object({ score: number, token_str: text, sequence: text })),
  },
  "text-generation": {
    accepts: [text],
    output: () => object({ generated_text: text }),
  },
  "image-to-text": {
    accepts: [{ kind: "image" }],
    output: () =>
      object({
        generated_text: text,
        hangar: object({
          width: number,
          height: number,
          lines: list(object({ text, confidence: number, box: BOX })),
        }),
      }),
  },
  "voice-activity-detection": {
    accepts: [{ kind: "audio" }],
    output: () => list(object({ start: number, end: number, score: number })),
  },
};

export function describeType(type: ValueType): string {
  switch (type.kind) {
    case "list":
      return `list of ${describeType(type.of)}`;
    case "object":
      return `object {${Object.keys(type.fields).join(", ")}}`;
    default:
      return type.kind;
  }
}

/** Whether a value of type `given` fits where `wanted` is expected (`any` fits and takes everything). */
export function fits(given: ValueType, wanted: ValueType): boolean {
  if (given.kind === "any" || wanted.kind === "any") return true;
  // Images and audio arrive as bytes or base64 text.
  if ((wanted.kind === "image" || wanted.kind === "audio") && given.kind === "text") return true;
  if (given.kind !== wanted.kind) return false;
  if (given.kind === "list" && wanted.kind === "list") return fits(given.of, wanted.of);
  if (given.kind === "object" && wanted.kind === "object") {
    return Object.entries(wanted.fields).every(
      ([name, type]) => given.fields[name] !== undefined && fits(given.fields[name]!, type),
    );
  }
  return true;
}
