import type { BaseRelation } from "../../core/catalog-types.ts";

// What a synthetic catalog is drawn from (generate-catalog.ts): tasks with their weights, libraries, sizes
// and name parts, licences, languages and the relations of derived models, as weighted tables.

type Weighted<T> = ReadonlyArray<readonly [T, number]>;

function picker<T>(table: Weighted<T>): (random: () => number) => T {
  const total = table.reduce((sum, [, weight]) => sum + weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const [, weight] of table) {
    running += weight / total;
    cumulative.push(running);
  }
  return (random) => {
    const r = random();
    for (let index = 0; index < cumulative.length; index++)
      if (r < cumulative[index]!) return table[index]![0];
    return table[table.length - 1]![0];
  };
}

export interface TaskProfile {
  task: string;
  weight: number;
  libraries: Weighted<string>;
  /** log10 of the parameter count: typical value and spread. */
  logParams: [number, number];
  family: readonly string[];
}

const TRANSFORMERS_HEAVY: Weighted<string> = [
  ["transformers", 70],
  ["transformers.js", 5],
  ["onnx", 5],
  ["setfit", 3],
  ["adapter-transformers", 2],
];

// Weights loosely follow the public Hub's task counts: text generation dominates, then classification,
// embeddings, speech and diffusion.
export const TASKS: TaskProfile[] = [
  {
    task: "text-generation",
    weight: 34,
    libraries: [
      ["transformers", 60],
      ["gguf", 15],
      ["peft", 12],
      ["mlx", 5],
      ["mlc-llm", 2],
    ],
    logParams: [9.3, 0.7],
    family: ["llama", "qwen", "mistral", "gemma", "phi", "smol", "falcon", "gpt2", "pythia", "olmo"],
  },
  {
    task: "text-classification",
    weight: 12,
    libraries: TRANSFORMERS_HEAVY,
    logParams: [8.1, 0.4],
    family: ["bert", "roberta", "deberta", "distilbert", "electra", "xlm-roberta"],
  },
  {
    task: "token-classification",
    weight: 4,
    libraries: TRANSFORMERS_HEAVY,
    logParams: [8.1, 0.4],
    family: ["bert", "roberta", "deberta", "distilbert"],
  },
  {
    task: "sentence-similarity",
    weight: 6,
    libraries: [
      ["sentence-transformers", 80],
      ["transformers", 10],
      ["transformers.js", 5],
    ],
    logParams: [8.0, 0.5],
    family: ["minilm", "mpnet", "bge", "e5", "gte"],
  },
  {
    task: "feature-extraction",
    weight: 4,
    libraries: [
      ["transformers", 50],
      ["sentence-transformers", 40],
    ],
    logParams: [8.2, 0.5],
    family: ["bert", "bge", "e5", "nomic"],
  },
  {
    task: "fill-mask",
    weight: 3,
    libraries: TRANSFORMERS_HEAVY,
    logParams: [8.1, 0.4],
    family: ["bert", "roberta", "modernbert"],
  },
  {
    task: "question-answering",
    weight: 2,
    libraries: TRANSFORMERS_HEAVY,
    logParams: [8.1, 0.4],
    family: ["bert", "roberta", "deberta"],
  },
  {
    task: "translation",
    weight: 2,
    libraries: TRANSFORMERS_HEAVY,
    logParams: [8.0, 0.5],
    family: ["marian", "t5", "nllb", "m2m100"],
  },
  {
    task: "summarization",
    weight: 1.5,
    libraries: TRANSFORMERS_HEAVY,
    logParams: [8.5, 0.4],
    family: ["bart", "t5", "pegasus"],
  },
  {
    task: "automatic-speech-recognition",
    weight: 5,
    libraries: [
      ["transformers", 70],
      ["nemo", 8],
      ["speechbrain", 6],
      ["ctranslate2", 6],
    ],
    logParams: [8.4, 0.5],
    family: ["whisper", "wav2vec2", "hubert", "parakeet"],
  },
  {
    task: "text-to-speech",
    weight: 2,
    libraries: [
      ["transformers", 30],
      ["coqui", 15],
      ["espnet", 15],
      ["onnx", 10],
    ],
    logParams: [8.0, 0.5],
    family: ["speecht5", "vits", "bark", "kokoro"],
  },
  {
    task: "audio-classification",
    weight: 1.5,
    libraries: TRANSFORMERS_HEAVY,
    logParams: [7.9, 0.4],
    family: ["ast", "wav2vec2", "hubert"],
  },
  {
    task: "text-to-image",
    weight: 7,
    libraries: [
      ["diffusers", 75],
      ["peft", 15],
    ],
    logParams: [9.1, 0.5],
    family: ["sdxl", "sd15", "flux", "sd3", "pixart"],
  },
  {
    task: "image-classification",
    weight: 4,
    libraries: [
      ["transformers", 55],
      ["timm", 35],
      ["keras", 5],
    ],
    logParams: [7.6, 0.5],
    family: ["vit", "convnext", "resnet", "efficientnet", "swin"],
  },
  {
    task: "object-detection",
    weight: 1.5,
    libraries: [
      ["transformers", 50],
      ["ultralytics", 40],
    ],
    logParams: [7.6, 0.4],
    family: ["detr", "yolo", "rtdetr"],
  },
  {
    task: "image-segmentation",
    weight: 1,
    libraries: TRANSFORMERS_HEAVY,
    logParams: [7.8, 0.5],
    family: ["segformer", "mask2former", "sam"],
  },
  {
    task: "image-text-to-text",
    weight: 3,
    libraries: [["transformers", 80]],
    logParams: [9.6, 0.5],
    family: ["llava", "qwen-vl", "idefics", "paligemma", "smolvlm"],
  },
  {
    task: "image-to-text",
    weight: 1,
    libraries: TRANSFORMERS_HEAVY,
    logParams: [8.5, 0.4],
    family: ["blip", "git", "trocr"],
  },
  {
    task: "depth-estimation",
    weight: 0.5,
    libraries: TRANSFORMERS_HEAVY,
    logParams: [8.0, 0.4],
    family: ["dpt", "depth-anything", "glpn"],
  },
  {
    task: "zero-shot-image-classification",
    weight: 0.8,
    libraries: [
      ["transformers", 60],
      ["open_clip", 40],
    ],
    logParams: [8.3, 0.4],
    family: ["clip", "siglip"],
  },
  {
    task: "reinforcement-learning",
    weight: 3,
    libraries: [
      ["stable-baselines3", 60],
      ["ml-agents", 20],
      ["sample-factory", 20],
    ],
    logParams: [5.5, 0.7],
    family: ["ppo", "dqn", "a2c", "sac"],
  },
  {
    task: "time-series-forecasting",
    weight: 0.4,
    libraries: [
      ["transformers", 50],
      ["chronos-forecasting", 30],
    ],
    logParams: [7.8, 0.5],
    family: ["chronos", "timesfm", "patchtst"],
  },
  {
    task: "text-to-video",
    weight: 0.4,
    libraries: [["diffusers", 90]],
    logParams: [9.7, 0.4],
    family: ["cogvideo", "ltx", "wan"],
  },
  {
    task: "tabular-classification",
    weight: 0.3,
    libraries: [
      ["sklearn", 70],
      ["keras", 30],
    ],
    logParams: [4.5, 0.7],
    family: ["xgboost", "logreg", "random-forest"],
  },
];

export const pickTask = picker(TASKS.map((profile) => [profile, profile.weight] as const));
export const libraryPickers = new Map(TASKS.map((profile) => [profile.task, picker(profile.libraries)]));

export const pickLicense = picker<string | null>([
  ["apache-2.0", 34],
  [null, 26],
  ["mit", 14],
  ["other", 5],
  ["cc-by-4.0", 3],
  ["cc-by-nc-4.0", 3],
  ["llama3.1", 3],
  ["openrail", 2],
  ["creativeml-openrail-m", 2],
  ["gemma", 2],
  ["llama3", 1.5],
  ["cc-by-sa-4.0", 1],
  ["gpl-3.0", 0.8],
  ["bsd-3-clause", 0.7],
  ["afl-3.0", 0.7],
  ["llama2", 1],
  ["agpl-3.0", 0.3],
]);

export const pickLanguages = picker<readonly string[]>([
  [[], 45],
  [["en"], 38],
  [["zh"], 2],
  [["en", "zh"], 1.5],
  [["fr"], 1],
  [["de"], 1],
  [["es"], 1],
  [["ru"], 0.8],
  [["ja"], 0.8],
  [["ko"], 0.6],
  [["ar"], 0.5],
  [["pt"], 0.5],
  [["vi"], 0.4],
  [["tr"], 0.4],
  [["hi"], 0.3],
  [["en", "fr", "de", "es", "it"], 1],
  [["en", "de"], 0.8],
  [["multilingual"], 1],
]);

export const pickRelation = picker<BaseRelation>([
  ["finetune", 58],
  ["quantized", 24],
  ["adapter", 13],
  ["merge", 5],
]);

export const NAME_WORDS = [
  "tiny",
  "mini",
  "small",
  "base",
  "large",
  "xl",
  "instruct",
  "chat",
  "v2",
  "v3",
  "pro",
  "lite",
  "turbo",
  "distilled",
  "uncased",
  "cased",
  "multilingual",
  "code",
  "math",
  "med",
  "legal",
  "fin",
  "news",
  "sentiment",
  "ner",
  "qa",
] as const;
export const QUANT_SUFFIXES = [
  "GGUF",
  "AWQ",
  "GPTQ-Int4",
  "bnb-4bit",
  "MLX-4bit",
  "Q4_K_M-GGUF",
  "FP8",
] as const;
