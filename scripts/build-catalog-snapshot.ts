/**
 * Builds data/catalog-snapshot.json, the offline catalog of real public models Hangar imports on first start.
 *
 *   node --import tsx scripts/build-catalog-snapshot.ts [--date YYYY-MM-DD] [--out FILE]
 *
 * Inputs, all offline:
 * - `@huggingface/tasks` (a dependency): every task page lists recommended models with a description.
 * - data/sources/web-llm-0.2.86-prebuilt.json: the MLC model repos of `@mlc-ai/web-llm`'s prebuilt config,
 *   extracted from the published package (lib/index.js) with their VRAM needs.
 * - The family tables below: model families whose size variants are public repos, with the licence, task,
 *   library and languages their model cards declare, and the size their names state. Each table names its source.
 * - The published-evaluation tables (section 4): scores that a model card, README or paper states for a named
 *   model, transcribed as published (no rounding, no copying between variants), each table under its own source.
 *
 * Rules: an id goes in only if it names a public repo; a fact goes in only with a source; what is not known
 * stays out (the importer stores it as null). Parameter counts are the size the model's name or card states
 * (e.g. "7B"), not an exact count read from weights, unless the source says otherwise. No popularity figures
 * are included: none could be sourced offline with a date, so downloads and likes start at 0.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PIPELINE_TYPES, TASKS_DATA } from "@huggingface/tasks";
import type { BaseRelation, EvalScore } from "../src/core/catalog-types.ts";
import type { CatalogSnapshot, SnapshotModel } from "../src/hub/catalog/import-snapshot.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
};
const SNAPSHOT_DATE = flag("date") ?? "2026-11-27";
const OUT = flag("out") ?? `${root}data/catalog-snapshot.json`;

const tasksVersion = (
  JSON.parse(readFileSync(`${root}node_modules/@huggingface/tasks/package.json`, "utf8")) as {
    version: string;
  }
).version;

const SOURCES: Record<string, string> = {
  "hf-tasks": `@huggingface/tasks@${tasksVersion} TASKS_DATA: model ids with their description, listed on the page of the task given as the model's task`,
  "web-llm":
    "@mlc-ai/web-llm@0.2.86 prebuiltAppConfig (data/sources/web-llm-0.2.86-prebuilt.json): MLC-compiled repos, their quantisation and the model they convert",
  "name-size": "parameters: the size stated in the model's name (e.g. 7B = 7e9), a nominal figure",
  "card-size": "parameters: the size stated in the model card or its paper (rounded as published)",
  "card-eval":
    "evalResults: results the model card on huggingface.co publishes (its model-index, or its text where it states a score)",
};

/** Adds a family source and returns its key. */
function source(key: string, text: string): string {
  SOURCES[key] = text;
  return key;
}

/** What a source says about a model: a snapshot entry without its id and the Hub's counters. */
type Facts = Omit<SnapshotModel, "id" | "downloads" | "likes">;

const models = new Map<string, SnapshotModel>();
const problems: string[] = [];

/** Merges facts into an entry: earlier facts win, sources accumulate. */
function add(id: string, facts: Facts): void {
  const existing = models.get(id);
  if (!existing) {
    models.set(id, { id, ...facts, sources: [...facts.sources] });
    return;
  }
  for (const [key, value] of Object.entries(facts) as [keyof Facts, unknown][]) {
    if (key === "sources") continue;
    if ((existing as unknown as Record<string, unknown>)[key] === undefined && value !== undefined) {
      (existing as unknown as Record<string, unknown>)[key] = value;
    }
  }
  for (const key of facts.sources) if (!existing.sources.includes(key)) existing.sources.push(key);
}

const B = 1e9;
const M = 1e6;

/** The size in a name like `Qwen2.5-7B`, `pythia-1.4b`, `SmolLM-135M`, `Mixtral-8x7B`. */
function sizeFromName(name: string): number | undefined {
  const moe = /(\d+)x(\d+(?:\.\d+)?)B/i.exec(name);
  if (moe) return undefined; // expert counts times expert size is not the total: leave it to the card.
  const match = /(?:^|[-_])(\d+(?:\.\d+)?)([BbMm])(?=$|[-_.])/.exec(name);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (match[2]!.toLowerCase() === "b" ? B : M));
}

interface FamilyItem {
  name: string;
  parameters?: number;
  task?: string;
  license?: string;
  base?: string;
  relation?: BaseRelation;
  description?: string;
  languages?: string[];
  library?: string;
  evalResults?: EvalScore[];
}

interface Family {
  key: string;
  text: string;
  org: string;
  task: string;
  library: string;
  license?: string;
  languages?: string[];
  describe: (item: FamilyItem) => string;
  items: Array<string | FamilyItem>;
  /** Take parameters from the size in the name when an item gives none. */
  sizeFromName?: boolean;
}

function family(spec: Family): void {
  const key = source(`family:${spec.key}`, spec.text);
  for (const raw of spec.items) {
    const item: FamilyItem = typeof raw === "string" ? { name: raw } : raw;
    const named = spec.sizeFromName ? sizeFromName(item.name) : undefined;
    const parameters = item.parameters ?? named;
    const sources = [key];
    if (item.parameters === undefined && named !== undefined) sources.push("name-size");
    else if (item.parameters !== undefined) sources.push("card-size");
    if (item.evalResults) sources.push("card-eval");
    add(`${spec.org}/${item.name}`, {
      task: item.task ?? spec.task,
      library: "library" in item ? item.library : spec.library,
      license: "license" in item ? item.license : spec.license,
      languages: item.languages ?? spec.languages,
      parameters,
      baseModels: item.base ? [item.base] : undefined,
      baseRelation: item.base ? (item.relation ?? "finetune") : undefined,
      description: item.description ?? spec.describe(item),
      evalResults: item.evalResults,
      sources,
    });
  }
}

const LLAMA31_LANGS = ["en", "de", "fr", "it", "pt", "hi", "es", "th"];

// ---------------------------------------------------------------------------------------------------------
// 1. Families, from their model cards on huggingface.co.

const qwenLicence = (name: string): string => {
  // Qwen2.5 cards: apache-2.0, except the 3B (qwen-research) and 72B (qwen) models, shown as "other".
  if (/(^|-)(3B|72B)(-|$)/.test(name)) return "other";
  return "apache-2.0";
};
const qwenSizes = ["0.5B", "1.5B", "3B", "7B", "14B", "32B", "72B"];
family({
  key: "qwen2.5",
  text: "Qwen2.5 model cards (huggingface.co/Qwen): task, library, licence (apache-2.0; 3B qwen-research and 72B qwen shown as other), quantised repos' base models",
  org: "Qwen",
  task: "text-generation",
  library: "transformers",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) =>
    item.relation === "quantized"
      ? `${item.name.replace(/^Qwen2\.5-[\w.]+-Instruct-/, "")} quantisation of ${item.base?.split("/")[1]}`
      : `Qwen2.5 ${item.name.includes("Instruct") ? "instruction-tuned" : "base"} language model`,
  items: [
    ...qwenSizes.flatMap((size) => [
      { name: `Qwen2.5-${size}`, license: qwenLicence(size) },
      { name: `Qwen2.5-${size}-Instruct`, license: qwenLicence(size), base: `Qwen/Qwen2.5-${size}` },
      ...["GGUF", "AWQ", "GPTQ-Int4", "GPTQ-Int8"].map((quant) => ({
        name: `Qwen2.5-${size}-Instruct-${quant}`,
        license: qwenLicence(size),
        base: `Qwen/Qwen2.5-${size}-Instruct`,
        relation: "quantized" as const,
        library: quant === "GGUF" ? "gguf" : "transformers",
      })),
    ]),
    ...["0.5B", "1.5B", "3B", "7B", "14B", "32B"].flatMap((size) => [
      {
        name: `Qwen2.5-Coder-${size}`,
        license: qwenLicence(size),
        description: "Qwen2.5-Coder base code model",
      },
      {
        name: `Qwen2.5-Coder-${size}-Instruct`,
        license: qwenLicence(size),
        base: `Qwen/Qwen2.5-Coder-${size}`,
        description: "Qwen2.5-Coder instruction-tuned code model",
      },
      {
        name: `Qwen2.5-Coder-${size}-Instruct-GGUF`,
        license: qwenLicence(size),
        base: `Qwen/Qwen2.5-Coder-${size}-Instruct`,
        relation: "quantized" as const,
        library: "gguf",
        description: "GGUF quantisations of Qwen2.5-Coder instruct",
      },
    ]),
    ...["1.5B", "7B", "72B"].flatMap((size) => [
      {
        name: `Qwen2.5-Math-${size}`,
        license: qwenLicence(size),
        description: "Qwen2.5-Math base model for mathematics",
      },
      {
        name: `Qwen2.5-Math-${size}-Instruct`,
        license: qwenLicence(size),
        base: `Qwen/Qwen2.5-Math-${size}`,
        description: "Qwen2.5-Math instruction-tuned model for mathematics",
      },
    ]),
    ...["3B", "7B", "32B", "72B"].map((size) => ({
      name: `Qwen2.5-VL-${size}-Instruct`,
      license: qwenLicence(size),
      task: "image-text-to-text",
      description: "Qwen2.5-VL vision-language model: images, documents and video to text",
    })),
    {
      name: "Qwen2.5-7B-Instruct-1M",
      base: "Qwen/Qwen2.5-7B",
      description: "Qwen2.5 7B instruct with a 1M-token context",
    },
    {
      name: "Qwen2.5-14B-Instruct-1M",
      base: "Qwen/Qwen2.5-14B",
      description: "Qwen2.5 14B instruct with a 1M-token context",
    },
    {
      name: "QwQ-32B",
      base: "Qwen/Qwen2.5-32B",
      description: "QwQ reasoning model built on Qwen2.5-32B",
      parameters: 32.5 * B,
    },
    {
      name: "QwQ-32B-Preview",
      base: "Qwen/Qwen2.5-32B-Instruct",
      description: "Preview of the QwQ reasoning model",
    },
  ],
});

family({
  key: "qwen3",
  text: "Qwen3 model cards (huggingface.co/Qwen): apache-2.0, text generation with thinking and non-thinking modes; MoE names give total and active sizes (e.g. 30B-A3B)",
  org: "Qwen",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  sizeFromName: true,
  describe: (item) =>
    item.relation === "quantized"
      ? `${item.name.split("-").pop()} weights of ${item.base?.split("/")[1]}`
      : item.name.endsWith("-Base")
        ? "Qwen3 pretrained base model"
        : "Qwen3 hybrid-reasoning language model",
  items: [
    ...["0.6B", "1.7B", "4B", "8B", "14B", "32B"].flatMap((size) => [
      { name: `Qwen3-${size}`, base: size === "32B" ? undefined : `Qwen/Qwen3-${size}-Base` },
      ...(size === "32B" ? [] : [{ name: `Qwen3-${size}-Base` }]),
      { name: `Qwen3-${size}-FP8`, base: `Qwen/Qwen3-${size}`, relation: "quantized" as const },
      {
        name: `Qwen3-${size}-GGUF`,
        base: `Qwen/Qwen3-${size}`,
        relation: "quantized" as const,
        library: "gguf",
      },
    ]),
    { name: "Qwen3-30B-A3B", parameters: 30.5 * B, base: "Qwen/Qwen3-30B-A3B-Base" },
    { name: "Qwen3-30B-A3B-Base", parameters: 30.5 * B },
    { name: "Qwen3-30B-A3B-FP8", parameters: 30.5 * B, base: "Qwen/Qwen3-30B-A3B", relation: "quantized" },
    { name: "Qwen3-235B-A22B", parameters: 235 * B },
    { name: "Qwen3-235B-A22B-FP8", parameters: 235 * B, base: "Qwen/Qwen3-235B-A22B", relation: "quantized" },
    ...["4B", "8B", "14B", "32B"].map((size) => ({
      name: `Qwen3-${size}-AWQ`,
      base: `Qwen/Qwen3-${size}`,
      relation: "quantized" as const,
    })),
    ...["0.6B", "4B", "8B"].flatMap((size) => [
      {
        name: `Qwen3-Embedding-${size}`,
        task: "feature-extraction",
        library: "sentence-transformers",
        description: "Qwen3 text embedding model for retrieval and similarity",
      },
      {
        name: `Qwen3-Reranker-${size}`,
        task: "text-ranking",
        description: "Qwen3 reranker scoring query-document relevance",
      },
    ]),
  ],
});

family({
  key: "qwen2",
  text: "Qwen2 model cards (huggingface.co/Qwen): apache-2.0 except Qwen2-72B (tongyi-qianwen, shown as other)",
  org: "Qwen",
  task: "text-generation",
  library: "transformers",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) => `Qwen2 ${item.name.includes("Instruct") ? "instruction-tuned" : "base"} language model`,
  items: [
    ...["0.5B", "1.5B", "7B", "72B"].flatMap((size) => [
      { name: `Qwen2-${size}`, license: size === "72B" ? "other" : "apache-2.0" },
      {
        name: `Qwen2-${size}-Instruct`,
        license: size === "72B" ? "other" : "apache-2.0",
        base: `Qwen/Qwen2-${size}`,
      },
    ]),
    ...["1.5B", "7B"].map((size) => ({
      name: `Qwen2-Math-${size}-Instruct`,
      license: "apache-2.0",
      description: "Qwen2-Math instruction-tuned model for mathematics",
    })),
    ...["2B", "7B"].map((size) => ({
      name: `Qwen2-VL-${size}-Instruct`,
      license: "apache-2.0",
      task: "image-text-to-text",
      description: "Qwen2-VL vision-language model",
    })),
    {
      name: "Qwen2-VL-72B-Instruct",
      license: "other",
      task: "image-text-to-text",
      description: "Qwen2-VL vision-language model",
    },
    {
      name: "Qwen2-Audio-7B-Instruct",
      license: "apache-2.0",
      task: "audio-text-to-text",
      description: "Qwen2-Audio chat model that listens to speech, sounds and music",
    },
    {
      name: "Qwen2-Audio-7B",
      license: "apache-2.0",
      task: "audio-text-to-text",
      description: "Qwen2-Audio pretrained audio-language model",
    },
  ],
});

family({
  key: "qwen1.5",
  text: "Qwen1.5 model cards (huggingface.co/Qwen): tongyi-qianwen licences, shown as other",
  org: "Qwen",
  task: "text-generation",
  library: "transformers",
  license: "other",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) => `Qwen1.5 ${item.name.includes("Chat") ? "chat" : "base"} language model`,
  items: ["0.5B", "1.8B", "4B", "7B", "14B", "32B", "72B", "110B"].flatMap((size) => [
    `Qwen1.5-${size}`,
    { name: `Qwen1.5-${size}-Chat`, base: `Qwen/Qwen1.5-${size}` },
  ]),
});

family({
  key: "llama2",
  text: "Llama 2 model cards (huggingface.co/meta-llama): llama2 licence, English, gated; -hf repos hold transformers weights",
  org: "meta-llama",
  task: "text-generation",
  library: "transformers",
  license: "llama2",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) =>
    `Llama 2 ${item.name.includes("chat") ? "dialogue-tuned" : "pretrained"} model${item.name.endsWith("-hf") ? " (transformers format)" : ""}`,
  items: ["7b", "13b", "70b"].flatMap((size) => [
    { name: `Llama-2-${size}-hf` },
    { name: `Llama-2-${size}-chat-hf`, base: `meta-llama/Llama-2-${size}-hf` },
    { name: `Llama-2-${size}`, library: undefined },
    { name: `Llama-2-${size}-chat`, library: undefined },
  ]),
});

family({
  key: "llama3",
  text: "Meta Llama 3, 3.1, 3.2, 3.3 and 4 model cards (huggingface.co/meta-llama): licences llama3, llama3.1, llama3.2, llama3.3, other (llama4); languages as the cards list; sizes as named (Llama 4: total parameters from the card)",
  org: "meta-llama",
  task: "text-generation",
  library: "transformers",
  sizeFromName: true,
  describe: (item) =>
    item.base
      ? `${item.name.replace(/-/g, " ")}, tuned from ${item.base.split("/")[1]}`
      : `${item.name.replace(/-/g, " ")} pretrained model`,
  items: [
    ...["8B", "70B"].flatMap((size) => [
      { name: `Meta-Llama-3-${size}`, license: "llama3", languages: ["en"] },
      {
        name: `Meta-Llama-3-${size}-Instruct`,
        license: "llama3",
        languages: ["en"],
        base: `meta-llama/Meta-Llama-3-${size}`,
      },
    ]),
    ...["8B", "70B", "405B"].flatMap((size) => [
      { name: `Llama-3.1-${size}`, license: "llama3.1", languages: LLAMA31_LANGS },
      {
        name: `Llama-3.1-${size}-Instruct`,
        license: "llama3.1",
        languages: LLAMA31_LANGS,
        base: `meta-llama/Llama-3.1-${size}`,
      },
    ]),
    {
      name: "Llama-3.1-405B-FP8",
      license: "llama3.1",
      languages: LLAMA31_LANGS,
      base: "meta-llama/Llama-3.1-405B",
      relation: "quantized",
    },
    {
      name: "Llama-3.1-405B-Instruct-FP8",
      license: "llama3.1",
      languages: LLAMA31_LANGS,
      base: "meta-llama/Llama-3.1-405B-Instruct",
      relation: "quantized",
    },
    ...["1B", "3B"].flatMap((size) => [
      { name: `Llama-3.2-${size}`, license: "llama3.2", languages: LLAMA31_LANGS },
      {
        name: `Llama-3.2-${size}-Instruct`,
        license: "llama3.2",
        languages: LLAMA31_LANGS,
        base: `meta-llama/Llama-3.2-${size}`,
      },
    ]),
    ...["11B", "90B"].flatMap((size) => [
      { name: `Llama-3.2-${size}-Vision`, license: "llama3.2", task: "image-text-to-text" },
      {
        name: `Llama-3.2-${size}-Vision-Instruct`,
        license: "llama3.2",
        task: "image-text-to-text",
        base: `meta-llama/Llama-3.2-${size}-Vision`,
      },
    ]),
    {
      name: "Llama-3.3-70B-Instruct",
      license: "llama3.3",
      languages: LLAMA31_LANGS,
      description: "Llama 3.3 70B multilingual instruction-tuned model",
    },
    {
      name: "Llama-Guard-3-8B",
      license: "llama3.1",
      base: "meta-llama/Llama-3.1-8B",
      description: "Llama Guard 3: classifies prompts and responses as safe or unsafe",
    },
    {
      name: "Llama-Guard-3-1B",
      license: "llama3.2",
      base: "meta-llama/Llama-3.2-1B",
      description: "Small Llama Guard 3 safety classifier",
    },
    {
      name: "Prompt-Guard-86M",
      license: "llama3.1",
      task: "text-classification",
      parameters: 86 * M,
      description: "Classifier for prompt injection and jailbreak attempts",
    },
    {
      name: "Llama-4-Scout-17B-16E",
      license: "other",
      task: "image-text-to-text",
      parameters: 109 * B,
      description: "Llama 4 Scout: natively multimodal mixture-of-experts, 17B active parameters",
    },
    {
      name: "Llama-4-Scout-17B-16E-Instruct",
      license: "other",
      task: "image-text-to-text",
      parameters: 109 * B,
      base: "meta-llama/Llama-4-Scout-17B-16E",
      description: "Llama 4 Scout instruction-tuned, 17B active parameters of 109B",
    },
    {
      name: "Llama-4-Maverick-17B-128E",
      license: "other",
      task: "image-text-to-text",
      parameters: 400 * B,
      description: "Llama 4 Maverick: mixture of 128 experts, 17B active parameters",
    },
    {
      name: "Llama-4-Maverick-17B-128E-Instruct",
      license: "other",
      task: "image-text-to-text",
      parameters: 400 * B,
      base: "meta-llama/Llama-4-Maverick-17B-128E",
      description: "Llama 4 Maverick instruction-tuned, 17B active of 400B",
    },
  ],
});

family({
  key: "codellama",
  text: "Code Llama model cards (huggingface.co/codellama): llama2 licence, code generation, sizes as named",
  org: "codellama",
  task: "text-generation",
  library: "transformers",
  license: "llama2",
  sizeFromName: true,
  describe: (item) =>
    item.name.includes("Python")
      ? "Code Llama specialised for Python"
      : item.name.includes("Instruct")
        ? "Code Llama tuned to follow instructions"
        : "Code Llama base model for code synthesis and understanding",
  items: ["7b", "13b", "34b", "70b"].flatMap((size) => [
    `CodeLlama-${size}-hf`,
    { name: `CodeLlama-${size}-Instruct-hf`, base: `codellama/CodeLlama-${size}-hf` },
    { name: `CodeLlama-${size}-Python-hf`, base: `codellama/CodeLlama-${size}-hf` },
  ]),
});

family({
  key: "mistral",
  text: "Mistral AI model cards (huggingface.co/mistralai): apache-2.0 unless noted (mrl and mnpl research licences shown as other); sizes as named or from the card",
  org: "mistralai",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  sizeFromName: true,
  describe: (item) =>
    `${item.name.replace(/-/g, " ")}${item.base ? `, tuned from ${item.base.split("/")[1]}` : ""}`,
  items: [
    "Mistral-7B-v0.1",
    { name: "Mistral-7B-Instruct-v0.1", base: "mistralai/Mistral-7B-v0.1" },
    { name: "Mistral-7B-Instruct-v0.2", base: "mistralai/Mistral-7B-v0.1" },
    "Mistral-7B-v0.3",
    { name: "Mistral-7B-Instruct-v0.3", base: "mistralai/Mistral-7B-v0.3" },
    { name: "Mixtral-8x7B-v0.1", parameters: 46.7 * B, languages: ["fr", "it", "de", "es", "en"] },
    {
      name: "Mixtral-8x7B-Instruct-v0.1",
      parameters: 46.7 * B,
      languages: ["fr", "it", "de", "es", "en"],
      base: "mistralai/Mixtral-8x7B-v0.1",
    },
    { name: "Mixtral-8x22B-v0.1", parameters: 141 * B, languages: ["fr", "it", "de", "es", "en"] },
    {
      name: "Mixtral-8x22B-Instruct-v0.1",
      parameters: 141 * B,
      languages: ["fr", "it", "de", "es", "en"],
      base: "mistralai/Mixtral-8x22B-v0.1",
    },
    { name: "Mistral-Nemo-Base-2407", parameters: 12 * B },
    { name: "Mistral-Nemo-Instruct-2407", parameters: 12 * B, base: "mistralai/Mistral-Nemo-Base-2407" },
    "Mistral-Small-24B-Base-2501",
    { name: "Mistral-Small-24B-Instruct-2501", base: "mistralai/Mistral-Small-24B-Base-2501" },
    { name: "Mistral-Small-3.1-24B-Instruct-2503", task: "image-text-to-text", parameters: 24 * B },
    { name: "Mistral-Large-Instruct-2407", license: "other", parameters: 123 * B },
    { name: "Mistral-Small-Instruct-2409", license: "other", parameters: 22 * B },
    {
      name: "Codestral-22B-v0.1",
      license: "other",
      description: "Codestral: code model trained on 80+ programming languages",
    },
    {
      name: "Mathstral-7B-v0.1",
      description: "Mathstral: Mistral 7B derivative for mathematics and science",
    },
    { name: "Ministral-8B-Instruct-2410", license: "other" },
    {
      name: "Pixtral-12B-2409",
      task: "image-text-to-text",
      library: "vllm",
      description: "Pixtral: 12B multimodal model with a 400M vision encoder",
    },
    { name: "Mamba-Codestral-7B-v0.1", description: "Mamba2 code model" },
  ],
});

family({
  key: "gemma",
  text: "Gemma model cards (huggingface.co/google): gemma licence, gated on acceptance of the terms; sizes as named",
  org: "google",
  task: "text-generation",
  library: "transformers",
  license: "gemma",
  sizeFromName: true,
  describe: (item) =>
    `${item.name.replace(/-/g, " ")}: ${/-it$/.test(item.name) ? "instruction-tuned" : "pretrained"} open model from Google`,
  items: [
    "gemma-2b",
    { name: "gemma-2b-it", base: "google/gemma-2b" },
    "gemma-7b",
    { name: "gemma-7b-it", base: "google/gemma-7b" },
    "gemma-1.1-2b-it",
    "gemma-1.1-7b-it",
    "gemma-2-2b",
    { name: "gemma-2-2b-it", base: "google/gemma-2-2b" },
    { name: "gemma-2-2b-jpn-it", base: "google/gemma-2-2b-it", languages: ["ja"] },
    "gemma-2-9b",
    { name: "gemma-2-9b-it", base: "google/gemma-2-9b" },
    "gemma-2-27b",
    { name: "gemma-2-27b-it", base: "google/gemma-2-27b" },
    { name: "gemma-3-270m", parameters: 270 * M },
    { name: "gemma-3-270m-it", parameters: 270 * M, base: "google/gemma-3-270m" },
    "gemma-3-1b-pt",
    { name: "gemma-3-1b-it", base: "google/gemma-3-1b-pt" },
    ...["4b", "12b", "27b"].flatMap((size) => [
      { name: `gemma-3-${size}-pt`, task: "image-text-to-text" },
      { name: `gemma-3-${size}-it`, task: "image-text-to-text", base: `google/gemma-3-${size}-pt` },
    ]),
    {
      name: "gemma-3n-E2B-it",
      task: "image-text-to-text",
      description: "Gemma 3n E2B: on-device multimodal model (text, image, audio)",
    },
    {
      name: "gemma-3n-E4B-it",
      task: "image-text-to-text",
      description: "Gemma 3n E4B: on-device multimodal model (text, image, audio)",
    },
    { name: "codegemma-2b", description: "CodeGemma 2B for fast code completion" },
    { name: "codegemma-7b", description: "CodeGemma 7B pretrained for code completion and generation" },
    {
      name: "codegemma-7b-it",
      base: "google/codegemma-7b",
      description: "CodeGemma 7B instruction-tuned for code chat",
    },
    { name: "recurrentgemma-2b", description: "RecurrentGemma: Griffin-architecture open model" },
    {
      name: "recurrentgemma-2b-it",
      base: "google/recurrentgemma-2b",
      description: "RecurrentGemma instruction-tuned",
    },
    {
      name: "paligemma-3b-pt-224",
      task: "image-text-to-text",
      description: "PaliGemma pretrained vision-language model, 224px",
    },
    {
      name: "paligemma-3b-mix-224",
      task: "image-text-to-text",
      description: "PaliGemma fine-tuned on a mixture of vision-language tasks",
    },
    { name: "shieldgemma-2b", description: "ShieldGemma safety content moderation model" },
    {
      name: "embeddinggemma-300m",
      task: "sentence-similarity",
      library: "sentence-transformers",
      parameters: 300 * M,
      description: "EmbeddingGemma: 300M multilingual text embedding model",
    },
  ],
});

family({
  key: "phi",
  text: "Phi model cards (huggingface.co/microsoft): mit licence, English; parameter counts as the cards state",
  org: "microsoft",
  task: "text-generation",
  library: "transformers",
  license: "mit",
  languages: ["en"],
  describe: (item) => `${item.name.replace(/[-_]/g, " ")}: small language model from Microsoft`,
  items: [
    { name: "phi-1", parameters: 1.3 * B, description: "Phi-1: 1.3B model for Python code" },
    { name: "phi-1_5", parameters: 1.3 * B },
    { name: "phi-2", parameters: 2.7 * B },
    { name: "Phi-3-mini-4k-instruct", parameters: 3.8 * B },
    { name: "Phi-3-mini-128k-instruct", parameters: 3.8 * B },
    { name: "Phi-3-small-8k-instruct", parameters: 7 * B },
    { name: "Phi-3-small-128k-instruct", parameters: 7 * B },
    { name: "Phi-3-medium-4k-instruct", parameters: 14 * B },
    { name: "Phi-3-medium-128k-instruct", parameters: 14 * B },
    { name: "Phi-3-vision-128k-instruct", parameters: 4.2 * B, task: "image-text-to-text" },
    {
      name: "Phi-3-mini-4k-instruct-gguf",
      parameters: 3.8 * B,
      library: "gguf",
      base: "microsoft/Phi-3-mini-4k-instruct",
      relation: "quantized",
    },
    {
      name: "Phi-3-mini-4k-instruct-onnx",
      parameters: 3.8 * B,
      library: "onnx",
      base: "microsoft/Phi-3-mini-4k-instruct",
      relation: "quantized",
    },
    { name: "Phi-3.5-mini-instruct", parameters: 3.8 * B },
    { name: "Phi-3.5-MoE-instruct", parameters: 42 * B },
    { name: "Phi-3.5-vision-instruct", parameters: 4.2 * B, task: "image-text-to-text" },
    { name: "phi-4", parameters: 14 * B },
    { name: "Phi-4-mini-instruct", parameters: 3.8 * B },
    { name: "Phi-4-multimodal-instruct", parameters: 5.6 * B, task: "automatic-speech-recognition" },
    { name: "Phi-4-reasoning", parameters: 14 * B, base: "microsoft/phi-4" },
    { name: "Phi-4-reasoning-plus", parameters: 14 * B, base: "microsoft/phi-4" },
    { name: "Phi-4-mini-reasoning", parameters: 3.8 * B, base: "microsoft/Phi-4-mini-instruct" },
  ],
});

family({
  key: "deepseek",
  text: "DeepSeek model cards (huggingface.co/deepseek-ai): R1 and its distills mit; the deepseek model licence shown as other; distills' base models as the R1 card lists them",
  org: "deepseek-ai",
  task: "text-generation",
  library: "transformers",
  license: "mit",
  sizeFromName: true,
  describe: (item) =>
    item.name.includes("Distill")
      ? `DeepSeek-R1 reasoning distilled into ${item.base?.split("/")[1]}`
      : `${item.name.replace(/-/g, " ")} from DeepSeek`,
  items: [
    {
      name: "DeepSeek-R1",
      parameters: 671 * B,
      description: "DeepSeek-R1 reasoning model (MoE, 37B active)",
    },
    {
      name: "DeepSeek-R1-Zero",
      parameters: 671 * B,
      description: "DeepSeek-R1-Zero: reasoning learned by RL without SFT",
    },
    { name: "DeepSeek-R1-0528", parameters: 671 * B, description: "May 2025 update of DeepSeek-R1" },
    {
      name: "DeepSeek-V3",
      parameters: 671 * B,
      license: "other",
      description: "DeepSeek-V3 MoE language model, 37B active parameters",
    },
    { name: "DeepSeek-V3-0324", parameters: 671 * B, description: "March 2025 update of DeepSeek-V3" },
    { name: "DeepSeek-R1-Distill-Qwen-1.5B", base: "Qwen/Qwen2.5-Math-1.5B" },
    { name: "DeepSeek-R1-Distill-Qwen-7B", base: "Qwen/Qwen2.5-Math-7B" },
    { name: "DeepSeek-R1-Distill-Qwen-14B", base: "Qwen/Qwen2.5-14B" },
    { name: "DeepSeek-R1-Distill-Qwen-32B", base: "Qwen/Qwen2.5-32B" },
    { name: "DeepSeek-R1-Distill-Llama-8B", base: "meta-llama/Llama-3.1-8B" },
    { name: "DeepSeek-R1-Distill-Llama-70B", base: "meta-llama/Llama-3.3-70B-Instruct" },
    ...["1.3b", "6.7b", "33b"].flatMap((size) => [
      {
        name: `deepseek-coder-${size}-base`,
        license: "other",
        description: "DeepSeek Coder base model trained on 2T tokens of code and text",
      },
      {
        name: `deepseek-coder-${size}-instruct`,
        license: "other",
        base: `deepseek-ai/deepseek-coder-${size}-base`,
        description: "DeepSeek Coder instruction-tuned",
      },
    ]),
    ...["7b", "67b"].flatMap((size) => [
      { name: `deepseek-llm-${size}-base`, license: "other" },
      { name: `deepseek-llm-${size}-chat`, license: "other", base: `deepseek-ai/deepseek-llm-${size}-base` },
    ]),
    {
      name: "DeepSeek-V2-Lite",
      license: "other",
      parameters: 16 * B,
      description: "DeepSeek-V2-Lite MoE model, 2.4B active parameters",
    },
    {
      name: "DeepSeek-V2-Lite-Chat",
      license: "other",
      parameters: 16 * B,
      base: "deepseek-ai/DeepSeek-V2-Lite",
    },
    {
      name: "DeepSeek-Coder-V2-Lite-Instruct",
      license: "other",
      parameters: 16 * B,
      description: "DeepSeek-Coder-V2 Lite MoE code model",
    },
    {
      name: "deepseek-math-7b-instruct",
      license: "other",
      description: "DeepSeekMath 7B instruction-tuned for mathematics",
    },
    {
      name: "Janus-Pro-1B",
      task: "any-to-any",
      parameters: 1 * B,
      description: "Janus-Pro unified multimodal understanding and generation, 1B",
    },
    {
      name: "Janus-Pro-7B",
      task: "any-to-any",
      parameters: 7 * B,
      description: "Janus-Pro unified multimodal understanding and generation, 7B",
    },
  ],
});

family({
  key: "bert",
  text: "BERT model cards (huggingface.co/google-bert) and the BERT paper: apache-2.0; base 110M and large 340M parameters",
  org: "google-bert",
  task: "fill-mask",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  describe: (item) =>
    `BERT ${item.name.replace(/^bert-/, "").replace(/-/g, " ")}: masked-language-model pretrained encoder`,
  items: [
    { name: "bert-base-uncased", parameters: 110 * M },
    { name: "bert-base-cased", parameters: 110 * M },
    { name: "bert-large-uncased", parameters: 340 * M },
    { name: "bert-large-cased", parameters: 340 * M },
    { name: "bert-large-uncased-whole-word-masking", parameters: 340 * M },
    { name: "bert-large-cased-whole-word-masking", parameters: 340 * M },
    {
      name: "bert-large-uncased-whole-word-masking-finetuned-squad",
      parameters: 340 * M,
      task: "question-answering",
      base: "google-bert/bert-large-uncased-whole-word-masking",
    },
    {
      name: "bert-large-cased-whole-word-masking-finetuned-squad",
      parameters: 340 * M,
      task: "question-answering",
      base: "google-bert/bert-large-cased-whole-word-masking",
    },
    { name: "bert-base-multilingual-cased", languages: ["multilingual"] },
    { name: "bert-base-multilingual-uncased", languages: ["multilingual"] },
    { name: "bert-base-chinese", languages: ["zh"] },
  ],
});

const MINI_BERT_SIZES: Record<string, number> = {
  "2_128": 4.4 * M,
  "4_256": 11.3 * M,
  "4_512": 29.1 * M,
  "8_512": 41.7 * M,
  "12_768": 110.1 * M,
};
family({
  key: "bert-miniatures",
  text: "The 24 BERT miniatures (huggingface.co/google, 'Well-Read Students Learn Better'): apache-2.0, English; sizes published for Tiny, Mini, Small, Medium and Base",
  org: "google",
  task: "fill-mask",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  describe: (item) =>
    `BERT miniature ${item.name.replace("bert_uncased_", "")}: compact English BERT for distillation and low-resource use`,
  items: [2, 4, 6, 8, 10, 12].flatMap((layers) =>
    [128, 256, 512, 768].map((hidden) => ({
      name: `bert_uncased_L-${layers}_H-${hidden}_A-${hidden / 64}`,
      parameters: MINI_BERT_SIZES[`${layers}_${hidden}`],
    })),
  ),
});

family({
  key: "roberta",
  text: "RoBERTa and XLM-RoBERTa model cards (huggingface.co/FacebookAI) and papers: mit licence; parameter counts from the papers",
  org: "FacebookAI",
  task: "fill-mask",
  library: "transformers",
  license: "mit",
  describe: (item) => `${item.name}: robustly optimised BERT-style encoder`,
  items: [
    { name: "roberta-base", parameters: 125 * M, languages: ["en"] },
    { name: "roberta-large", parameters: 355 * M, languages: ["en"] },
    {
      name: "roberta-large-mnli",
      parameters: 355 * M,
      languages: ["en"],
      task: "text-classification",
      base: "FacebookAI/roberta-large",
      description: "roberta-large fine-tuned on MultiNLI",
    },
    {
      name: "xlm-roberta-base",
      parameters: 270 * M,
      languages: ["multilingual"],
      description: "XLM-RoBERTa base: encoder pretrained on 100 languages",
    },
    {
      name: "xlm-roberta-large",
      parameters: 550 * M,
      languages: ["multilingual"],
      description: "XLM-RoBERTa large: encoder pretrained on 100 languages",
    },
  ],
});

family({
  key: "distilbert",
  text: "DistilBERT model cards (huggingface.co/distilbert): apache-2.0; parameter counts from the cards",
  org: "distilbert",
  task: "fill-mask",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  describe: (item) => `${item.name}: distilled, smaller and faster BERT-family model`,
  items: [
    { name: "distilbert-base-uncased", parameters: 66 * M },
    { name: "distilbert-base-cased", parameters: 65 * M },
    { name: "distilbert-base-multilingual-cased", parameters: 134 * M, languages: ["multilingual"] },
    { name: "distilroberta-base", parameters: 82 * M, base: "FacebookAI/roberta-base" },
    {
      name: "distilgpt2",
      parameters: 82 * M,
      task: "text-generation",
      base: "openai-community/gpt2",
      description: "DistilGPT2: distilled version of GPT-2 small",
    },
    {
      name: "distilbert-base-uncased-finetuned-sst-2-english",
      parameters: 67 * M,
      task: "text-classification",
      base: "distilbert/distilbert-base-uncased",
      description: "DistilBERT fine-tuned on SST-2 for English sentiment",
      evalResults: [
        {
          task: "text-classification",
          dataset: "sst2",
          split: "validation",
          metric: "accuracy",
          value: 91.3,
        },
      ],
    },
    {
      name: "distilbert-base-cased-distilled-squad",
      parameters: 65 * M,
      task: "question-answering",
      base: "distilbert/distilbert-base-cased",
    },
    {
      name: "distilbert-base-uncased-distilled-squad",
      parameters: 66 * M,
      task: "question-answering",
      base: "distilbert/distilbert-base-uncased",
    },
  ],
});

family({
  key: "deberta",
  text: "DeBERTa model cards (huggingface.co/microsoft): mit licence; parameter counts (backbone plus embeddings) from the cards",
  org: "microsoft",
  task: "fill-mask",
  library: "transformers",
  license: "mit",
  languages: ["en"],
  describe: (item) => `${item.name}: disentangled-attention encoder`,
  items: [
    { name: "deberta-v3-xsmall", parameters: 70 * M },
    { name: "deberta-v3-small", parameters: 142 * M },
    { name: "deberta-v3-base", parameters: 184 * M },
    { name: "deberta-v3-large", parameters: 435 * M },
    { name: "mdeberta-v3-base", parameters: 276 * M, languages: ["multilingual"] },
    { name: "deberta-v2-xlarge", parameters: 900 * M },
    { name: "deberta-v2-xxlarge", parameters: 1.5 * B },
    "deberta-base",
    "deberta-large",
  ],
});

family({
  key: "albert",
  text: "ALBERT model cards (huggingface.co/albert) and paper: apache-2.0, English; parameter counts from the cards",
  org: "albert",
  task: "fill-mask",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  describe: (item) => `${item.name}: parameter-efficient BERT with shared layers`,
  items: ["v1", "v2"].flatMap((version) => [
    { name: `albert-base-${version}`, parameters: 11 * M },
    { name: `albert-large-${version}`, parameters: 17 * M },
    { name: `albert-xlarge-${version}`, parameters: 58 * M },
    { name: `albert-xxlarge-${version}`, parameters: 223 * M },
  ]),
});

family({
  key: "electra",
  text: "ELECTRA model cards (huggingface.co/google) and paper: apache-2.0, English; discriminator sizes from the paper",
  org: "google",
  task: "fill-mask",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  describe: (item) =>
    `ELECTRA ${item.name.replace("electra-", "").replace("-", " ")}: replaced-token-detection pretrained encoder`,
  items: [
    { name: "electra-small-discriminator", parameters: 14 * M, task: "feature-extraction" },
    { name: "electra-base-discriminator", parameters: 110 * M, task: "feature-extraction" },
    { name: "electra-large-discriminator", parameters: 335 * M, task: "feature-extraction" },
    "electra-small-generator",
    "electra-base-generator",
    "electra-large-generator",
  ],
});

family({
  key: "gpt2",
  text: "GPT-2 model cards (huggingface.co/openai-community): mit licence, English; sizes from the cards",
  org: "openai-community",
  task: "text-generation",
  library: "transformers",
  license: "mit",
  languages: ["en"],
  describe: (item) => `${item.name}: OpenAI's GPT-2 causal language model`,
  items: [
    { name: "gpt2", parameters: 124 * M },
    { name: "gpt2-medium", parameters: 355 * M },
    { name: "gpt2-large", parameters: 774 * M },
    { name: "gpt2-xl", parameters: 1.5 * B },
    { name: "openai-gpt", description: "The original GPT transformer language model" },
    {
      name: "roberta-base-openai-detector",
      task: "text-classification",
      parameters: 125 * M,
      base: "FacebookAI/roberta-base",
      description: "Detector for GPT-2 generated text",
    },
  ],
});

family({
  key: "gpt-oss",
  text: "gpt-oss model cards (huggingface.co/openai): apache-2.0; total parameters from the card",
  org: "openai",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  describe: (item) => `${item.name}: OpenAI open-weight reasoning model (MoE)`,
  items: [
    { name: "gpt-oss-20b", parameters: 21 * B },
    { name: "gpt-oss-120b", parameters: 117 * B },
  ],
});

family({
  key: "t5",
  text: "T5, Flan-T5, mT5, ByT5 and T5 v1.1 model cards (huggingface.co/google-t5, /google): apache-2.0; sizes from the T5 paper and cards",
  org: "google-t5",
  task: "translation",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en", "fr", "ro", "de"],
  describe: (item) => `${item.name}: text-to-text transformer`,
  items: [
    { name: "t5-small", parameters: 60 * M },
    { name: "t5-base", parameters: 220 * M },
    { name: "t5-large", parameters: 770 * M },
    { name: "t5-3b", parameters: 3 * B },
    { name: "t5-11b", parameters: 11 * B },
  ],
});
family({
  key: "flan-t5",
  text: "Flan-T5, mT5, ByT5 and T5 v1.1 model cards (huggingface.co/google): apache-2.0; sizes from the cards",
  org: "google",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  describe: (item) =>
    `${item.name}: text-to-text transformer${item.name.startsWith("flan") ? " instruction-tuned on the Flan collection" : ""}`,
  items: [
    { name: "flan-t5-small", parameters: 80 * M, languages: ["en"] },
    { name: "flan-t5-base", parameters: 250 * M, languages: ["en"] },
    { name: "flan-t5-large", parameters: 780 * M, languages: ["en"] },
    { name: "flan-t5-xl", parameters: 3 * B, languages: ["en"] },
    { name: "flan-t5-xxl", parameters: 11 * B, languages: ["en"] },
    { name: "mt5-small", parameters: 300 * M, languages: ["multilingual"] },
    { name: "mt5-base", parameters: 580 * M, languages: ["multilingual"] },
    { name: "mt5-large", parameters: 1.2 * B, languages: ["multilingual"] },
    { name: "mt5-xl", parameters: 3.7 * B, languages: ["multilingual"] },
    { name: "mt5-xxl", parameters: 13 * B, languages: ["multilingual"] },
    { name: "byt5-small", parameters: 300 * M, languages: ["multilingual"] },
    { name: "byt5-base", parameters: 580 * M, languages: ["multilingual"] },
    { name: "byt5-large", parameters: 1.2 * B, languages: ["multilingual"] },
    { name: "t5-v1_1-small", languages: ["en"] },
    { name: "t5-v1_1-base", languages: ["en"] },
    { name: "t5-v1_1-large", languages: ["en"] },
    { name: "t5-v1_1-xl", languages: ["en"] },
    { name: "t5-v1_1-xxl", languages: ["en"] },
    { name: "long-t5-tglobal-base", languages: ["en"] },
    {
      name: "madlad400-3b-mt",
      task: "translation",
      parameters: 3 * B,
      languages: ["multilingual"],
      description: "MADLAD-400 machine translation model covering 450+ languages",
    },
    {
      name: "pegasus-xsum",
      task: "summarization",
      license: undefined,
      languages: ["en"],
      description: "PEGASUS fine-tuned on XSum for abstractive summarisation",
    },
    { name: "pegasus-large", task: "summarization", license: undefined, languages: ["en"] },
    { name: "pegasus-cnn_dailymail", task: "summarization", license: undefined, languages: ["en"] },
  ],
});

family({
  key: "bart",
  text: "BART model cards (huggingface.co/facebook): bart-large-cnn, -mnli and -xsum mit; sizes from the cards",
  org: "facebook",
  task: "summarization",
  library: "transformers",
  license: "mit",
  languages: ["en"],
  describe: (item) => `${item.name}: denoising sequence-to-sequence transformer`,
  items: [
    {
      name: "bart-large-cnn",
      parameters: 406 * M,
      base: "facebook/bart-large",
      description: "BART large fine-tuned on CNN/Daily Mail summarisation",
    },
    {
      name: "bart-large-xsum",
      parameters: 406 * M,
      base: "facebook/bart-large",
      description: "BART large fine-tuned on XSum summarisation",
    },
    {
      name: "bart-large-mnli",
      parameters: 407 * M,
      task: "zero-shot-classification",
      base: "facebook/bart-large",
      description: "BART large fine-tuned on MultiNLI, for zero-shot classification",
    },
    { name: "bart-large", parameters: 406 * M, task: "feature-extraction", license: "apache-2.0" },
    { name: "bart-base", parameters: 140 * M, task: "feature-extraction", license: "apache-2.0" },
  ],
});

family({
  key: "whisper",
  text: "Whisper model cards (huggingface.co/openai): apache-2.0; sizes from the cards' model table; .en models are English-only",
  org: "openai",
  task: "automatic-speech-recognition",
  library: "transformers",
  license: "apache-2.0",
  describe: (item) =>
    `Whisper ${item.name.replace("whisper-", "")}: ${item.name.endsWith(".en") ? "English" : "multilingual"} speech recognition${item.name.endsWith(".en") ? "" : " and translation"}`,
  items: [
    { name: "whisper-tiny", parameters: 39 * M },
    { name: "whisper-tiny.en", parameters: 39 * M, languages: ["en"] },
    { name: "whisper-base", parameters: 74 * M },
    { name: "whisper-base.en", parameters: 74 * M, languages: ["en"] },
    { name: "whisper-small", parameters: 244 * M },
    { name: "whisper-small.en", parameters: 244 * M, languages: ["en"] },
    { name: "whisper-medium", parameters: 769 * M },
    { name: "whisper-medium.en", parameters: 769 * M, languages: ["en"] },
    { name: "whisper-large", parameters: 1550 * M },
    { name: "whisper-large-v2", parameters: 1550 * M },
    { name: "whisper-large-v3", parameters: 1550 * M },
    { name: "whisper-large-v3-turbo", parameters: 809 * M, base: "openai/whisper-large-v3" },
  ],
});

family({
  key: "distil-whisper",
  text: "Distil-Whisper model cards (huggingface.co/distil-whisper): mit, English; sizes from the cards",
  org: "distil-whisper",
  task: "automatic-speech-recognition",
  library: "transformers",
  license: "mit",
  languages: ["en"],
  describe: (item) => `${item.name}: distilled Whisper, faster English speech recognition`,
  items: [
    { name: "distil-large-v2", parameters: 756 * M, base: "openai/whisper-large-v2" },
    { name: "distil-large-v3", parameters: 756 * M, base: "openai/whisper-large-v3" },
    { name: "distil-medium.en", parameters: 394 * M, base: "openai/whisper-medium.en" },
    { name: "distil-small.en", parameters: 166 * M, base: "openai/whisper-small.en" },
  ],
});

family({
  key: "faster-whisper",
  text: "faster-whisper conversions (huggingface.co/Systran): mit, CTranslate2 format of the OpenAI Whisper checkpoint each names",
  org: "Systran",
  task: "automatic-speech-recognition",
  library: "ctranslate2",
  license: "mit",
  describe: (item) => `CTranslate2 conversion of ${item.base?.split("/")[1]} for faster-whisper`,
  items: [
    "tiny",
    "tiny.en",
    "base",
    "base.en",
    "small",
    "small.en",
    "medium",
    "medium.en",
    "large-v2",
    "large-v3",
  ].map((size) => ({
    name: `faster-whisper-${size}`,
    base: `openai/whisper-${size}`,
    relation: "quantized" as const,
    languages: size.endsWith(".en") ? ["en"] : undefined,
    parameters: { tiny: 39, base: 74, small: 244, medium: 769 }[size.replace(".en", "")]
      ? { tiny: 39, base: 74, small: 244, medium: 769 }[size.replace(".en", "")]! * M
      : 1550 * M,
  })),
});

family({
  key: "wav2vec2",
  text: "wav2vec 2.0 and HuBERT model cards (huggingface.co/facebook): apache-2.0; base 95M and large 317M parameters from the paper",
  org: "facebook",
  task: "automatic-speech-recognition",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  describe: (item) =>
    `${item.name}: self-supervised speech model${item.name.includes("960h") || item.name.includes("-ft") ? " fine-tuned on 960h of LibriSpeech" : ""}`,
  items: [
    { name: "wav2vec2-base-960h", parameters: 95 * M, base: "facebook/wav2vec2-base" },
    { name: "wav2vec2-large-960h", parameters: 317 * M },
    { name: "wav2vec2-large-960h-lv60-self", parameters: 317 * M },
    { name: "wav2vec2-base", parameters: 95 * M, task: "feature-extraction" },
    {
      name: "wav2vec2-large-xlsr-53",
      parameters: 317 * M,
      task: "feature-extraction",
      languages: ["multilingual"],
      description: "XLSR-53: wav2vec 2.0 pretrained on 53 languages",
    },
    { name: "hubert-large-ls960-ft", parameters: 317 * M, base: "facebook/hubert-large-ll60k" },
    { name: "hubert-base-ls960", parameters: 95 * M, task: "feature-extraction" },
  ],
});

family({
  key: "xlsr-finetunes",
  text: "jonatasgrosman wav2vec2 XLSR-53 fine-tunes (huggingface.co/jonatasgrosman): apache-2.0, one language each, base facebook/wav2vec2-large-xlsr-53",
  org: "jonatasgrosman",
  task: "automatic-speech-recognition",
  library: "transformers",
  license: "apache-2.0",
  describe: (item) =>
    `XLSR-53 fine-tuned for ${item.name.replace("wav2vec2-large-xlsr-53-", "")} speech recognition`,
  items: (
    [
      ["english", "en"],
      ["german", "de"],
      ["french", "fr"],
      ["spanish", "es"],
      ["chinese-zh-cn", "zh"],
      ["russian", "ru"],
      ["japanese", "ja"],
      ["portuguese", "pt"],
      ["italian", "it"],
      ["dutch", "nl"],
      ["polish", "pl"],
      ["persian", "fa"],
      ["arabic", "ar"],
    ] as const
  ).map(([language, code]) => ({
    name: `wav2vec2-large-xlsr-53-${language}`,
    languages: [code],
    base: "facebook/wav2vec2-large-xlsr-53",
    parameters: 317 * M,
  })),
});

const ST_SIZES: Record<string, number> = {
  "all-MiniLM-L6-v2": 22.7 * M,
  "all-MiniLM-L6-v1": 22.7 * M,
  "all-MiniLM-L12-v2": 33.4 * M,
  "all-MiniLM-L12-v1": 33.4 * M,
  "all-mpnet-base-v2": 109 * M,
  "all-mpnet-base-v1": 109 * M,
  "all-distilroberta-v1": 82 * M,
  "all-roberta-large-v1": 355 * M,
  "paraphrase-multilingual-MiniLM-L12-v2": 118 * M,
  "paraphrase-multilingual-mpnet-base-v2": 278 * M,
  "paraphrase-MiniLM-L6-v2": 22.7 * M,
  "paraphrase-MiniLM-L3-v2": 17.4 * M,
  "paraphrase-MiniLM-L12-v2": 33.4 * M,
  "paraphrase-mpnet-base-v2": 109 * M,
  "paraphrase-distilroberta-base-v1": 82 * M,
  "multi-qa-MiniLM-L6-cos-v1": 22.7 * M,
  "multi-qa-MiniLM-L6-dot-v1": 22.7 * M,
  "multi-qa-mpnet-base-dot-v1": 109 * M,
  "multi-qa-mpnet-base-cos-v1": 109 * M,
  "multi-qa-distilbert-cos-v1": 66 * M,
  "msmarco-distilbert-base-v4": 66 * M,
  "msmarco-MiniLM-L6-cos-v5": 22.7 * M,
  "msmarco-MiniLM-L12-cos-v5": 33.4 * M,
  "msmarco-bert-base-dot-v5": 110 * M,
  "nli-mpnet-base-v2": 109 * M,
  "stsb-roberta-large": 355 * M,
  "bert-base-nli-mean-tokens": 110 * M,
  LaBSE: 471 * M,
  "distiluse-base-multilingual-cased-v1": 135 * M,
  "distiluse-base-multilingual-cased-v2": 135 * M,
  "paraphrase-albert-small-v2": 11.7 * M,
};
const ST_MULTILINGUAL = new Set([
  "paraphrase-multilingual-MiniLM-L12-v2",
  "paraphrase-multilingual-mpnet-base-v2",
  "LaBSE",
  "distiluse-base-multilingual-cased-v1",
  "distiluse-base-multilingual-cased-v2",
  "clip-ViT-B-32-multilingual-v1",
  "paraphrase-xlm-r-multilingual-v1",
  "use-cmlm-multilingual",
]);
family({
  key: "sentence-transformers",
  text: "Sentence Transformers model cards (huggingface.co/sentence-transformers): apache-2.0; sizes are those of the published backbone each card names (MiniLM-L6 22.7M, MiniLM-L12 33.4M, mpnet-base 109M, ...)",
  org: "sentence-transformers",
  task: "sentence-similarity",
  library: "sentence-transformers",
  license: "apache-2.0",
  describe: (item) =>
    item.name.startsWith("clip")
      ? "CLIP model for joint image and text embeddings"
      : `${item.name}: ${ST_MULTILINGUAL.has(item.name) ? "multilingual " : ""}sentence embedding model for semantic search and clustering`,
  items: [
    ...Object.entries(ST_SIZES).map(([name, parameters]) => ({
      name,
      parameters,
      languages: ST_MULTILINGUAL.has(name) ? ["multilingual"] : ["en"],
    })),
    { name: "gtr-t5-base", languages: ["en"] },
    { name: "gtr-t5-large", languages: ["en"] },
    { name: "gtr-t5-xl", languages: ["en"] },
    { name: "sentence-t5-base", languages: ["en"] },
    { name: "sentence-t5-large", languages: ["en"] },
    { name: "sentence-t5-xl", languages: ["en"] },
    { name: "clip-ViT-B-32", task: "zero-shot-image-classification", parameters: 151 * M },
    { name: "clip-ViT-B-16", task: "zero-shot-image-classification", parameters: 150 * M },
    { name: "clip-ViT-L-14", task: "zero-shot-image-classification", parameters: 428 * M },
    { name: "clip-ViT-B-32-multilingual-v1", languages: ["multilingual"] },
    { name: "paraphrase-xlm-r-multilingual-v1", languages: ["multilingual"], parameters: 278 * M },
    { name: "use-cmlm-multilingual", languages: ["multilingual"] },
    {
      name: "average_word_embeddings_glove.6B.300d",
      languages: ["en"],
      description: "GloVe 6B 300-dimensional averaged word embeddings",
    },
  ],
});

family({
  key: "cross-encoder",
  text: "Cross-encoder model cards (huggingface.co/cross-encoder): apache-2.0, English; sizes of the backbone each card names",
  org: "cross-encoder",
  task: "text-ranking",
  library: "sentence-transformers",
  license: "apache-2.0",
  languages: ["en"],
  describe: (item) =>
    item.name.startsWith("ms-marco")
      ? `${item.name}: cross-encoder reranker trained on MS MARCO passage ranking`
      : `${item.name}: cross-encoder scoring sentence pairs`,
  items: [
    { name: "ms-marco-MiniLM-L-6-v2", parameters: 22.7 * M },
    { name: "ms-marco-MiniLM-L-12-v2", parameters: 33.4 * M },
    { name: "ms-marco-MiniLM-L-4-v2" },
    { name: "ms-marco-MiniLM-L-2-v2" },
    { name: "ms-marco-TinyBERT-L-2-v2", parameters: 4.4 * M },
    { name: "ms-marco-electra-base", parameters: 110 * M },
    { name: "stsb-roberta-large", parameters: 355 * M, task: "text-classification" },
    { name: "stsb-distilroberta-base", parameters: 82 * M, task: "text-classification" },
    { name: "nli-deberta-v3-base", parameters: 184 * M, task: "zero-shot-classification" },
    { name: "nli-deberta-v3-small", parameters: 142 * M, task: "zero-shot-classification" },
    { name: "nli-distilroberta-base", parameters: 82 * M, task: "zero-shot-classification" },
    { name: "quora-distilroberta-base", parameters: 82 * M, task: "text-classification" },
  ],
});

family({
  key: "bge",
  text: "BGE model cards (huggingface.co/BAAI): mit; sizes from the cards' model list",
  org: "BAAI",
  task: "feature-extraction",
  library: "sentence-transformers",
  license: "mit",
  describe: (item) =>
    item.name.includes("reranker")
      ? `${item.name}: cross-encoder reranker from BAAI`
      : `${item.name}: BAAI general embedding model for retrieval`,
  items: [
    { name: "bge-small-en-v1.5", parameters: 33.4 * M, languages: ["en"] },
    { name: "bge-base-en-v1.5", parameters: 109 * M, languages: ["en"] },
    { name: "bge-large-en-v1.5", parameters: 335 * M, languages: ["en"] },
    { name: "bge-small-en", parameters: 33.4 * M, languages: ["en"] },
    { name: "bge-base-en", parameters: 109 * M, languages: ["en"] },
    { name: "bge-large-en", parameters: 335 * M, languages: ["en"] },
    { name: "bge-small-zh-v1.5", parameters: 24 * M, languages: ["zh"] },
    { name: "bge-base-zh-v1.5", parameters: 102 * M, languages: ["zh"] },
    { name: "bge-large-zh-v1.5", parameters: 326 * M, languages: ["zh"] },
    { name: "bge-m3", parameters: 568 * M, task: "sentence-similarity", languages: ["multilingual"] },
    { name: "bge-reranker-base", parameters: 278 * M, task: "text-ranking", languages: ["en", "zh"] },
    { name: "bge-reranker-large", parameters: 560 * M, task: "text-ranking", languages: ["en", "zh"] },
    {
      name: "bge-reranker-v2-m3",
      parameters: 568 * M,
      task: "text-ranking",
      languages: ["multilingual"],
      base: "BAAI/bge-m3",
    },
  ],
});

family({
  key: "e5",
  text: "E5 model cards (huggingface.co/intfloat): mit; sizes of the backbones the cards name",
  org: "intfloat",
  task: "sentence-similarity",
  library: "sentence-transformers",
  license: "mit",
  describe: (item) =>
    `${item.name}: text embedding model trained by weakly-supervised contrastive pre-training`,
  items: [
    { name: "e5-small-v2", parameters: 33.4 * M, languages: ["en"] },
    { name: "e5-base-v2", parameters: 109 * M, languages: ["en"] },
    { name: "e5-large-v2", parameters: 335 * M, languages: ["en"] },
    { name: "e5-small", parameters: 33.4 * M, languages: ["en"] },
    { name: "e5-base", parameters: 109 * M, languages: ["en"] },
    { name: "e5-large", parameters: 335 * M, languages: ["en"] },
    { name: "multilingual-e5-small", parameters: 118 * M, languages: ["multilingual"] },
    { name: "multilingual-e5-base", parameters: 278 * M, languages: ["multilingual"] },
    { name: "multilingual-e5-large", parameters: 560 * M, languages: ["multilingual"] },
    { name: "multilingual-e5-large-instruct", parameters: 560 * M, languages: ["multilingual"] },
    {
      name: "e5-mistral-7b-instruct",
      parameters: 7 * B,
      languages: ["en"],
      base: "mistralai/Mistral-7B-v0.1",
    },
  ],
});

family({
  key: "embeddings-misc",
  text: "Model cards of GTE (thenlper mit; Alibaba-NLP apache-2.0), Nomic (apache-2.0), mixedbread (apache-2.0), Snowflake Arctic Embed (apache-2.0) and Jina (v2 apache-2.0; v3 and reranker v2 cc-by-nc-4.0); sizes from the cards",
  org: "thenlper",
  task: "sentence-similarity",
  library: "sentence-transformers",
  license: "mit",
  languages: ["en"],
  describe: (item) => `${item.name}: text embedding model`,
  items: [
    { name: "gte-small", parameters: 33 * M },
    { name: "gte-base", parameters: 109 * M },
    { name: "gte-large", parameters: 335 * M },
  ],
});
const embeddingFamilies: Array<[string, Array<FamilyItem>]> = [
  [
    "Alibaba-NLP",
    [
      { name: "gte-base-en-v1.5", parameters: 137 * M, license: "apache-2.0" },
      { name: "gte-large-en-v1.5", parameters: 434 * M, license: "apache-2.0" },
      {
        name: "gte-multilingual-base",
        parameters: 305 * M,
        license: "apache-2.0",
        languages: ["multilingual"],
      },
      {
        name: "gte-Qwen2-1.5B-instruct",
        parameters: 1.5 * B,
        license: "apache-2.0",
        base: "Qwen/Qwen2-1.5B",
      },
      { name: "gte-Qwen2-7B-instruct", parameters: 7 * B, license: "apache-2.0", base: "Qwen/Qwen2-7B" },
    ],
  ],
  [
    "nomic-ai",
    [
      { name: "nomic-embed-text-v1", parameters: 137 * M, license: "apache-2.0" },
      { name: "nomic-embed-text-v1.5", parameters: 137 * M, license: "apache-2.0" },
      {
        name: "nomic-embed-vision-v1.5",
        license: "apache-2.0",
        task: "image-feature-extraction",
        languages: [],
      },
    ],
  ],
  [
    "mixedbread-ai",
    [
      {
        name: "mxbai-embed-large-v1",
        parameters: 335 * M,
        license: "apache-2.0",
        task: "feature-extraction",
      },
      { name: "mxbai-embed-xsmall-v1", license: "apache-2.0", task: "feature-extraction" },
      { name: "mxbai-rerank-xsmall-v1", license: "apache-2.0", task: "text-ranking" },
      { name: "mxbai-rerank-base-v1", license: "apache-2.0", task: "text-ranking" },
      { name: "mxbai-rerank-large-v1", license: "apache-2.0", task: "text-ranking" },
    ],
  ],
  [
    "Snowflake",
    [
      { name: "snowflake-arctic-embed-xs", parameters: 22 * M, license: "apache-2.0" },
      { name: "snowflake-arctic-embed-s", parameters: 33 * M, license: "apache-2.0" },
      { name: "snowflake-arctic-embed-m", parameters: 110 * M, license: "apache-2.0" },
      { name: "snowflake-arctic-embed-m-long", parameters: 137 * M, license: "apache-2.0" },
      { name: "snowflake-arctic-embed-l", parameters: 335 * M, license: "apache-2.0" },
      { name: "snowflake-arctic-embed-m-v1.5", parameters: 109 * M, license: "apache-2.0" },
      {
        name: "snowflake-arctic-embed-m-v2.0",
        parameters: 305 * M,
        license: "apache-2.0",
        languages: ["multilingual"],
      },
      {
        name: "snowflake-arctic-embed-l-v2.0",
        parameters: 568 * M,
        license: "apache-2.0",
        languages: ["multilingual"],
      },
    ],
  ],
  [
    "jinaai",
    [
      {
        name: "jina-embeddings-v2-small-en",
        parameters: 33 * M,
        license: "apache-2.0",
        task: "feature-extraction",
      },
      {
        name: "jina-embeddings-v2-base-en",
        parameters: 137 * M,
        license: "apache-2.0",
        task: "feature-extraction",
      },
      {
        name: "jina-embeddings-v2-base-de",
        parameters: 161 * M,
        license: "apache-2.0",
        task: "feature-extraction",
        languages: ["de", "en"],
      },
      {
        name: "jina-embeddings-v2-base-zh",
        parameters: 161 * M,
        license: "apache-2.0",
        task: "feature-extraction",
        languages: ["zh", "en"],
      },
      {
        name: "jina-embeddings-v2-base-code",
        parameters: 161 * M,
        license: "apache-2.0",
        task: "feature-extraction",
      },
      {
        name: "jina-embeddings-v3",
        parameters: 572 * M,
        license: "cc-by-nc-4.0",
        task: "feature-extraction",
        languages: ["multilingual"],
      },
      {
        name: "jina-reranker-v2-base-multilingual",
        parameters: 278 * M,
        license: "cc-by-nc-4.0",
        task: "text-ranking",
        languages: ["multilingual"],
      },
      { name: "jina-clip-v1", license: "apache-2.0", task: "feature-extraction" },
    ],
  ],
];
for (const [org, items] of embeddingFamilies) {
  family({
    key: `embeddings-${org.toLowerCase()}`,
    text: SOURCES["family:embeddings-misc"]!,
    org,
    task: "sentence-similarity",
    library: "sentence-transformers",
    languages: ["en"],
    describe: (item) =>
      item.task === "text-ranking"
        ? `${item.name}: reranker for search results`
        : `${item.name}: text embedding model`,
    items,
  });
}

family({
  key: "pythia",
  text: "Pythia model cards (huggingface.co/EleutherAI): apache-2.0, English, trained on the Pile (deduped variants on the deduplicated Pile); sizes as named",
  org: "EleutherAI",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) =>
    `Pythia ${item.name.replace("pythia-", "")}: model of the Pythia interpretability suite`,
  items: ["14m", "70m", "160m", "410m", "1b", "1.4b", "2.8b", "6.9b", "12b"].flatMap((size) => [
    `pythia-${size}`,
    ...(size === "14m" ? [] : [`pythia-${size}-deduped`]),
  ]),
});

family({
  key: "eleuther",
  text: "EleutherAI model cards (huggingface.co/EleutherAI): GPT-Neo mit; GPT-J and GPT-NeoX apache-2.0; Polyglot-Ko apache-2.0, Korean; sizes as named",
  org: "EleutherAI",
  task: "text-generation",
  library: "transformers",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) => `${item.name}: open autoregressive language model from EleutherAI`,
  items: [
    { name: "gpt-neo-125m", license: "mit" },
    { name: "gpt-neo-1.3B", license: "mit" },
    { name: "gpt-neo-2.7B", license: "mit" },
    { name: "gpt-j-6b", license: "apache-2.0" },
    { name: "gpt-neox-20b", license: "apache-2.0" },
    ...["1.3b", "3.8b", "5.8b", "12.8b"].map((size) => ({
      name: `polyglot-ko-${size}`,
      license: "apache-2.0",
      languages: ["ko"],
    })),
  ],
});

family({
  key: "bloom",
  text: "BLOOM, BLOOMZ, mT0 and T0 model cards (huggingface.co/bigscience): BLOOM/BLOOMZ bigscience-bloom-rail-1.0; mT0 and T0 apache-2.0; sizes as named or from the cards",
  org: "bigscience",
  task: "text-generation",
  library: "transformers",
  license: "bigscience-bloom-rail-1.0",
  languages: ["multilingual"],
  sizeFromName: true,
  describe: (item) =>
    item.name.startsWith("bloomz") || item.name.startsWith("mt0")
      ? `${item.name}: multitask-finetuned to follow prompts in dozens of languages`
      : `${item.name}: open multilingual language model from BigScience`,
  items: [
    { name: "bloom", parameters: 176 * B },
    "bloom-560m",
    "bloom-1b1",
    "bloom-1b7",
    "bloom-3b",
    "bloom-7b1",
    { name: "bloomz", parameters: 176 * B, base: "bigscience/bloom" },
    { name: "bloomz-560m", base: "bigscience/bloom-560m", parameters: 560 * M },
    { name: "bloomz-1b1", base: "bigscience/bloom-1b1", parameters: 1.1 * B },
    { name: "bloomz-1b7", base: "bigscience/bloom-1b7", parameters: 1.7 * B },
    { name: "bloomz-3b", base: "bigscience/bloom-3b", parameters: 3 * B },
    { name: "bloomz-7b1", base: "bigscience/bloom-7b1", parameters: 7.1 * B },
    { name: "mt0-small", license: "apache-2.0", parameters: 300 * M, base: "google/mt5-small" },
    { name: "mt0-base", license: "apache-2.0", parameters: 580 * M, base: "google/mt5-base" },
    { name: "mt0-large", license: "apache-2.0", parameters: 1.2 * B, base: "google/mt5-large" },
    { name: "mt0-xl", license: "apache-2.0", parameters: 3.7 * B, base: "google/mt5-xl" },
    { name: "mt0-xxl", license: "apache-2.0", parameters: 13 * B, base: "google/mt5-xxl" },
    { name: "T0pp", license: "apache-2.0", parameters: 11 * B, languages: ["en"] },
    { name: "T0_3B", license: "apache-2.0", parameters: 3 * B, languages: ["en"] },
  ],
});
// bloom-1b1 style names: sizes like "1b1" mean 1.1B.
for (const [name, parameters] of [
  ["bloom-560m", 560 * M],
  ["bloom-1b1", 1.1 * B],
  ["bloom-1b7", 1.7 * B],
  ["bloom-3b", 3 * B],
  ["bloom-7b1", 7.1 * B],
] as const) {
  const entry = models.get(`bigscience/${name}`)!;
  entry.parameters = parameters;
  if (!entry.sources.includes("name-size")) entry.sources.push("name-size");
}

family({
  key: "opt",
  text: "OPT model cards (huggingface.co/facebook): OPT-175B licence shown as other, English; sizes as named",
  org: "facebook",
  task: "text-generation",
  library: "transformers",
  license: "other",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) => `OPT ${item.name.replace("opt-", "")}: Meta's open pre-trained transformer`,
  items: ["125m", "350m", "1.3b", "2.7b", "6.7b", "13b", "30b", "66b"].map((size) => `opt-${size}`),
});

family({
  key: "smollm",
  text: "SmolLM, SmolLM2, SmolLM3, SmolVLM and SmolVLM2 model cards (huggingface.co/HuggingFaceTB): apache-2.0; sizes as named or from the cards",
  org: "HuggingFaceTB",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) =>
    item.task === "image-text-to-text"
      ? `${item.name}: small vision-language model`
      : `${item.name}: small language model${item.name.includes("Instruct") ? " tuned for chat" : ""}`,
  items: [
    ...["SmolLM", "SmolLM2"].flatMap((series) =>
      ["135M", "360M", "1.7B"].flatMap((size) => [
        `${series}-${size}`,
        { name: `${series}-${size}-Instruct`, base: `HuggingFaceTB/${series}-${size}` },
      ]),
    ),
    { name: "SmolLM3-3B-Base", languages: ["en", "fr", "es", "de", "it", "pt"] },
    {
      name: "SmolLM3-3B",
      base: "HuggingFaceTB/SmolLM3-3B-Base",
      languages: ["en", "fr", "es", "de", "it", "pt"],
    },
    { name: "SmolVLM-Instruct", task: "image-text-to-text", parameters: 2.2 * B },
    { name: "SmolVLM-256M-Instruct", task: "image-text-to-text" },
    { name: "SmolVLM-500M-Instruct", task: "image-text-to-text" },
    { name: "SmolVLM2-2.2B-Instruct", task: "image-text-to-text" },
    { name: "SmolVLM2-500M-Video-Instruct", task: "image-text-to-text" },
    { name: "SmolVLM2-256M-Video-Instruct", task: "image-text-to-text" },
  ],
});

family({
  key: "tinyllama",
  text: "TinyLlama model cards (huggingface.co/TinyLlama): apache-2.0, English, 1.1B",
  org: "TinyLlama",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) => `${item.name}: compact 1.1B Llama-architecture model`,
  items: [
    "TinyLlama-1.1B-intermediate-step-1431k-3T",
    { name: "TinyLlama-1.1B-Chat-v1.0", base: "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T" },
    "TinyLlama-1.1B-Chat-v0.4",
  ],
});

family({
  key: "falcon",
  text: "Falcon model cards (huggingface.co/tiiuae): Falcon 7B/40B apache-2.0; Falcon-180B, Falcon3 and Falcon Mamba under TII licences shown as other; sizes as named",
  org: "tiiuae",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  sizeFromName: true,
  describe: (item) => `${item.name}: causal language model from TII`,
  items: [
    { name: "falcon-7b", languages: ["en", "fr"] },
    { name: "falcon-7b-instruct", base: "tiiuae/falcon-7b", languages: ["en"] },
    { name: "falcon-40b", languages: ["en", "de", "es", "fr"] },
    { name: "falcon-40b-instruct", base: "tiiuae/falcon-40b", languages: ["en"] },
    { name: "falcon-180B", license: "other" },
    { name: "falcon-rw-1b", languages: ["en"] },
    { name: "falcon-mamba-7b", license: "other", languages: ["en"] },
    ...["1B", "3B", "7B", "10B"].flatMap((size) => [
      { name: `Falcon3-${size}-Base`, license: "other" },
      { name: `Falcon3-${size}-Instruct`, license: "other", base: `tiiuae/Falcon3-${size}-Base` },
    ]),
  ],
});

family({
  key: "allenai",
  text: "AllenAI model cards (huggingface.co/allenai): OLMo, OLMoE, Molmo and Longformer apache-2.0; SciBERT and SPECTER2 as their cards; sizes as named or from the cards",
  org: "allenai",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) => `${item.name}: open model from the Allen Institute for AI`,
  items: [
    "OLMo-2-1124-7B",
    "OLMo-2-1124-13B",
    { name: "OLMo-2-1124-7B-Instruct", base: "allenai/OLMo-2-1124-7B" },
    { name: "OLMo-2-1124-13B-Instruct", base: "allenai/OLMo-2-1124-13B" },
    "OLMo-2-0425-1B",
    { name: "OLMo-2-0425-1B-Instruct", base: "allenai/OLMo-2-0425-1B" },
    "OLMo-7B-hf",
    "OLMo-1B-hf",
    { name: "OLMoE-1B-7B-0924", parameters: 6.9 * B },
    { name: "Molmo-7B-D-0924", task: "image-text-to-text", base: "Qwen/Qwen2-7B" },
    { name: "longformer-base-4096", task: "fill-mask", parameters: 149 * M, base: "FacebookAI/roberta-base" },
    { name: "longformer-large-4096", task: "fill-mask", parameters: 435 * M },
    { name: "scibert_scivocab_uncased", task: "fill-mask", license: undefined, parameters: 110 * M },
    { name: "scibert_scivocab_cased", task: "fill-mask", license: undefined, parameters: 110 * M },
    { name: "specter2_base", task: "feature-extraction", license: undefined },
  ],
});

family({
  key: "h4",
  text: "Zephyr (huggingface.co/HuggingFaceH4, mit) and Idefics (huggingface.co/HuggingFaceM4, apache-2.0) model cards; sizes as named",
  org: "HuggingFaceH4",
  task: "text-generation",
  library: "transformers",
  license: "mit",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) => `${item.name}: Mistral 7B fine-tuned with DPO to act as a helpful assistant`,
  items: [
    { name: "zephyr-7b-beta", base: "mistralai/Mistral-7B-v0.1" },
    { name: "zephyr-7b-alpha", base: "mistralai/Mistral-7B-v0.1" },
  ],
});
family({
  key: "idefics",
  text: SOURCES["family:h4"]!,
  org: "HuggingFaceM4",
  task: "image-text-to-text",
  library: "transformers",
  license: "apache-2.0",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) => `${item.name}: open vision-language model from Hugging Face`,
  items: ["idefics2-8b", { name: "Idefics3-8B-Llama3", base: "meta-llama/Meta-Llama-3.1-8B-Instruct" }],
});

family({
  key: "salesforce",
  text: "Salesforce model cards (huggingface.co/Salesforce): BLIP bsd-3-clause; BLIP-2 mit; CodeGen bsd-3-clause; CodeT5 apache-2.0 (CodeT5+ bsd-3-clause); sizes as named or from the cards",
  org: "Salesforce",
  task: "image-to-text",
  library: "transformers",
  license: "bsd-3-clause",
  languages: ["en"],
  describe: (item) => `${item.name}: model from Salesforce Research`,
  items: [
    {
      name: "blip-image-captioning-base",
      description: "BLIP image captioning, base ViT backbone, trained on COCO",
    },
    {
      name: "blip-image-captioning-large",
      description: "BLIP image captioning, large ViT backbone, trained on COCO",
    },
    {
      name: "blip-vqa-base",
      task: "visual-question-answering",
      description: "BLIP visual question answering, base",
    },
    {
      name: "blip-vqa-capfilt-large",
      task: "visual-question-answering",
      description: "BLIP visual question answering, large",
    },
    {
      name: "blip2-opt-2.7b",
      license: "mit",
      task: "image-text-to-text",
      parameters: 3.9 * B,
      description: "BLIP-2 with OPT-2.7b language model",
    },
    {
      name: "blip2-opt-6.7b",
      license: "mit",
      task: "image-text-to-text",
      description: "BLIP-2 with OPT-6.7b language model",
    },
    {
      name: "blip2-flan-t5-xl",
      license: "mit",
      task: "image-text-to-text",
      description: "BLIP-2 with Flan-T5-xl language model",
    },
    ...["350M", "2B", "6B", "16B"].map((size) => ({
      name: `codegen-${size}-mono`,
      task: "text-generation",
      parameters: sizeFromName(`codegen-${size}`),
      description: "CodeGen program synthesis model, further trained on Python",
    })),
    {
      name: "codet5-base",
      task: "text-generation",
      license: "apache-2.0",
      parameters: 220 * M,
      description: "CodeT5 identifier-aware encoder-decoder for code",
    },
    {
      name: "codet5-small",
      task: "text-generation",
      license: "apache-2.0",
      parameters: 60 * M,
      description: "CodeT5 small encoder-decoder for code",
    },
    {
      name: "codet5p-220m",
      task: "text-generation",
      parameters: 220 * M,
      description: "CodeT5+ 220M code model",
    },
    {
      name: "codet5p-770m",
      task: "text-generation",
      parameters: 770 * M,
      description: "CodeT5+ 770M code model",
    },
  ],
});

family({
  key: "bigcode",
  text: "BigCode model cards (huggingface.co/bigcode): bigcode-openrail-m; SantaCoder bigcode-openrail-m; sizes as named or from the cards",
  org: "bigcode",
  task: "text-generation",
  library: "transformers",
  license: "bigcode-openrail-m",
  sizeFromName: true,
  describe: (item) => `${item.name}: code language model trained on The Stack`,
  items: [
    { name: "starcoder", parameters: 15.5 * B },
    { name: "starcoderbase", parameters: 15.5 * B },
    "starcoderbase-1b",
    "starcoderbase-3b",
    "starcoderbase-7b",
    "starcoder2-3b",
    "starcoder2-7b",
    "starcoder2-15b",
    { name: "starcoder2-15b-instruct-v0.1", base: "bigcode/starcoder2-15b" },
    { name: "santacoder", parameters: 1.1 * B },
    { name: "tiny_starcoder_py", parameters: 164 * M },
  ],
});

family({
  key: "vision-google",
  text: "Google vision model cards (huggingface.co/google): ViT, EfficientNet, MobileNet, SigLIP and OWL-ViT, apache-2.0; sizes from the cards and papers",
  org: "google",
  task: "image-classification",
  library: "transformers",
  license: "apache-2.0",
  describe: (item) => `${item.name}: vision model from Google`,
  items: [
    {
      name: "vit-base-patch16-224",
      parameters: 86 * M,
      base: "google/vit-base-patch16-224-in21k",
      description: "ViT base/16 fine-tuned on ImageNet-1k at 224px",
    },
    {
      name: "vit-base-patch16-224-in21k",
      parameters: 86 * M,
      task: "image-feature-extraction",
      description: "ViT base/16 pretrained on ImageNet-21k",
    },
    { name: "vit-base-patch16-384", parameters: 86 * M },
    { name: "vit-base-patch32-224-in21k", parameters: 88 * M, task: "image-feature-extraction" },
    { name: "vit-base-patch32-384", parameters: 88 * M },
    { name: "vit-large-patch16-224", parameters: 304 * M },
    { name: "vit-large-patch16-224-in21k", parameters: 304 * M, task: "image-feature-extraction" },
    { name: "vit-large-patch32-384", parameters: 306 * M },
    { name: "vit-huge-patch14-224-in21k", parameters: 632 * M, task: "image-feature-extraction" },
    ...(
      [
        ["b0", 5.3],
        ["b1", 7.8],
        ["b2", 9.2],
        ["b3", 12],
        ["b4", 19],
        ["b5", 30],
        ["b6", 43],
        ["b7", 66],
      ] as const
    ).map(([size, millions]) => ({
      name: `efficientnet-${size}`,
      parameters: millions * M,
      description: `EfficientNet-${size.toUpperCase()} trained on ImageNet-1k`,
    })),
    {
      name: "mobilenet_v2_1.0_224",
      parameters: 3.5 * M,
      license: undefined,
      description: "MobileNet V2 trained on ImageNet-1k",
    },
    {
      name: "mobilenet_v1_1.0_224",
      parameters: 4.2 * M,
      license: undefined,
      description: "MobileNet V1 trained on ImageNet-1k",
    },
    { name: "siglip-base-patch16-224", parameters: 203 * M, task: "zero-shot-image-classification" },
    { name: "siglip-base-patch16-256", parameters: 203 * M, task: "zero-shot-image-classification" },
    { name: "siglip-base-patch16-384", parameters: 203 * M, task: "zero-shot-image-classification" },
    { name: "siglip-base-patch16-512", parameters: 203 * M, task: "zero-shot-image-classification" },
    { name: "siglip-large-patch16-256", parameters: 652 * M, task: "zero-shot-image-classification" },
    { name: "siglip-large-patch16-384", parameters: 652 * M, task: "zero-shot-image-classification" },
    { name: "siglip-so400m-patch14-384", parameters: 878 * M, task: "zero-shot-image-classification" },
    { name: "siglip-so400m-patch14-224", parameters: 878 * M, task: "zero-shot-image-classification" },
    {
      name: "siglip-base-patch16-256-multilingual",
      task: "zero-shot-image-classification",
      languages: ["multilingual"],
    },
    { name: "siglip2-base-patch16-224", task: "zero-shot-image-classification" },
    { name: "siglip2-so400m-patch14-384", task: "zero-shot-image-classification" },
    { name: "siglip2-large-patch16-256", task: "zero-shot-image-classification" },
    { name: "owlvit-base-patch32", task: "zero-shot-object-detection" },
    { name: "owlvit-base-patch16", task: "zero-shot-object-detection" },
    { name: "owlvit-large-patch14", task: "zero-shot-object-detection" },
    { name: "owlv2-base-patch16-ensemble", task: "zero-shot-object-detection" },
    { name: "owlv2-large-patch14-ensemble", task: "zero-shot-object-detection" },
  ],
});

family({
  key: "vision-microsoft",
  text: "Microsoft vision and speech model cards (huggingface.co/microsoft): ResNet, Swin, BEiT, TrOCR, Table Transformer apache-2.0 or mit as noted; Florence-2, GIT, SpeechT5 mit; sizes from the cards and papers",
  org: "microsoft",
  task: "image-classification",
  library: "transformers",
  license: "apache-2.0",
  describe: (item) => `${item.name}: model from Microsoft`,
  items: [
    { name: "resnet-18", parameters: 11.7 * M, description: "ResNet-18 trained on ImageNet-1k" },
    { name: "resnet-34", parameters: 21.8 * M, description: "ResNet-34 trained on ImageNet-1k" },
    { name: "resnet-50", parameters: 25.6 * M, description: "ResNet-50 v1.5 trained on ImageNet-1k" },
    { name: "resnet-101", parameters: 44.5 * M, description: "ResNet-101 trained on ImageNet-1k" },
    { name: "resnet-152", parameters: 60.2 * M, description: "ResNet-152 trained on ImageNet-1k" },
    { name: "swin-tiny-patch4-window7-224", parameters: 28 * M },
    { name: "swin-small-patch4-window7-224", parameters: 50 * M },
    { name: "swin-base-patch4-window7-224", parameters: 88 * M },
    { name: "swin-large-patch4-window7-224", parameters: 197 * M },
    { name: "beit-base-patch16-224", parameters: 86 * M },
    { name: "beit-large-patch16-224", parameters: 304 * M },
    {
      name: "trocr-base-handwritten",
      task: "image-to-text",
      license: undefined,
      description: "TrOCR base fine-tuned on IAM handwriting",
    },
    {
      name: "trocr-large-handwritten",
      task: "image-to-text",
      license: undefined,
      description: "TrOCR large fine-tuned on IAM handwriting",
    },
    {
      name: "trocr-base-printed",
      task: "image-to-text",
      license: undefined,
      description: "TrOCR base fine-tuned on SROIE receipts",
    },
    {
      name: "trocr-small-printed",
      task: "image-to-text",
      license: undefined,
      description: "TrOCR small fine-tuned on SROIE receipts",
    },
    {
      name: "table-transformer-detection",
      task: "object-detection",
      license: "mit",
      description: "Table Transformer detecting tables in documents",
    },
    {
      name: "table-transformer-structure-recognition",
      task: "object-detection",
      license: "mit",
      description: "Table Transformer recognising table structure",
    },
    {
      name: "Florence-2-base",
      task: "image-text-to-text",
      license: "mit",
      parameters: 230 * M,
      description: "Florence-2 base: prompt-based vision foundation model",
    },
    {
      name: "Florence-2-large",
      task: "image-text-to-text",
      license: "mit",
      parameters: 770 * M,
      description: "Florence-2 large: prompt-based vision foundation model",
    },
    {
      name: "Florence-2-base-ft",
      task: "image-text-to-text",
      license: "mit",
      parameters: 230 * M,
      base: "microsoft/Florence-2-base",
    },
    {
      name: "Florence-2-large-ft",
      task: "image-text-to-text",
      license: "mit",
      parameters: 770 * M,
      base: "microsoft/Florence-2-large",
    },
    {
      name: "git-base",
      task: "image-to-text",
      license: "mit",
      description: "GIT generative image-to-text transformer, base",
    },
    {
      name: "git-large-coco",
      task: "image-to-text",
      license: "mit",
      description: "GIT large fine-tuned on COCO captions",
    },
    {
      name: "speecht5_tts",
      task: "text-to-speech",
      license: "mit",
      languages: ["en"],
      description: "SpeechT5 fine-tuned for English text-to-speech",
    },
    {
      name: "speecht5_asr",
      task: "automatic-speech-recognition",
      license: "mit",
      languages: ["en"],
      description: "SpeechT5 fine-tuned for speech recognition",
    },
    {
      name: "speecht5_vc",
      task: "audio-to-audio",
      license: "mit",
      languages: ["en"],
      description: "SpeechT5 fine-tuned for voice conversion",
    },
    {
      name: "layoutlmv3-base",
      task: "feature-extraction",
      license: "cc-by-nc-sa-4.0",
      description: "LayoutLMv3 document AI model: text, layout and image",
    },
    {
      name: "DialoGPT-small",
      task: "text-generation",
      license: "mit",
      languages: ["en"],
      parameters: 117 * M,
      description: "DialoGPT conversational response model, small",
    },
    {
      name: "DialoGPT-medium",
      task: "text-generation",
      license: "mit",
      languages: ["en"],
      parameters: 345 * M,
      description: "DialoGPT conversational response model, medium",
    },
    {
      name: "DialoGPT-large",
      task: "text-generation",
      license: "mit",
      languages: ["en"],
      parameters: 762 * M,
      description: "DialoGPT conversational response model, large",
    },
    {
      name: "codebert-base",
      task: "feature-extraction",
      license: undefined,
      parameters: 125 * M,
      description: "CodeBERT: bimodal model of code and natural language",
    },
    {
      name: "MiniLM-L12-H384-uncased",
      task: "feature-extraction",
      license: "mit",
      parameters: 33 * M,
      languages: ["en"],
    },
    { name: "mpnet-base", task: "fill-mask", license: undefined, parameters: 110 * M, languages: ["en"] },
  ],
});

family({
  key: "vision-facebook",
  text: "Meta vision model cards (huggingface.co/facebook): DINOv2, DETR, DeiT, ConvNeXt, SAM, SAM 2, ViT-MAE apache-2.0; sizes from the cards and papers",
  org: "facebook",
  task: "image-classification",
  library: "transformers",
  license: "apache-2.0",
  describe: (item) => `${item.name}: vision model from Meta AI`,
  items: [
    { name: "dinov2-small", parameters: 22 * M, task: "image-feature-extraction" },
    { name: "dinov2-base", parameters: 86 * M, task: "image-feature-extraction" },
    { name: "dinov2-large", parameters: 300 * M, task: "image-feature-extraction" },
    { name: "dinov2-giant", parameters: 1.1 * B, task: "image-feature-extraction" },
    { name: "dino-vits16", parameters: 22 * M, task: "image-feature-extraction" },
    { name: "dino-vitb16", parameters: 86 * M, task: "image-feature-extraction" },
    { name: "dino-vits8", parameters: 22 * M, task: "image-feature-extraction" },
    { name: "dino-vitb8", parameters: 86 * M, task: "image-feature-extraction" },
    {
      name: "detr-resnet-50",
      parameters: 41 * M,
      task: "object-detection",
      description: "DETR end-to-end object detection with a ResNet-50 backbone",
    },
    {
      name: "detr-resnet-101",
      parameters: 60 * M,
      task: "object-detection",
      description: "DETR end-to-end object detection with a ResNet-101 backbone",
    },
    { name: "deit-tiny-patch16-224", parameters: 5 * M },
    { name: "deit-small-patch16-224", parameters: 22 * M },
    { name: "deit-base-patch16-224", parameters: 86 * M },
    { name: "deit-base-distilled-patch16-224", parameters: 87 * M },
    { name: "convnext-tiny-224", parameters: 28 * M },
    { name: "convnext-small-224", parameters: 50 * M },
    { name: "convnext-base-224", parameters: 89 * M },
    { name: "convnext-large-224", parameters: 198 * M },
    {
      name: "sam-vit-base",
      parameters: 94 * M,
      task: "mask-generation",
      description: "Segment Anything with a ViT-B image encoder",
    },
    {
      name: "sam-vit-large",
      parameters: 312 * M,
      task: "mask-generation",
      description: "Segment Anything with a ViT-L image encoder",
    },
    {
      name: "sam-vit-huge",
      parameters: 641 * M,
      task: "mask-generation",
      description: "Segment Anything with a ViT-H image encoder",
    },
    {
      name: "sam2-hiera-tiny",
      parameters: 38.9 * M,
      task: "mask-generation",
      description: "SAM 2 promptable segmentation for images and video, tiny",
    },
    {
      name: "sam2-hiera-small",
      parameters: 46 * M,
      task: "mask-generation",
      description: "SAM 2 promptable segmentation, small",
    },
    {
      name: "sam2-hiera-base-plus",
      parameters: 80.8 * M,
      task: "mask-generation",
      description: "SAM 2 promptable segmentation, base+",
    },
    {
      name: "sam2-hiera-large",
      parameters: 224.4 * M,
      task: "mask-generation",
      description: "SAM 2 promptable segmentation, large",
    },
    { name: "vit-mae-base", parameters: 86 * M, task: "image-feature-extraction" },
    { name: "vit-mae-large", parameters: 304 * M, task: "image-feature-extraction" },
    { name: "vit-mae-huge", parameters: 632 * M, task: "image-feature-extraction" },
  ],
});

family({
  key: "vision-misc",
  text: "Model cards of YOLOS (hustvl, apache-2.0), RT-DETR (PekingU, apache-2.0), Grounding DINO (IDEA-Research, apache-2.0), DPT (Intel, apache-2.0), Depth Anything (LiheYoung apache-2.0; V2 Small apache-2.0, Base/Large cc-by-nc-4.0), MobileViT (apple, other), CLIP (openai; laion mit); sizes from the cards",
  org: "hustvl",
  task: "object-detection",
  library: "transformers",
  license: "apache-2.0",
  describe: (item) => `${item.name}: YOLOS vision-transformer object detector`,
  items: [
    { name: "yolos-tiny", parameters: 6.5 * M },
    { name: "yolos-small", parameters: 30.7 * M },
    { name: "yolos-base", parameters: 127 * M },
  ],
});
const visionOrgs: Array<[string, string, string, Array<FamilyItem>]> = [
  [
    "PekingU",
    "object-detection",
    "RT-DETR real-time end-to-end object detector",
    [
      { name: "rtdetr_r18vd", parameters: 20 * M },
      { name: "rtdetr_r50vd", parameters: 42 * M },
      { name: "rtdetr_r101vd", parameters: 76 * M },
      { name: "rtdetr_v2_r18vd", parameters: 20 * M },
    ],
  ],
  [
    "IDEA-Research",
    "zero-shot-object-detection",
    "Grounding DINO open-set object detector driven by text",
    [
      { name: "grounding-dino-tiny", parameters: 172 * M },
      { name: "grounding-dino-base", parameters: 233 * M },
    ],
  ],
  [
    "Intel",
    "depth-estimation",
    "DPT dense prediction transformer for monocular depth",
    [
      { name: "dpt-large", parameters: 343 * M },
      { name: "dpt-hybrid-midas", parameters: 123 * M },
    ],
  ],
  [
    "LiheYoung",
    "depth-estimation",
    "Depth Anything monocular depth estimation",
    [
      { name: "depth-anything-small-hf", parameters: 24.8 * M },
      { name: "depth-anything-base-hf", parameters: 97.5 * M },
      { name: "depth-anything-large-hf", parameters: 335 * M },
    ],
  ],
  [
    "depth-anything",
    "depth-estimation",
    "Depth Anything V2 monocular depth estimation",
    [
      { name: "Depth-Anything-V2-Small-hf", parameters: 24.8 * M },
      { name: "Depth-Anything-V2-Base-hf", parameters: 97.5 * M, license: "cc-by-nc-4.0" },
      { name: "Depth-Anything-V2-Large-hf", parameters: 335.3 * M, license: "cc-by-nc-4.0" },
    ],
  ],
  [
    "apple",
    "image-classification",
    "MobileViT light-weight vision transformer for mobile",
    [
      { name: "mobilevit-small", parameters: 5.6 * M, license: "other" },
      { name: "mobilevit-x-small", parameters: 2.3 * M, license: "other" },
      { name: "mobilevit-xx-small", parameters: 1.3 * M, license: "other" },
    ],
  ],
  [
    "openai",
    "zero-shot-image-classification",
    "OpenAI CLIP: contrastive image-text model for zero-shot classification",
    [
      { name: "clip-vit-base-patch32", parameters: 151 * M, license: undefined },
      { name: "clip-vit-base-patch16", parameters: 150 * M, license: undefined },
      { name: "clip-vit-large-patch14", parameters: 428 * M, license: undefined },
      { name: "clip-vit-large-patch14-336", parameters: 428 * M, license: undefined },
    ],
  ],
  [
    "laion",
    "zero-shot-image-classification",
    "OpenCLIP model trained on LAION-2B",
    [
      { name: "CLIP-ViT-B-32-laion2B-s34B-b79K", parameters: 151 * M, license: "mit", library: "open_clip" },
      { name: "CLIP-ViT-L-14-laion2B-s32B-b82K", parameters: 428 * M, license: "mit", library: "open_clip" },
      { name: "CLIP-ViT-H-14-laion2B-s32B-b79K", parameters: 986 * M, license: "mit", library: "open_clip" },
      {
        name: "CLIP-ViT-bigG-14-laion2B-39B-b160k",
        parameters: 2.5 * B,
        license: "mit",
        library: "open_clip",
      },
      { name: "clap-htsat-unfused", license: "apache-2.0", task: "feature-extraction" },
      { name: "clap-htsat-fused", license: "apache-2.0", task: "feature-extraction" },
    ],
  ],
];
for (const [org, task, text, items] of visionOrgs) {
  family({
    key: `vision-${org.toLowerCase()}`,
    text: SOURCES["family:vision-misc"]!,
    org,
    task,
    library: "transformers",
    license: "apache-2.0",
    describe: () => text,
    items,
  });
}

family({
  key: "diffusion-stability",
  text: "Stability AI model cards (huggingface.co/stabilityai): SD 2.x and SDXL openrail++; SDXL/SD Turbo, SD3, SD3.5, SVD and Stable Cascade under Stability community licences shown as other; VAEs mit; sizes from the cards",
  org: "stabilityai",
  task: "text-to-image",
  library: "diffusers",
  license: "openrail++",
  describe: (item) => `${item.name}: diffusion model from Stability AI`,
  items: [
    {
      name: "stable-diffusion-xl-base-1.0",
      description: "SDXL 1.0 base latent diffusion text-to-image model",
    },
    {
      name: "stable-diffusion-xl-refiner-1.0",
      task: "image-to-image",
      description: "SDXL 1.0 refiner for the last denoising steps",
    },
    { name: "stable-diffusion-2-1", description: "Stable Diffusion 2.1 at 768px" },
    { name: "stable-diffusion-2-1-base", description: "Stable Diffusion 2.1 base at 512px" },
    { name: "stable-diffusion-2", description: "Stable Diffusion 2.0 at 768px" },
    { name: "stable-diffusion-2-base", description: "Stable Diffusion 2.0 base at 512px" },
    {
      name: "stable-diffusion-x4-upscaler",
      task: "image-to-image",
      description: "Text-guided 4x latent upscaler",
    },
    {
      name: "sdxl-turbo",
      license: "other",
      base: "stabilityai/stable-diffusion-xl-base-1.0",
      description: "SDXL distilled for 1-4 step generation",
    },
    {
      name: "sd-turbo",
      license: "other",
      base: "stabilityai/stable-diffusion-2-1",
      description: "SD 2.1 distilled for 1-4 step generation",
    },
    { name: "stable-diffusion-3-medium", license: "other", parameters: 2 * B },
    { name: "stable-diffusion-3-medium-diffusers", license: "other", parameters: 2 * B },
    { name: "stable-diffusion-3.5-large", license: "other", parameters: 8.1 * B },
    {
      name: "stable-diffusion-3.5-large-turbo",
      license: "other",
      parameters: 8.1 * B,
      base: "stabilityai/stable-diffusion-3.5-large",
    },
    { name: "stable-diffusion-3.5-medium", license: "other", parameters: 2.5 * B },
    {
      name: "stable-video-diffusion-img2vid",
      license: "other",
      task: "image-to-video",
      description: "Stable Video Diffusion: 14 frames from one image",
    },
    {
      name: "stable-video-diffusion-img2vid-xt",
      license: "other",
      task: "image-to-video",
      description: "Stable Video Diffusion XT: 25 frames from one image",
    },
    {
      name: "stable-cascade",
      license: "other",
      description: "Stable Cascade: Würstchen-architecture text-to-image",
    },
    {
      name: "sd-vae-ft-mse",
      license: "mit",
      library: "diffusers",
      description: "SD VAE decoder fine-tuned with MSE loss",
    },
    {
      name: "sd-vae-ft-ema",
      license: "mit",
      library: "diffusers",
      description: "SD VAE decoder fine-tuned with EMA weights",
    },
    {
      name: "stable-audio-open-1.0",
      license: "other",
      task: "text-to-audio",
      description: "Stable Audio Open: sound and music from text",
    },
    {
      name: "stablelm-2-1_6b",
      license: "other",
      task: "text-generation",
      library: "transformers",
      parameters: 1.6 * B,
    },
    {
      name: "stablelm-2-zephyr-1_6b",
      license: "other",
      task: "text-generation",
      library: "transformers",
      parameters: 1.6 * B,
      base: "stabilityai/stablelm-2-1_6b",
    },
    {
      name: "stablelm-zephyr-3b",
      license: "other",
      task: "text-generation",
      library: "transformers",
      parameters: 3 * B,
    },
    {
      name: "stable-code-3b",
      license: "other",
      task: "text-generation",
      library: "transformers",
      parameters: 3 * B,
    },
  ],
});

family({
  key: "diffusion-misc",
  text: "Diffusion model cards: CompVis and stable-diffusion-v1-5 creativeml-openrail-m; FLUX.1 dev/tools flux-1-dev-non-commercial-license (other), schnell apache-2.0, 12B; ControlNet (lllyasviel) openrail; diffusers SDXL ControlNets openrail++; LCM-LoRA openrail++; IP-Adapter apache-2.0; SDXL-Lightning openrail++; VAE/TAESD mit; Kolors apache-2.0; PixArt openrail++; Playground v2.5 other; Kandinsky apache-2.0",
  org: "black-forest-labs",
  task: "text-to-image",
  library: "diffusers",
  license: "other",
  languages: ["en"],
  describe: (item) => `${item.name}: FLUX.1 rectified-flow transformer from Black Forest Labs`,
  items: [
    { name: "FLUX.1-dev", parameters: 12 * B },
    { name: "FLUX.1-schnell", parameters: 12 * B, license: "apache-2.0" },
    { name: "FLUX.1-Fill-dev", parameters: 12 * B, task: "image-to-image" },
    { name: "FLUX.1-Canny-dev", parameters: 12 * B, task: "image-to-image" },
    { name: "FLUX.1-Depth-dev", parameters: 12 * B, task: "image-to-image" },
    { name: "FLUX.1-Redux-dev", task: "image-to-image" },
    {
      name: "FLUX.1-Kontext-dev",
      parameters: 12 * B,
      task: "image-to-image",
      description: "FLUX.1 Kontext: image editing from text instructions",
    },
  ],
});
const SDXL = "stabilityai/stable-diffusion-xl-base-1.0";
const diffusionOrgs: Array<[string, string, Array<FamilyItem>]> = [
  [
    "CompVis",
    "creativeml-openrail-m",
    [{ name: "stable-diffusion-v1-4", description: "Stable Diffusion v1.4 latent text-to-image model" }],
  ],
  [
    "stable-diffusion-v1-5",
    "creativeml-openrail-m",
    [{ name: "stable-diffusion-v1-5", description: "Stable Diffusion v1.5 latent text-to-image model" }],
  ],
  [
    "lllyasviel",
    "openrail",
    [
      ...["canny", "depth", "openpose", "scribble", "seg", "hed", "mlsd", "normal"].map((kind) => ({
        name: `sd-controlnet-${kind}`,
        task: "image-to-image",
        base: "runwayml/stable-diffusion-v1-5",
        relation: "adapter" as const,
        description: `ControlNet conditioning Stable Diffusion 1.5 on ${kind} maps`,
      })),
      ...[
        "p_sd15_canny",
        "f1p_sd15_depth",
        "p_sd15_openpose",
        "p_sd15_lineart",
        "p_sd15_softedge",
        "p_sd15_scribble",
        "e_sd15_ip2p",
        "p_sd15_inpaint",
        "f1e_sd15_tile",
      ].map((kind) => ({
        name: `control_v11${kind}`,
        task: "image-to-image",
        base: "runwayml/stable-diffusion-v1-5",
        relation: "adapter" as const,
        description: `ControlNet 1.1 (${kind.split("_").pop()}) for Stable Diffusion 1.5`,
      })),
    ],
  ],
  [
    "diffusers",
    "openrail++",
    [
      {
        name: "controlnet-canny-sdxl-1.0",
        task: "image-to-image",
        base: SDXL,
        relation: "adapter",
        description: "ControlNet for SDXL conditioned on Canny edges",
      },
      {
        name: "controlnet-depth-sdxl-1.0",
        task: "image-to-image",
        base: SDXL,
        relation: "adapter",
        description: "ControlNet for SDXL conditioned on depth maps",
      },
    ],
  ],
  [
    "latent-consistency",
    "openrail++",
    [
      {
        name: "lcm-lora-sdxl",
        base: SDXL,
        relation: "adapter",
        description: "Latent Consistency LoRA: 2-8 step SDXL generation",
      },
      {
        name: "lcm-lora-sdv1-5",
        base: "runwayml/stable-diffusion-v1-5",
        relation: "adapter",
        description: "Latent Consistency LoRA for SD 1.5",
      },
      { name: "lcm-sdxl", base: SDXL, description: "Latent Consistency distilled SDXL UNet" },
    ],
  ],
  [
    "h94",
    "apache-2.0",
    [{ name: "IP-Adapter", description: "IP-Adapter: image prompts for text-to-image diffusion models" }],
  ],
  [
    "ByteDance",
    "openrail++",
    [{ name: "SDXL-Lightning", base: SDXL, description: "SDXL-Lightning: few-step distilled SDXL" }],
  ],
  [
    "madebyollin",
    "mit",
    [
      { name: "sdxl-vae-fp16-fix", description: "SDXL VAE fine-tuned to run in fp16" },
      { name: "taesd", description: "Tiny AutoEncoder for Stable Diffusion latents" },
      { name: "taesdxl", description: "Tiny AutoEncoder for SDXL latents" },
    ],
  ],
  [
    "Kwai-Kolors",
    "apache-2.0",
    [
      {
        name: "Kolors",
        languages: ["zh", "en"],
        description: "Kolors: bilingual large-scale latent diffusion model",
      },
    ],
  ],
  [
    "PixArt-alpha",
    "openrail++",
    [
      {
        name: "PixArt-XL-2-1024-MS",
        parameters: 0.6 * B,
        description: "PixArt-α diffusion transformer at 1024px",
      },
    ],
  ],
  [
    "playgroundai",
    "other",
    [
      {
        name: "playground-v2.5-1024px-aesthetic",
        description: "Playground v2.5: aesthetic 1024px text-to-image",
      },
    ],
  ],
  [
    "kandinsky-community",
    "apache-2.0",
    [
      { name: "kandinsky-2-2-decoder", description: "Kandinsky 2.2 decoder for text-to-image" },
      { name: "kandinsky-3", description: "Kandinsky 3 text-to-image latent diffusion" },
    ],
  ],
  [
    "timbrooks",
    "mit",
    [
      {
        name: "instruct-pix2pix",
        task: "image-to-image",
        description: "InstructPix2Pix: edits images following written instructions",
      },
    ],
  ],
];
for (const [org, license, items] of diffusionOrgs) {
  family({
    key: `diffusion-${org.toLowerCase()}`,
    text: SOURCES["family:diffusion-misc"]!,
    org,
    task: "text-to-image",
    library: "diffusers",
    license,
    describe: (item) => `${item.name}: diffusion model`,
    items,
  });
}

family({
  key: "video",
  text: "Text/image-to-video model cards: CogVideoX-2b apache-2.0 (5b other), Mochi 1 apache-2.0, Wan2.1 apache-2.0, LTX-Video and HunyuanVideo under their own licences (other), ModelScope text-to-video cc-by-nc-4.0; sizes as named",
  org: "THUDM",
  task: "text-to-video",
  library: "diffusers",
  license: "apache-2.0",
  languages: ["en"],
  sizeFromName: true,
  describe: (item) => `${item.name}: video generation model`,
  items: [
    "CogVideoX-2b",
    { name: "CogVideoX-5b", license: "other" },
    { name: "CogVideoX-5b-I2V", license: "other", task: "image-to-video" },
  ],
});
for (const [org, items] of [
  ["genmo", [{ name: "mochi-1-preview", parameters: 10 * B }]],
  ["Lightricks", [{ name: "LTX-Video", license: "other" }]],
  ["tencent", [{ name: "HunyuanVideo", license: "other", parameters: 13 * B }]],
  [
    "Wan-AI",
    [
      { name: "Wan2.1-T2V-1.3B" },
      { name: "Wan2.1-T2V-14B" },
      { name: "Wan2.1-I2V-14B-480P", task: "image-to-video" },
      { name: "Wan2.1-I2V-14B-720P", task: "image-to-video" },
    ],
  ],
  ["ali-vilab", [{ name: "text-to-video-ms-1.7b", license: "cc-by-nc-4.0" }]],
] as Array<[string, FamilyItem[]]>) {
  family({
    key: `video-${org.toLowerCase()}`,
    text: SOURCES["family:video"]!,
    org,
    task: "text-to-video",
    library: "diffusers",
    license: "apache-2.0",
    sizeFromName: true,
    describe: (item) => `${item.name}: video generation model`,
    items,
  });
}

family({
  key: "audio",
  text: "Audio model cards: MusicGen and MMS cc-by-nc-4.0 (facebook); Bark mit (suno); Kokoro apache-2.0 (hexgrad); Parler-TTS apache-2.0; AST bsd-3-clause (MIT); pyannote mit; SpeechBrain apache-2.0; sizes from the cards",
  org: "facebook",
  task: "text-to-audio",
  library: "transformers",
  license: "cc-by-nc-4.0",
  describe: (item) => `${item.name}: audio model from Meta AI`,
  items: [
    {
      name: "musicgen-small",
      parameters: 300 * M,
      description: "MusicGen small: music from text descriptions",
    },
    {
      name: "musicgen-medium",
      parameters: 1.5 * B,
      description: "MusicGen medium: music from text descriptions",
    },
    {
      name: "musicgen-large",
      parameters: 3.3 * B,
      description: "MusicGen large: music from text descriptions",
    },
    {
      name: "musicgen-melody",
      parameters: 1.5 * B,
      description: "MusicGen melody: music from text and a melody",
    },
    {
      name: "mms-1b-all",
      parameters: 1 * B,
      task: "automatic-speech-recognition",
      languages: ["multilingual"],
      description: "MMS speech recognition for 1,000+ languages with adapters",
    },
    { name: "mms-300m", parameters: 300 * M, task: "feature-extraction", languages: ["multilingual"] },
    { name: "mms-1b", parameters: 1 * B, task: "feature-extraction", languages: ["multilingual"] },
    ...["eng", "fra", "deu", "spa", "por", "rus", "hin", "ara", "yor", "swh"].map((code) => ({
      name: `mms-tts-${code}`,
      task: "text-to-speech",
      description: `MMS VITS text-to-speech for ISO 639-3 "${code}"`,
    })),
    {
      name: "seamless-m4t-v2-large",
      parameters: 2.3 * B,
      task: "translation",
      languages: ["multilingual"],
      description: "SeamlessM4T v2: speech and text translation across ~100 languages",
    },
    {
      name: "nllb-200-distilled-600M",
      parameters: 600 * M,
      task: "translation",
      languages: ["multilingual"],
      description: "NLLB-200 translation between 200 languages, distilled 600M",
    },
    {
      name: "nllb-200-distilled-1.3B",
      parameters: 1.3 * B,
      task: "translation",
      languages: ["multilingual"],
      description: "NLLB-200 translation, distilled 1.3B",
    },
    {
      name: "nllb-200-1.3B",
      parameters: 1.3 * B,
      task: "translation",
      languages: ["multilingual"],
      description: "NLLB-200 translation, 1.3B",
    },
    {
      name: "nllb-200-3.3B",
      parameters: 3.3 * B,
      task: "translation",
      languages: ["multilingual"],
      description: "NLLB-200 translation, 3.3B",
    },
    {
      name: "m2m100_418M",
      parameters: 418 * M,
      task: "translation",
      license: "mit",
      languages: ["multilingual"],
      description: "M2M100 many-to-many translation between 100 languages",
    },
    {
      name: "m2m100_1.2B",
      parameters: 1.2 * B,
      task: "translation",
      license: "mit",
      languages: ["multilingual"],
      description: "M2M100 many-to-many translation, 1.2B",
    },
  ],
});
for (const [org, items] of [
  [
    "suno",
    [
      {
        name: "bark",
        license: "mit",
        task: "text-to-speech",
        description: "Bark: text-prompted generative audio, speech, music and effects",
      },
      { name: "bark-small", license: "mit", task: "text-to-speech", description: "Smaller Bark checkpoint" },
    ],
  ],
  [
    "hexgrad",
    [
      {
        name: "Kokoro-82M",
        license: "apache-2.0",
        task: "text-to-speech",
        parameters: 82 * M,
        library: "kokoro",
        description: "Kokoro: 82M-parameter open-weight TTS",
      },
    ],
  ],
  [
    "parler-tts",
    [
      {
        name: "parler-tts-mini-v1",
        license: "apache-2.0",
        task: "text-to-speech",
        description: "Parler-TTS Mini: speech steered by a text description of the voice",
      },
      {
        name: "parler-tts-large-v1",
        license: "apache-2.0",
        task: "text-to-speech",
        parameters: 2.2 * B,
        description: "Parler-TTS Large",
      },
    ],
  ],
  [
    "MIT",
    [
      {
        name: "ast-finetuned-audioset-10-10-0.4593",
        license: "bsd-3-clause",
        task: "audio-classification",
        parameters: 86 * M,
        description: "Audio Spectrogram Transformer fine-tuned on AudioSet",
      },
    ],
  ],
  [
    "pyannote",
    [
      {
        name: "speaker-diarization-3.1",
        license: "mit",
        task: "automatic-speech-recognition",
        library: "pyannote-audio",
        description: "pyannote speaker diarization pipeline 3.1",
      },
      {
        name: "segmentation-3.0",
        license: "mit",
        task: "voice-activity-detection",
        library: "pyannote-audio",
        description: "pyannote speaker segmentation 3.0",
      },
      {
        name: "voice-activity-detection",
        license: "mit",
        task: "voice-activity-detection",
        library: "pyannote-audio",
        description: "pyannote voice activity detection pipeline",
      },
      {
        name: "embedding",
        license: "mit",
        task: "feature-extraction",
        library: "pyannote-audio",
        description: "pyannote speaker embedding",
      },
    ],
  ],
  [
    "speechbrain",
    [
      {
        name: "spkrec-ecapa-voxceleb",
        license: "apache-2.0",
        task: "audio-classification",
        library: "speechbrain",
        description: "ECAPA-TDNN speaker verification trained on VoxCeleb",
      },
      {
        name: "lang-id-voxlingua107-ecapa",
        license: "apache-2.0",
        task: "audio-classification",
        library: "speechbrain",
        description: "Spoken language identification for 107 languages",
      },
      {
        name: "metricgan-plus-voicebank",
        license: "apache-2.0",
        task: "audio-to-audio",
        library: "speechbrain",
        description: "MetricGAN+ speech enhancement",
      },
      {
        name: "sepformer-wham",
        license: "apache-2.0",
        task: "audio-to-audio",
        library: "speechbrain",
        description: "SepFormer speech separation trained on WHAM!",
      },
    ],
  ],
] as Array<[string, FamilyItem[]]>) {
  family({
    key: `audio-${org.toLowerCase()}`,
    text: SOURCES["family:audio"]!,
    org,
    task: "text-to-speech",
    library: "transformers",
    describe: (item) => `${item.name}: audio model`,
    items,
  });
}

family({
  key: "nvidia",
  text: "NVIDIA model cards (huggingface.co/nvidia): SegFormer/MiT under the NVIDIA source code licence (other); Parakeet cc-by-4.0; Canary cc-by-nc-4.0; NV-Embed-v2 cc-by-nc-4.0; Nemotron-70B llama3.1; sizes as named or from the cards",
  org: "nvidia",
  task: "image-segmentation",
  library: "transformers",
  license: "other",
  describe: (item) => `${item.name}: model from NVIDIA`,
  items: [
    ...["b0", "b1", "b2", "b3", "b4", "b5"].map((size) => ({
      name: `mit-${size}`,
      task: "image-classification",
      description: `Mix Transformer (SegFormer encoder) ${size.toUpperCase()} pretrained on ImageNet-1k`,
    })),
    {
      name: "segformer-b0-finetuned-ade-512-512",
      base: "nvidia/mit-b0",
      description: "SegFormer-B0 fine-tuned on ADE20k semantic segmentation",
    },
    {
      name: "segformer-b5-finetuned-ade-640-640",
      base: "nvidia/mit-b5",
      description: "SegFormer-B5 fine-tuned on ADE20k semantic segmentation",
    },
    {
      name: "segformer-b2-finetuned-ade-512-512",
      base: "nvidia/mit-b2",
      description: "SegFormer-B2 fine-tuned on ADE20k semantic segmentation",
    },
    {
      name: "segformer-b0-finetuned-cityscapes-1024-1024",
      base: "nvidia/mit-b0",
      description: "SegFormer-B0 fine-tuned on Cityscapes",
    },
    {
      name: "parakeet-tdt-0.6b-v2",
      license: "cc-by-4.0",
      task: "automatic-speech-recognition",
      library: "nemo",
      parameters: 600 * M,
      languages: ["en"],
      description: "Parakeet TDT 0.6B v2 English speech recognition",
    },
    {
      name: "parakeet-ctc-1.1b",
      license: "cc-by-4.0",
      task: "automatic-speech-recognition",
      library: "nemo",
      parameters: 1.1 * B,
      languages: ["en"],
      description: "Parakeet CTC 1.1B English speech recognition",
    },
    {
      name: "parakeet-ctc-0.6b",
      license: "cc-by-4.0",
      task: "automatic-speech-recognition",
      library: "nemo",
      parameters: 600 * M,
      languages: ["en"],
      description: "Parakeet CTC 0.6B English speech recognition",
    },
    {
      name: "parakeet-rnnt-1.1b",
      license: "cc-by-4.0",
      task: "automatic-speech-recognition",
      library: "nemo",
      parameters: 1.1 * B,
      languages: ["en"],
      description: "Parakeet RNNT 1.1B English speech recognition",
    },
    {
      name: "canary-1b",
      license: "cc-by-nc-4.0",
      task: "automatic-speech-recognition",
      library: "nemo",
      parameters: 1 * B,
      languages: ["en", "de", "es", "fr"],
      description: "Canary 1B multilingual speech recognition and translation",
    },
    {
      name: "NV-Embed-v2",
      license: "cc-by-nc-4.0",
      task: "feature-extraction",
      library: "sentence-transformers",
      parameters: 7.85 * B,
      languages: ["en"],
      base: "mistralai/Mistral-7B-v0.1",
      description: "NV-Embed-v2 generalist embedding model",
    },
    {
      name: "Llama-3.1-Nemotron-70B-Instruct-HF",
      license: "llama3.1",
      task: "text-generation",
      parameters: 70 * B,
      languages: ["en"],
      base: "meta-llama/Llama-3.1-70B-Instruct",
      description: "Llama 3.1 70B tuned by NVIDIA for helpful responses",
    },
  ],
});

family({
  key: "nlp-finetunes",
  text: "Model cards of widely used task fine-tunes: deepset QA models cc-by-4.0 (gbert mit), with model-index results where the card publishes them; dslim NER mit; SamLowe, nlptown, papluca, MoritzLaurer mit; unitary toxic-bert apache-2.0; sshleifer distilbart apache-2.0; philschmid bart-large-cnn-samsum mit; sizes are those of the backbone each card names",
  org: "deepset",
  task: "question-answering",
  library: "transformers",
  license: "cc-by-4.0",
  languages: ["en"],
  describe: (item) => `${item.name}: extractive question answering fine-tuned on SQuAD 2.0`,
  items: [
    {
      name: "roberta-base-squad2",
      parameters: 124 * M,
      base: "FacebookAI/roberta-base",
      evalResults: [
        {
          task: "question-answering",
          dataset: "squad_v2",
          split: "validation",
          metric: "exact_match",
          value: 79.9309,
        },
        {
          task: "question-answering",
          dataset: "squad_v2",
          split: "validation",
          metric: "f1",
          value: 82.9501,
        },
      ],
    },
    {
      name: "tinyroberta-squad2",
      parameters: 82 * M,
      evalResults: [
        {
          task: "question-answering",
          dataset: "squad_v2",
          split: "validation",
          metric: "exact_match",
          value: 78.8627,
        },
        {
          task: "question-answering",
          dataset: "squad_v2",
          split: "validation",
          metric: "f1",
          value: 82.0355,
        },
      ],
    },
    { name: "roberta-large-squad2", parameters: 355 * M, base: "FacebookAI/roberta-large" },
    { name: "bert-large-uncased-whole-word-masking-squad2", parameters: 340 * M },
    {
      name: "xlm-roberta-large-squad2",
      parameters: 550 * M,
      languages: ["multilingual"],
      base: "FacebookAI/xlm-roberta-large",
    },
    {
      name: "xlm-roberta-base-squad2",
      parameters: 270 * M,
      languages: ["multilingual"],
      base: "FacebookAI/xlm-roberta-base",
    },
    { name: "minilm-uncased-squad2", parameters: 33 * M },
    { name: "deberta-v3-base-squad2", parameters: 184 * M, base: "microsoft/deberta-v3-base" },
    { name: "deberta-v3-large-squad2", parameters: 435 * M, base: "microsoft/deberta-v3-large" },
    {
      name: "gbert-base",
      task: "fill-mask",
      license: "mit",
      languages: ["de"],
      parameters: 110 * M,
      description: "German BERT base",
    },
    {
      name: "gbert-large",
      task: "fill-mask",
      license: "mit",
      languages: ["de"],
      parameters: 340 * M,
      description: "German BERT large",
    },
  ],
});
for (const [org, items] of [
  [
    "dslim",
    [
      {
        name: "bert-base-NER",
        task: "token-classification",
        license: "mit",
        parameters: 110 * M,
        base: "google-bert/bert-base-cased",
        description: "BERT base fine-tuned on CoNLL-2003 named entities",
      },
      {
        name: "bert-large-NER",
        task: "token-classification",
        license: "mit",
        parameters: 340 * M,
        base: "google-bert/bert-large-cased",
        description: "BERT large fine-tuned on CoNLL-2003 named entities",
      },
      {
        name: "distilbert-NER",
        task: "token-classification",
        license: "apache-2.0",
        parameters: 66 * M,
        description: "DistilBERT fine-tuned on CoNLL-2003 named entities",
      },
    ],
  ],
  [
    "SamLowe",
    [
      {
        name: "roberta-base-go_emotions",
        task: "text-classification",
        license: "mit",
        parameters: 125 * M,
        base: "FacebookAI/roberta-base",
        description: "Multi-label emotion classifier on GoEmotions (28 labels)",
      },
    ],
  ],
  [
    "nlptown",
    [
      {
        name: "bert-base-multilingual-uncased-sentiment",
        task: "text-classification",
        license: "mit",
        languages: ["en", "nl", "de", "fr", "it", "es"],
        description: "Product review sentiment as 1-5 stars in six languages",
      },
    ],
  ],
  [
    "papluca",
    [
      {
        name: "xlm-roberta-base-language-detection",
        task: "text-classification",
        license: "mit",
        parameters: 278 * M,
        languages: ["multilingual"],
        base: "FacebookAI/xlm-roberta-base",
        description: "Detects 20 languages",
      },
    ],
  ],
  [
    "MoritzLaurer",
    [
      {
        name: "DeBERTa-v3-base-mnli-fever-anli",
        task: "zero-shot-classification",
        license: "mit",
        parameters: 184 * M,
        description: "DeBERTa-v3 NLI model for zero-shot classification",
      },
      {
        name: "mDeBERTa-v3-base-mnli-xnli",
        task: "zero-shot-classification",
        license: "mit",
        parameters: 276 * M,
        languages: ["multilingual"],
        description: "Multilingual NLI model for zero-shot classification",
      },
      {
        name: "deberta-v3-large-zeroshot-v2.0",
        task: "zero-shot-classification",
        license: "mit",
        parameters: 435 * M,
        description: "Zero-shot classifier trained on commercially friendly data",
      },
    ],
  ],
  [
    "unitary",
    [
      {
        name: "toxic-bert",
        task: "text-classification",
        license: "apache-2.0",
        parameters: 110 * M,
        description: "BERT trained on Jigsaw toxic comment classification",
      },
    ],
  ],
  [
    "sshleifer",
    [
      {
        name: "distilbart-cnn-12-6",
        task: "summarization",
        license: "apache-2.0",
        parameters: 306 * M,
        description: "DistilBART fine-tuned on CNN/Daily Mail",
      },
      {
        name: "distilbart-cnn-6-6",
        task: "summarization",
        license: "apache-2.0",
        parameters: 230 * M,
        description: "Smaller DistilBART fine-tuned on CNN/Daily Mail",
      },
    ],
  ],
  [
    "philschmid",
    [
      {
        name: "bart-large-cnn-samsum",
        task: "summarization",
        license: "mit",
        parameters: 406 * M,
        base: "facebook/bart-large-cnn",
        description: "BART large fine-tuned on SAMSum dialogue summarisation",
      },
    ],
  ],
] as Array<[string, FamilyItem[]]>) {
  family({
    key: `nlp-${org.toLowerCase()}`,
    text: SOURCES["family:nlp-finetunes"]!,
    org,
    task: "text-classification",
    library: "transformers",
    languages: ["en"],
    describe: (item) => `${item.name}: task fine-tune`,
    items,
  });
}

family({
  key: "opus-mt",
  text: "OPUS-MT model cards (huggingface.co/Helsinki-NLP): Marian translation models, one language pair each; licences differ per pair, so only the pairs checked on their card carry one (en-de cc-by-4.0, de-en apache-2.0)",
  org: "Helsinki-NLP",
  task: "translation",
  library: "transformers",
  describe: (item) => `OPUS-MT ${item.name.replace("opus-mt-", "")} Marian translation model`,
  items: [
    "en-de",
    "de-en",
    "en-fr",
    "fr-en",
    "en-es",
    "es-en",
    "en-zh",
    "zh-en",
    "en-ru",
    "ru-en",
    "en-it",
    "it-en",
    "en-nl",
    "nl-en",
    "en-ar",
    "ar-en",
    "en-hi",
    "hi-en",
    "ja-en",
    "en-ROMANCE",
    "ROMANCE-en",
    "mul-en",
    "en-mul",
    "en-sv",
    "sv-en",
    "en-fi",
    "fi-en",
    "tr-en",
    "ko-en",
    "en-vi",
    "vi-en",
    "en-uk",
    "uk-en",
    "pl-en",
    "en-id",
    "id-en",
    "en-da",
    "da-en",
    "en-cs",
    "cs-en",
  ].map((pair) => {
    const [from, to] = pair.split("-") as [string, string];
    const codes = [from, to].filter((code) => /^[a-z]{2}$/.test(code));
    return {
      name: `opus-mt-${pair}`,
      languages: codes,
      license: pair === "en-de" ? "cc-by-4.0" : pair === "de-en" ? "apache-2.0" : undefined,
    };
  }),
});

family({
  key: "spacy",
  text: "spaCy pipelines (huggingface.co/spacy): token classification with the spacy library; English pipelines mit",
  org: "spacy",
  task: "token-classification",
  library: "spacy",
  describe: (item) => `spaCy ${item.name} pipeline: tagging, parsing, lemmas and named entities`,
  items: [
    ...["sm", "md", "lg", "trf"].map((size) => ({
      name: `en_core_web_${size}`,
      license: "mit",
      languages: ["en"],
    })),
    ...(
      [
        ["de", "news"],
        ["fr", "news"],
        ["es", "news"],
        ["it", "news"],
        ["nl", "news"],
        ["pt", "news"],
        ["zh", "web"],
        ["ja", "news"],
        ["ru", "news"],
        ["pl", "news"],
      ] as const
    ).flatMap(([code, genre]) =>
      ["sm", "md", "lg"].map((size) => ({ name: `${code}_core_${genre}_${size}`, languages: [code] })),
    ),
  ],
});

family({
  key: "timeseries",
  text: "Time-series model cards: Chronos and Chronos-Bolt (huggingface.co/amazon) apache-2.0; TimesFM (google) apache-2.0; TTM (ibm-granite) apache-2.0; Moirai (Salesforce) cc-by-nc-4.0; sizes from the cards",
  org: "amazon",
  task: "time-series-forecasting",
  library: "transformers",
  license: "apache-2.0",
  describe: (item) => `${item.name}: pretrained probabilistic time-series forecasting model`,
  items: [
    { name: "chronos-t5-tiny", parameters: 8 * M, base: "google/t5-efficient-tiny" },
    { name: "chronos-t5-mini", parameters: 20 * M, base: "google/t5-efficient-mini" },
    { name: "chronos-t5-small", parameters: 46 * M, base: "google/t5-efficient-small" },
    { name: "chronos-t5-base", parameters: 200 * M, base: "google/t5-efficient-base" },
    { name: "chronos-t5-large", parameters: 710 * M, base: "google/t5-efficient-large" },
    { name: "chronos-bolt-tiny", parameters: 9 * M },
    { name: "chronos-bolt-mini", parameters: 21 * M },
    { name: "chronos-bolt-small", parameters: 48 * M },
    { name: "chronos-bolt-base", parameters: 205 * M },
  ],
});
for (const [org, items] of [
  [
    "google",
    [
      { name: "timesfm-1.0-200m", parameters: 200 * M },
      { name: "timesfm-2.0-500m-pytorch", parameters: 500 * M },
    ],
  ],
  ["ibm-granite", [{ name: "granite-timeseries-ttm-r2" }, { name: "granite-timeseries-ttm-r1" }]],
  [
    "Salesforce",
    [
      { name: "moirai-1.0-R-small", parameters: 14 * M, license: "cc-by-nc-4.0" },
      { name: "moirai-1.0-R-base", parameters: 91 * M, license: "cc-by-nc-4.0" },
      { name: "moirai-1.0-R-large", parameters: 311 * M, license: "cc-by-nc-4.0" },
    ],
  ],
] as Array<[string, FamilyItem[]]>) {
  family({
    key: `timeseries-${org.toLowerCase()}`,
    text: SOURCES["family:timeseries"]!,
    org,
    task: "time-series-forecasting",
    library: "transformers",
    license: "apache-2.0",
    describe: (item) => `${item.name}: pretrained time-series forecasting model`,
    items,
  });
}

family({
  key: "granite",
  text: "IBM Granite model cards (huggingface.co/ibm-granite): apache-2.0; sizes as named",
  org: "ibm-granite",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  sizeFromName: true,
  describe: (item) =>
    `${item.name}: IBM Granite ${item.name.includes("instruct") ? "instruction-tuned " : ""}model for enterprise use`,
  items: [
    ...["3.0", "3.1"].flatMap((version) =>
      ["2b", "8b"].flatMap((size) => [
        `granite-${version}-${size}-base`,
        { name: `granite-${version}-${size}-instruct`, base: `ibm-granite/granite-${version}-${size}-base` },
      ]),
    ),
    "granite-3.2-2b-instruct",
    "granite-3.2-8b-instruct",
    "granite-3.3-2b-instruct",
    "granite-3.3-8b-instruct",
    {
      name: "granite-embedding-30m-english",
      task: "sentence-similarity",
      library: "sentence-transformers",
      parameters: 30 * M,
      languages: ["en"],
    },
    {
      name: "granite-embedding-125m-english",
      task: "sentence-similarity",
      library: "sentence-transformers",
      parameters: 125 * M,
      languages: ["en"],
    },
    {
      name: "granite-embedding-107m-multilingual",
      task: "sentence-similarity",
      library: "sentence-transformers",
      parameters: 107 * M,
      languages: ["multilingual"],
    },
    {
      name: "granite-embedding-278m-multilingual",
      task: "sentence-similarity",
      library: "sentence-transformers",
      parameters: 278 * M,
      languages: ["multilingual"],
    },
    {
      name: "granite-guardian-3.1-2b",
      description: "Granite Guardian: detects risks in prompts and responses",
    },
    {
      name: "granite-guardian-3.1-8b",
      description: "Granite Guardian: detects risks in prompts and responses",
    },
  ],
});

family({
  key: "llm-misc",
  text: "Model cards of other open LLMs: Yi (01-ai) apache-2.0; Command R / Aya (CohereForAI) cc-by-nc-4.0; SOLAR base apache-2.0, instruct cc-by-nc-4.0 (upstage); OpenHermes and NeuralHermes apache-2.0; OpenChat apache-2.0; Vicuna llama2 (lmsys); Dolly mit (databricks); MPT-7B apache-2.0 (mosaicml); Cerebras-GPT apache-2.0; RedPajama-INCITE apache-2.0; ModernBERT apache-2.0; sizes as named",
  org: "01-ai",
  task: "text-generation",
  library: "transformers",
  license: "apache-2.0",
  sizeFromName: true,
  describe: (item) => `${item.name}: open language model`,
  items: [
    "Yi-6B",
    "Yi-34B",
    { name: "Yi-6B-Chat", base: "01-ai/Yi-6B" },
    { name: "Yi-34B-Chat", base: "01-ai/Yi-34B" },
    "Yi-9B",
    "Yi-1.5-6B-Chat",
    "Yi-1.5-9B-Chat",
    "Yi-1.5-34B-Chat",
  ],
});
for (const [org, items] of [
  [
    "CohereForAI",
    [
      {
        name: "c4ai-command-r-v01",
        license: "cc-by-nc-4.0",
        parameters: 35 * B,
        languages: ["multilingual"],
      },
      {
        name: "c4ai-command-r-plus",
        license: "cc-by-nc-4.0",
        parameters: 104 * B,
        languages: ["multilingual"],
      },
      { name: "aya-23-8B", license: "cc-by-nc-4.0", languages: ["multilingual"] },
      { name: "aya-23-35B", license: "cc-by-nc-4.0", languages: ["multilingual"] },
      { name: "aya-expanse-8b", license: "cc-by-nc-4.0", languages: ["multilingual"] },
      { name: "aya-expanse-32b", license: "cc-by-nc-4.0", languages: ["multilingual"] },
    ],
  ],
  [
    "upstage",
    [
      { name: "SOLAR-10.7B-v1.0", languages: ["en"] },
      {
        name: "SOLAR-10.7B-Instruct-v1.0",
        license: "cc-by-nc-4.0",
        languages: ["en"],
        base: "upstage/SOLAR-10.7B-v1.0",
      },
    ],
  ],
  ["teknium", [{ name: "OpenHermes-2.5-Mistral-7B", languages: ["en"], base: "mistralai/Mistral-7B-v0.1" }]],
  [
    "mlabonne",
    [{ name: "NeuralHermes-2.5-Mistral-7B", languages: ["en"], base: "teknium/OpenHermes-2.5-Mistral-7B" }],
  ],
  [
    "openchat",
    [
      { name: "openchat_3.5", parameters: 7 * B, base: "mistralai/Mistral-7B-v0.1" },
      { name: "openchat-3.5-0106", parameters: 7 * B, base: "mistralai/Mistral-7B-v0.1" },
    ],
  ],
  [
    "lmsys",
    [
      { name: "vicuna-7b-v1.5", license: "llama2", base: "meta-llama/Llama-2-7b-hf" },
      { name: "vicuna-13b-v1.5", license: "llama2", base: "meta-llama/Llama-2-13b-hf" },
    ],
  ],
  [
    "databricks",
    [
      { name: "dolly-v2-3b", license: "mit", languages: ["en"], base: "EleutherAI/pythia-2.8b" },
      { name: "dolly-v2-7b", license: "mit", languages: ["en"], base: "EleutherAI/pythia-6.9b" },
      { name: "dolly-v2-12b", license: "mit", languages: ["en"], base: "EleutherAI/pythia-12b" },
    ],
  ],
  [
    "mosaicml",
    [
      { name: "mpt-7b", languages: ["en"] },
      { name: "mpt-30b", languages: ["en"] },
    ],
  ],
  [
    "cerebras",
    ["111M", "256M", "590M", "1.3B", "2.7B", "6.7B", "13B"].map((size) => ({
      name: `Cerebras-GPT-${size}`,
      languages: ["en"],
    })),
  ],
  [
    "togethercomputer",
    [
      { name: "RedPajama-INCITE-Chat-3B-v1", languages: ["en"] },
      { name: "RedPajama-INCITE-Base-3B-v1", languages: ["en"] },
    ],
  ],
  [
    "answerdotai",
    [
      {
        name: "ModernBERT-base",
        task: "fill-mask",
        parameters: 149 * M,
        languages: ["en"],
        description: "ModernBERT base: long-context modernised BERT encoder",
      },
      {
        name: "ModernBERT-large",
        task: "fill-mask",
        parameters: 395 * M,
        languages: ["en"],
        description: "ModernBERT large: long-context modernised BERT encoder",
      },
    ],
  ],
  [
    "NousResearch",
    [
      {
        name: "Hermes-3-Llama-3.1-8B",
        license: "llama3",
        languages: ["en"],
        base: "meta-llama/Llama-3.1-8B",
      },
      {
        name: "Hermes-3-Llama-3.1-70B",
        license: "llama3",
        languages: ["en"],
        base: "meta-llama/Llama-3.1-70B",
      },
      {
        name: "Hermes-3-Llama-3.2-3B",
        license: "llama3",
        languages: ["en"],
        base: "meta-llama/Llama-3.2-3B",
      },
      { name: "Hermes-2-Pro-Mistral-7B", languages: ["en"], base: "mistralai/Mistral-7B-v0.1" },
      {
        name: "Nous-Hermes-2-Mixtral-8x7B-DPO",
        languages: ["en"],
        parameters: 46.7 * B,
        base: "mistralai/Mixtral-8x7B-v0.1",
      },
    ],
  ],
] as Array<[string, FamilyItem[]]>) {
  family({
    key: `llm-${org.toLowerCase()}`,
    text: SOURCES["family:llm-misc"]!,
    org,
    task: "text-generation",
    library: "transformers",
    license: "apache-2.0",
    sizeFromName: true,
    describe: (item) =>
      `${item.name}: open language model${item.base ? ` fine-tuned from ${item.base.split("/")[1]}` : ""}`,
    items,
  });
}

// Community quantisations: their cards name the model they quantise and carry its licence.
const quantSource = source(
  "family:community-quants",
  "Community quantisation repos (TheBloke, bartowski, lmstudio-community, unsloth): each card names the model it quantises (base_model) and carries that model's licence; parameters are the base model's",
);
const QUANTS: Array<[string, string]> = [
  ["TheBloke/Llama-2-7B-Chat-GGUF", "meta-llama/Llama-2-7b-chat-hf"],
  ["TheBloke/Llama-2-13B-chat-GGUF", "meta-llama/Llama-2-13b-chat-hf"],
  ["TheBloke/Llama-2-70B-Chat-GGUF", "meta-llama/Llama-2-70b-chat-hf"],
  ["TheBloke/Llama-2-7B-GGUF", "meta-llama/Llama-2-7b-hf"],
  ["TheBloke/Llama-2-7B-Chat-GPTQ", "meta-llama/Llama-2-7b-chat-hf"],
  ["TheBloke/Llama-2-7B-Chat-AWQ", "meta-llama/Llama-2-7b-chat-hf"],
  ["TheBloke/Mistral-7B-v0.1-GGUF", "mistralai/Mistral-7B-v0.1"],
  ["TheBloke/Mistral-7B-Instruct-v0.1-GGUF", "mistralai/Mistral-7B-Instruct-v0.1"],
  ["TheBloke/Mistral-7B-Instruct-v0.2-GGUF", "mistralai/Mistral-7B-Instruct-v0.2"],
  ["TheBloke/Mistral-7B-Instruct-v0.2-AWQ", "mistralai/Mistral-7B-Instruct-v0.2"],
  ["TheBloke/Mistral-7B-Instruct-v0.2-GPTQ", "mistralai/Mistral-7B-Instruct-v0.2"],
  ["TheBloke/Mixtral-8x7B-Instruct-v0.1-GGUF", "mistralai/Mixtral-8x7B-Instruct-v0.1"],
  ["TheBloke/Mixtral-8x7B-v0.1-GGUF", "mistralai/Mixtral-8x7B-v0.1"],
  ["TheBloke/Mixtral-8x7B-Instruct-v0.1-GPTQ", "mistralai/Mixtral-8x7B-Instruct-v0.1"],
  ["TheBloke/zephyr-7B-beta-GGUF", "HuggingFaceH4/zephyr-7b-beta"],
  ["TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF", "TinyLlama/TinyLlama-1.1B-Chat-v1.0"],
  ["TheBloke/CodeLlama-7B-GGUF", "codellama/CodeLlama-7b-hf"],
  ["TheBloke/CodeLlama-7B-Instruct-GGUF", "codellama/CodeLlama-7b-Instruct-hf"],
  ["TheBloke/CodeLlama-13B-Instruct-GGUF", "codellama/CodeLlama-13b-Instruct-hf"],
  ["TheBloke/phi-2-GGUF", "microsoft/phi-2"],
  ["TheBloke/openchat_3.5-GGUF", "openchat/openchat_3.5"],
  ["TheBloke/OpenHermes-2.5-Mistral-7B-GGUF", "teknium/OpenHermes-2.5-Mistral-7B"],
  ["TheBloke/deepseek-coder-6.7B-instruct-GGUF", "deepseek-ai/deepseek-coder-6.7b-instruct"],
  ["TheBloke/SOLAR-10.7B-Instruct-v1.0-GGUF", "upstage/SOLAR-10.7B-Instruct-v1.0"],
  ["TheBloke/Nous-Hermes-2-Mixtral-8x7B-DPO-GGUF", "NousResearch/Nous-Hermes-2-Mixtral-8x7B-DPO"],
  ["bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "meta-llama/Llama-3.1-8B-Instruct"],
  ["bartowski/Llama-3.2-1B-Instruct-GGUF", "meta-llama/Llama-3.2-1B-Instruct"],
  ["bartowski/Llama-3.2-3B-Instruct-GGUF", "meta-llama/Llama-3.2-3B-Instruct"],
  ["bartowski/Llama-3.3-70B-Instruct-GGUF", "meta-llama/Llama-3.3-70B-Instruct"],
  ["bartowski/Qwen2.5-7B-Instruct-GGUF", "Qwen/Qwen2.5-7B-Instruct"],
  ["bartowski/Qwen2.5-14B-Instruct-GGUF", "Qwen/Qwen2.5-14B-Instruct"],
  ["bartowski/Qwen2.5-32B-Instruct-GGUF", "Qwen/Qwen2.5-32B-Instruct"],
  ["bartowski/Qwen2.5-Coder-7B-Instruct-GGUF", "Qwen/Qwen2.5-Coder-7B-Instruct"],
  ["bartowski/Qwen2.5-Coder-32B-Instruct-GGUF", "Qwen/Qwen2.5-Coder-32B-Instruct"],
  ["bartowski/gemma-2-2b-it-GGUF", "google/gemma-2-2b-it"],
  ["bartowski/gemma-2-9b-it-GGUF", "google/gemma-2-9b-it"],
  ["bartowski/gemma-2-27b-it-GGUF", "google/gemma-2-27b-it"],
  ["bartowski/Mistral-Nemo-Instruct-2407-GGUF", "mistralai/Mistral-Nemo-Instruct-2407"],
  ["bartowski/Phi-3.5-mini-instruct-GGUF", "microsoft/Phi-3.5-mini-instruct"],
  ["bartowski/DeepSeek-R1-Distill-Qwen-7B-GGUF", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"],
  ["bartowski/DeepSeek-R1-Distill-Qwen-14B-GGUF", "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B"],
  ["bartowski/DeepSeek-R1-Distill-Qwen-32B-GGUF", "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B"],
  ["bartowski/DeepSeek-R1-Distill-Llama-8B-GGUF", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"],
  ["bartowski/Mistral-Small-24B-Instruct-2501-GGUF", "mistralai/Mistral-Small-24B-Instruct-2501"],
  ["lmstudio-community/Meta-Llama-3-8B-Instruct-GGUF", "meta-llama/Meta-Llama-3-8B-Instruct"],
  ["lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF", "meta-llama/Llama-3.1-8B-Instruct"],
  ["lmstudio-community/Llama-3.2-3B-Instruct-GGUF", "meta-llama/Llama-3.2-3B-Instruct"],
  ["lmstudio-community/Qwen2.5-7B-Instruct-GGUF", "Qwen/Qwen2.5-7B-Instruct"],
  ["lmstudio-community/gemma-2-9b-it-GGUF", "google/gemma-2-9b-it"],
  ["lmstudio-community/DeepSeek-R1-Distill-Qwen-7B-GGUF", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"],
  ["unsloth/Llama-3.2-1B-Instruct-bnb-4bit", "meta-llama/Llama-3.2-1B-Instruct"],
  ["unsloth/Llama-3.2-3B-Instruct-bnb-4bit", "meta-llama/Llama-3.2-3B-Instruct"],
  ["unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit", "meta-llama/Llama-3.1-8B-Instruct"],
  ["unsloth/Qwen2.5-7B-Instruct-bnb-4bit", "Qwen/Qwen2.5-7B-Instruct"],
  ["unsloth/mistral-7b-instruct-v0.3-bnb-4bit", "mistralai/Mistral-7B-Instruct-v0.3"],
  ["unsloth/gemma-2-9b-it-bnb-4bit", "google/gemma-2-9b-it"],
  ["unsloth/llama-3-8b-Instruct-bnb-4bit", "meta-llama/Meta-Llama-3-8B-Instruct"],
  ["unsloth/llama-3-8b-bnb-4bit", "meta-llama/Meta-Llama-3-8B"],
  ["unsloth/DeepSeek-R1-GGUF", "deepseek-ai/DeepSeek-R1"],
  ["unsloth/DeepSeek-R1-Distill-Qwen-7B-GGUF", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"],
  ["unsloth/Qwen3-8B-GGUF", "Qwen/Qwen3-8B"],
  ["unsloth/gemma-3-4b-it-GGUF", "google/gemma-3-4b-it"],
  ["unsloth/gemma-3-27b-it-GGUF", "google/gemma-3-27b-it"],
];
const pendingQuants = QUANTS;

// ---------------------------------------------------------------------------------------------------------
// 2. web-llm: MLC conversions, with the model each converts where its origin is unambiguous.
const webLlm = JSON.parse(readFileSync(`${root}data/sources/web-llm-0.2.86-prebuilt.json`, "utf8")) as {
  models: Array<{ repo: string; vramMB: number | null; contextWindow: number | null; modelType: string }>;
};
const MLC_ORIGINS: Array<[RegExp, (name: string) => string]> = [
  [/^Llama-3\.[123]-/, (name) => `meta-llama/${name}`],
  [/^Llama-3-(8B|70B)-Instruct$/, (name) => `meta-llama/Meta-${name}`],
  [/^Llama-2-(7b|13b)-chat-hf$/, (name) => `meta-llama/${name}`],
  [/^DeepSeek-R1-Distill-/, (name) => `deepseek-ai/${name}`],
  [/^Hermes-3-Llama-3\.[12]-/, (name) => `NousResearch/${name}`],
  [/^Hermes-2-Pro-Mistral-7B$/, (name) => `NousResearch/${name}`],
  [/^(Phi-3\.5-|Phi-4-mini-instruct|Phi-3-mini-4k-instruct|phi-2$|phi-1_5$)/, (name) => `microsoft/${name}`],
  [/^Mistral-7B-Instruct-v0\.[23]$/, (name) => `mistralai/${name}`],
  [/^OpenHermes-2\.5-Mistral-7B$/, (name) => `teknium/${name}`],
  [/^NeuralHermes-2\.5-Mistral-7B$/, (name) => `mlabonne/${name}`],
  [/^SmolLM2-/, (name) => `HuggingFaceTB/${name}`],
  [/^gemma-2-|^gemma-2b-it$/, (name) => `google/${name}`],
  [/^gemma3-1b-it$/, () => "google/gemma-3-1b-it"],
  [/^OLMo-2-/, (name) => `allenai/${name}`],
  [/^Qwen(3|2\.5|2)-/, (name) => `Qwen/${name}`],
  [/^stablelm-2-zephyr-1_6b$/, (name) => `stabilityai/${name}`],
  [/^RedPajama-INCITE-Chat-3B-v1$/, (name) => `togethercomputer/${name}`],
  [/^TinyLlama-1\.1B-Chat-v(1\.0|0\.4)$/, (name) => `TinyLlama/${name}`],
  [/^snowflake-arctic-embed-[ms]$/, (name) => `Snowflake/${name}`],
];
const webLlmEntries: Array<[string, string, string | undefined, (typeof webLlm.models)[number]]> = [];
for (const model of webLlm.models) {
  const name = model.repo.slice("mlc-ai/".length);
  const match = /^(.*?)-(q\d+f\d+(?:_\d+)?)-MLC/.exec(name);
  if (!match) continue;
  const originName = match[1]!;
  const origin = MLC_ORIGINS.find(([pattern]) => pattern.test(originName))?.[1](originName);
  // Qwen3.5 and a few others have no origin repo we could confirm offline: keep them without a base model.
  const confirmed = origin && !/^Qwen\/Qwen3\.5/.test(origin) ? origin : undefined;
  webLlmEntries.push([model.repo, match[2]!, confirmed, model]);
}

// Inherit licence, languages and size from base models once every family is in.
function resolveFromBase(base: string | undefined): Partial<SnapshotModel> {
  if (!base) return {};
  const origin = models.get(base);
  if (!origin) return {};
  return { license: origin.license, parameters: origin.parameters, languages: origin.languages };
}

for (const [id, base] of pendingQuants) {
  const inherited = resolveFromBase(base);
  const quant = /GGUF/i.test(id)
    ? "GGUF"
    : /AWQ/.test(id)
      ? "AWQ"
      : /GPTQ/.test(id)
        ? "GPTQ"
        : "bitsandbytes 4-bit";
  add(id, {
    task: models.get(base)?.task ?? "text-generation",
    library: quant === "GGUF" ? "gguf" : "transformers",
    license: inherited.license,
    languages: inherited.languages,
    parameters: inherited.parameters,
    baseModels: [base],
    baseRelation: "quantized",
    description: `${quant} quantisation of ${base.split("/")[1]}`,
    sources: [quantSource],
  });
}

for (const [id, quantisation, origin, model] of webLlmEntries) {
  const inherited = resolveFromBase(origin);
  const task =
    model.modelType === "embedding"
      ? "feature-extraction"
      : model.modelType === "VLM"
        ? "image-text-to-text"
        : "text-generation";
  add(id, {
    task,
    library: "mlc-llm",
    license: inherited.license,
    languages: inherited.languages,
    parameters: inherited.parameters,
    baseModels: origin ? [origin] : undefined,
    baseRelation: origin ? "quantized" : undefined,
    description: `${origin?.split("/")[1] ?? id.slice(7).replace(/-q\d.*$/, "")} compiled for WebGPU with MLC (${quantisation}${model.vramMB ? `, ~${Math.round(model.vramMB)} MB VRAM` : ""})`,
    sources: ["web-llm"],
  });
}

// Models that inherit from bases defined later in the file (e.g. faster-whisper from whisper) get their gaps filled now.
for (const model of models.values()) {
  const base = model.baseModels?.[0];
  if (!base || model.baseRelation !== "quantized") continue;
  const origin = models.get(base);
  if (!origin) continue;
  model.license ??= origin.license;
  model.parameters ??= origin.parameters;
  model.languages ??= origin.languages;
}

// ---------------------------------------------------------------------------------------------------------
// 3. @huggingface/tasks: the models each task page recommends. A family table's task (the card's pipeline tag)
// wins over the page a model is listed on; the page's hand-written description wins over a generated one.
for (const task of PIPELINE_TYPES) {
  const data = (
    TASKS_DATA as Record<string, { models?: Array<{ id: string; description: string }> } | undefined>
  )[task];
  for (const model of data?.models ?? []) {
    if (!/^[^/]+\/[^/]+$/.test(model.id)) continue;
    const existing = models.get(model.id);
    if (existing) {
      existing.description = model.description;
      if (!existing.sources.includes("hf-tasks")) existing.sources.push("hf-tasks");
    } else {
      add(model.id, { task, description: model.description, sources: ["hf-tasks"] });
    }
  }
}

// Licences (and a size where the card states one) of models the task pages list, from their model cards.
const taskPageCards = source(
  "family:task-page-cards",
  "Model cards (huggingface.co) of models the @huggingface/tasks pages list: licence as each card's metadata states it (custom licences shown as other)",
);
const TASK_PAGE_CARDS: Record<string, { license: string; parameters?: number }> = {
  "zai-org/GLM-4.5": { license: "mit" },
  "zai-org/GLM-4.5V": { license: "mit" },
  "Qwen/Qwen-Image": { license: "apache-2.0" },
  "Qwen/Qwen3-Coder-480B-A35B-Instruct": { license: "apache-2.0" },
  "Qwen/Qwen3-4B-Thinking-2507": { license: "apache-2.0" },
  "mistralai/Voxtral-Small-24B-2507": { license: "apache-2.0" },
  "openai/shap-e": { license: "mit" },
  "ResembleAI/chatterbox": { license: "mit" },
  "nari-labs/Dia-1.6B-0626": { license: "apache-2.0" },
  "ZhengPeng7/BiRefNet": { license: "mit" },
  "briaai/RMBG-1.4": { license: "other" },
  "google/tapas-base-finetuned-wtq": { license: "apache-2.0" },
  "microsoft/tapex-base": { license: "mit" },
  "impira/layoutlm-document-qa": { license: "mit" },
  "google/pix2struct-docvqa-large": { license: "apache-2.0" },
  "google/pix2struct-ocrvqa-large": { license: "apache-2.0" },
  "google/deplot": { license: "apache-2.0" },
  "google/matcha-base": { license: "apache-2.0" },
  "google/ddpm-cifar10-32": { license: "apache-2.0" },
  "google/ddpm-celebahq-256": { license: "apache-2.0" },
  "facebook/w2v-bert-2.0": { license: "mit" },
  "facebook/mms-lid-126": { license: "cc-by-nc-4.0" },
  "microsoft/xclip-base-patch32": { license: "mit" },
  "depth-anything/Depth-Anything-V2-Large": { license: "cc-by-nc-4.0", parameters: 335.3 * M },
  "Wan-AI/Wan2.1-I2V-14B-720P-Diffusers": { license: "apache-2.0" },
  "Wan-AI/Wan2.1-VACE-14B": { license: "apache-2.0" },
  "jinaai/jina-clip-v2": { license: "cc-by-nc-4.0" },
  "timm/vit_large_patch14_dinov2.lvd142m": { license: "apache-2.0" },
  "cross-encoder/ms-marco-MiniLM-L6-v2": { license: "apache-2.0", parameters: 22.7 * M },
  "Alibaba-NLP/gte-multilingual-reranker-base": { license: "apache-2.0" },
  "Alibaba-NLP/gte-reranker-modernbert-base": { license: "apache-2.0" },
  "MoritzLaurer/ModernBERT-large-zeroshot-v2.0": { license: "apache-2.0", parameters: 395 * M },
  "PekingU/rtdetr_v2_r50vd": { license: "apache-2.0" },
  "IDEA-Research/dab-detr-resnet-50": { license: "apache-2.0" },
  "KittenML/kitten-tts-nano-0.1": { license: "apache-2.0" },
  "microsoft/Magma-8B": { license: "mit" },
  "fishaudio/fish-speech-1.5": { license: "cc-by-nc-sa-4.0" },
  "black-forest-labs/FLUX.1-Krea-dev": { license: "other", parameters: 12 * B },
  "black-forest-labs/FLUX.2-dev": { license: "other" },
  "facebook/mask2former-swin-large-coco-panoptic": { license: "other" },
  "apple/DepthPro-hf": { license: "other" },
};
for (const [id, facts] of Object.entries(TASK_PAGE_CARDS)) {
  const model = models.get(id);
  if (!model) {
    problems.push(`${id}: card facts for a model the task pages do not list`);
    continue;
  }
  model.license ??= facts.license;
  if (model.parameters === undefined && facts.parameters !== undefined) {
    model.parameters = facts.parameters;
    model.sources.push("card-size");
  }
  if (!model.sources.includes(taskPageCards)) model.sources.push(taskPageCards);
}

// ---------------------------------------------------------------------------------------------------------
// 4. Published evaluation results: each table is one source (a card, a README or a paper table) and gives, per
// model id, exactly the scores that source states for that model, unrounded and with its own metric names. A
// score a source gives for one variant is never copied to a sibling; a model the catalog lacks is an error.
const squadF1Em = (dataset: string, f1: number, em: number, split?: string): EvalScore[] => [
  { task: "question-answering", dataset, split, metric: "f1", value: f1 },
  { task: "question-answering", dataset, split, metric: "exact_match", value: em },
];
const accuracy = (task: string, dataset: string, value: number, split?: string): EvalScore => ({
  task,
  dataset,
  split,
  metric: "accuracy",
  value,
});

function publishedEvals(key: string, text: string, table: Record<string, EvalScore[]>): void {
  source(key, text);
  for (const [id, results] of Object.entries(table)) {
    const model = models.get(id);
    if (!model) {
      problems.push(`${id}: evaluation results (${key}) for a model the catalog lacks`);
      continue;
    }
    const clean = results.map((result) =>
      Object.fromEntries(Object.entries(result).filter(([, value]) => value !== undefined)),
    ) as unknown as EvalScore[];
    model.evalResults = [...(model.evalResults ?? []), ...clean];
    if (!model.sources.includes(key)) model.sources.push(key);
  }
}

/** The ALBERT README's v1/v2 table: SQuAD1.1 F1/EM, SQuAD2.0 F1/EM, MNLI, SST-2, RACE accuracy. */
function albertRow(
  squad11: [number, number],
  squad20: [number, number],
  mnli: number,
  sst2: number,
  race: number,
) {
  return [
    ...squadF1Em("squad", ...squad11),
    ...squadF1Em("squad_v2", ...squad20),
    accuracy("text-classification", "mnli", mnli),
    accuracy("text-classification", "sst2", sst2),
    accuracy("multiple-choice", "race", race),
  ];
}
publishedEvals(
  "eval:albert-readme",
  "ALBERT README (github.com/google-research/albert, also in the huggingface.co/albert cards): v1 and v2 comparison table, each checkpoint fine-tuned per task (SQuAD as F1/EM, MNLI, SST-2 and RACE accuracy)",
  {
    "albert/albert-base-v2": albertRow([90.2, 83.2], [82.1, 79.3], 84.6, 92.9, 66.8),
    "albert/albert-large-v2": albertRow([91.8, 85.2], [84.9, 81.8], 86.5, 94.9, 75.2),
    "albert/albert-xlarge-v2": albertRow([92.9, 86.4], [87.9, 84.1], 87.9, 95.4, 80.7),
    "albert/albert-xxlarge-v2": albertRow([94.6, 89.1], [89.8, 86.9], 90.6, 96.8, 86.8),
    "albert/albert-base-v1": albertRow([89.3, 82.3], [80.0, 77.1], 81.6, 90.3, 64.0),
    "albert/albert-large-v1": albertRow([90.6, 83.9], [82.3, 79.4], 83.5, 91.7, 68.5),
    "albert/albert-xlarge-v1": albertRow([92.5, 86.1], [86.1, 83.1], 86.4, 92.4, 74.8),
    "albert/albert-xxlarge-v1": albertRow([94.8, 89.3], [90.2, 87.4], 90.8, 96.9, 86.5),
  },
);

const mnliMatched = (matched: number, mismatched: number): EvalScore[] => [
  accuracy("text-classification", "mnli", matched, "validation_matched"),
  accuracy("text-classification", "mnli", mismatched, "validation_mismatched"),
];
publishedEvals(
  "eval:deberta-v3-cards",
  "DeBERTa-v3 model cards (huggingface.co/microsoft/deberta-v3-*): dev results after fine-tuning, each card's own row (SQuAD 2.0 F1/EM, MNLI-m/mm accuracy; the large card's MNLI figure changed between revisions and is left out)",
  {
    "microsoft/deberta-v3-base": [
      ...squadF1Em("squad_v2", 88.4, 85.4, "validation"),
      ...mnliMatched(90.6, 90.7),
    ],
    "microsoft/deberta-v3-large": squadF1Em("squad_v2", 91.5, 89.0, "validation"),
    "microsoft/deberta-v3-small": [
      ...squadF1Em("squad_v2", 82.8, 80.4, "validation"),
      ...mnliMatched(88.3, 87.7),
    ],
    "microsoft/deberta-v3-xsmall": [
      ...squadF1Em("squad_v2", 84.8, 82.0, "validation"),
      ...mnliMatched(88.1, 88.3),
    ],
  },
);

publishedEvals(
  "eval:deepset-cards",
  "deepset model cards (huggingface.co/deepset): model-index results verified by the Hugging Face evaluator (squad_v2 and squad validation)",
  {
    "deepset/deberta-v3-large-squad2": [
      ...squadF1Em("squad_v2", 91.1623, 88.0876, "validation"),
      ...squadF1Em("squad", 95.0569, 89.2366, "validation"),
    ],
    "deepset/deberta-v3-base-squad2": squadF1Em("squad_v2", 87.41, 83.8248, "validation"),
    "deepset/bert-large-uncased-whole-word-masking-squad2": squadF1Em(
      "squad_v2",
      83.8765,
      80.8846,
      "validation",
    ),
    "deepset/xlm-roberta-large-squad2": squadF1Em("squad_v2", 84.8886, 81.8281, "validation"),
    "deepset/xlm-roberta-base-squad2": squadF1Em("squad_v2", 77.1833, 74.0354, "validation"),
    "deepset/minilm-uncased-squad2": squadF1Em("squad_v2", 79.5483, 76.1921, "validation"),
  },
);

publishedEvals(
  "eval:distilbert-squad-card",
  "distilbert/distilbert-base-cased-distilled-squad model card text: F1 87.1 on the SQuAD v1.1 dev set",
  {
    "distilbert/distilbert-base-cased-distilled-squad": [
      { task: "question-answering", dataset: "squad", split: "validation", metric: "f1", value: 87.1 },
    ],
  },
);

const conll = (accuracyValue: number, precision: number, recall: number, f1: number): EvalScore[] =>
  (
    [
      ["accuracy", accuracyValue],
      ["precision", precision],
      ["recall", recall],
      ["f1", f1],
    ] as const
  ).map(([metric, value]) => ({
    task: "token-classification",
    dataset: "conll2003",
    split: "test",
    metric,
    value,
  }));
publishedEvals(
  "eval:dslim-ner-cards",
  "dslim/bert-base-NER and dslim/bert-large-NER model cards: model-index results on conll2003 test, verified by the Hugging Face evaluator",
  {
    "dslim/bert-base-NER": conll(
      0.9118041001560013,
      0.9211550382257732,
      0.9306415698281261,
      0.9258740048459675,
    ),
    "dslim/bert-large-NER": conll(
      0.9031688753722759,
      0.920025068328604,
      0.9193688678588825,
      0.9196968510445761,
    ),
  },
);

const msmarco = (ndcg: number, mrr: number): EvalScore[] => [
  { task: "text-ranking", dataset: "trec-dl-2019", metric: "ndcg@10", value: ndcg },
  { task: "text-ranking", dataset: "ms_marco", split: "dev", metric: "mrr@10", value: mrr },
];
publishedEvals(
  "eval:sbert-ce-msmarco",
  "SBERT.net MS MARCO cross-encoder table (sbert.net/docs/pretrained-models/ce-msmarco.html, repeated in the cross-encoder cards): NDCG@10 on TREC DL 2019, MRR@10 on MS MARCO dev",
  {
    "cross-encoder/ms-marco-TinyBERT-L-2-v2": msmarco(69.84, 32.56),
    "cross-encoder/ms-marco-MiniLM-L-2-v2": msmarco(71.01, 34.85),
    "cross-encoder/ms-marco-MiniLM-L-4-v2": msmarco(73.04, 37.7),
    "cross-encoder/ms-marco-MiniLM-L-6-v2": msmarco(74.3, 39.01),
    "cross-encoder/ms-marco-MiniLM-L-12-v2": msmarco(74.31, 39.02),
  },
);

const sbert = (sentence: number, search: number): EvalScore[] => [
  {
    task: "sentence-similarity",
    dataset: "sbert-sentence-embeddings-14",
    metric: "average",
    value: sentence,
  },
  { task: "sentence-similarity", dataset: "sbert-semantic-search-6", metric: "average", value: search },
];
publishedEvals(
  "eval:sbert-pretrained-table",
  "SBERT.net pretrained-models overview table (sbert.net/docs/pretrained_models.html), as reproduced in a copy of the all-MiniLM-L6-v2 card (huggingface.co/danielpark/sentence-transformers-all-mini-lm-l6-v2): average performance over 14 sentence-embedding datasets and over 6 semantic-search datasets",
  {
    "sentence-transformers/all-mpnet-base-v2": sbert(69.57, 57.02),
    "sentence-transformers/multi-qa-mpnet-base-dot-v1": sbert(66.76, 57.6),
    "sentence-transformers/all-distilroberta-v1": sbert(68.73, 50.94),
    "sentence-transformers/all-MiniLM-L12-v2": sbert(68.7, 50.82),
    "sentence-transformers/multi-qa-distilbert-cos-v1": sbert(65.98, 52.83),
    "sentence-transformers/all-MiniLM-L6-v2": sbert(68.06, 49.54),
    "sentence-transformers/multi-qa-MiniLM-L6-cos-v1": sbert(64.33, 51.83),
    "sentence-transformers/paraphrase-multilingual-mpnet-base-v2": sbert(65.83, 41.68),
    "sentence-transformers/paraphrase-albert-small-v2": sbert(64.46, 40.04),
  },
);

const mteb = (average: number, retrieval: number, sts: number): EvalScore[] => [
  {
    task: "feature-extraction",
    dataset: "mteb",
    split: "test",
    metric: "average (56 datasets)",
    value: average,
  },
  {
    task: "feature-extraction",
    dataset: "mteb",
    split: "test",
    metric: "retrieval (15 datasets)",
    value: retrieval,
  },
  { task: "feature-extraction", dataset: "mteb", split: "test", metric: "sts (10 datasets)", value: sts },
];
publishedEvals(
  "eval:gte-cards",
  "thenlper/gte-* model cards, Metrics table (English MTEB averages; the other models' rows taken by the card from the MTEB leaderboard)",
  {
    "thenlper/gte-large": mteb(63.13, 52.22, 83.35),
    "thenlper/gte-base": mteb(62.39, 51.14, 82.3),
    "thenlper/gte-small": mteb(61.36, 49.46, 82.07),
    "intfloat/e5-large-v2": mteb(62.25, 50.56, 82.05),
    "intfloat/e5-base-v2": mteb(61.5, 50.29, 81.05),
  },
);

const librispeech = (clean: number, other?: number): EvalScore[] => [
  {
    task: "automatic-speech-recognition",
    dataset: "librispeech_asr",
    split: "test.clean",
    metric: "wer",
    value: clean,
  },
  ...(other === undefined
    ? []
    : [
        {
          task: "automatic-speech-recognition",
          dataset: "librispeech_asr",
          split: "test.other",
          metric: "wer",
          value: other,
        },
      ]),
];
publishedEvals(
  "eval:asr-cards",
  "Speech model cards' model-index (huggingface.co): openai/whisper-tiny.en and facebook/wav2vec2-base-960h (LibriSpeech test clean/other WER), openai/whisper-small (test clean WER, as reproduced in Intel/whisper-small-openvino's card)",
  {
    "openai/whisper-tiny.en": librispeech(8.4372112320138, 14.857607503498356),
    "openai/whisper-small": librispeech(3.432213777886737),
    "facebook/wav2vec2-base-960h": librispeech(3.4, 8.6),
  },
);

publishedEvals(
  "eval:whisper-paper-base",
  "Whisper paper (cdn.openai.com/papers/whisper.pdf) as quoted by a Hugging Face maintainer in huggingface.co/openai/whisper-base discussion #2: base reaches 12.4% WER on LibriSpeech test-other",
  {
    "openai/whisper-base": [
      {
        task: "automatic-speech-recognition",
        dataset: "librispeech_asr",
        split: "test.other",
        metric: "wer",
        value: 12.4,
      },
    ],
  },
);

const distilWhisper = (shortForm: number, longForm: number): EvalScore[] => [
  {
    task: "automatic-speech-recognition",
    dataset: "distil-whisper-ood-short-form",
    metric: "wer",
    value: shortForm,
  },
  {
    task: "automatic-speech-recognition",
    dataset: "distil-whisper-ood-long-form",
    metric: "wer",
    value: longForm,
  },
];
publishedEvals(
  "eval:distil-whisper-table",
  "Distil-Whisper organisation card (huggingface.co/distil-whisper) and distil-medium.en / distil-small.en cards: WER averaged over the out-of-distribution short-form and long-form evaluation sets",
  {
    "openai/whisper-large-v3": distilWhisper(8.4, 11.0),
    "openai/whisper-large-v2": distilWhisper(9.1, 11.7),
    "distil-whisper/distil-large-v3": distilWhisper(9.7, 10.8),
    "distil-whisper/distil-large-v2": distilWhisper(10.1, 11.6),
    "distil-whisper/distil-medium.en": distilWhisper(11.1, 12.4),
    "distil-whisper/distil-small.en": distilWhisper(12.1, 12.8),
  },
);

const imagenetTop1 = (value: number): EvalScore[] => [
  {
    task: "image-classification",
    dataset: "imagenet-1k",
    split: "validation",
    metric: "top1_accuracy",
    value,
  },
];
publishedEvals(
  "eval:convnext-readme",
  "ConvNeXt README (github.com/facebookresearch/ConvNeXt), ImageNet-1K trained models at 224x224: acc@1",
  {
    "facebook/convnext-tiny-224": imagenetTop1(82.1),
    "facebook/convnext-small-224": imagenetTop1(83.1),
    "facebook/convnext-base-224": imagenetTop1(83.8),
    "facebook/convnext-large-224": imagenetTop1(84.3),
  },
);
publishedEvals(
  "eval:mobilevit-paper",
  "MobileViT paper (arXiv:2110.02178), ImageNet-1k top-1 accuracy of MobileViT-S and MobileViT-XS as listed on paperswithcode.com",
  {
    "apple/mobilevit-small": imagenetTop1(78.4),
    "apple/mobilevit-x-small": imagenetTop1(74.8),
  },
);
publishedEvals("eval:detr-card", "facebook/detr-resnet-50 model card: AP 42.0 on COCO 2017 validation", {
  "facebook/detr-resnet-50": [
    { task: "object-detection", dataset: "coco", split: "val2017", metric: "AP", value: 42.0 },
  ],
});

const llamaInstruct = (mmlu: number, gsm8k: number, ifeval: number): EvalScore[] => [
  { task: "text-generation", dataset: "mmlu", metric: "macro_avg/acc (5-shot)", value: mmlu },
  { task: "text-generation", dataset: "gsm8k", metric: "em_maj1@1 (8-shot, CoT)", value: gsm8k },
  { task: "text-generation", dataset: "ifeval", metric: "average", value: ifeval },
];
publishedEvals(
  "eval:llama-3.2-card",
  "Llama 3.2 model card (huggingface.co/meta-llama/Llama-3.2-1B-Instruct), instruction-tuned benchmark table: MMLU 5-shot, GSM8K CoT, IFEval (as summarised at modelcards.net/documents/28)",
  {
    "meta-llama/Llama-3.2-1B-Instruct": llamaInstruct(49.3, 44.4, 59.5),
    "meta-llama/Llama-3.2-3B-Instruct": llamaInstruct(63.4, 77.7, 77.4),
  },
);

// Where no source gave a size, the size the name states (never for mixtures, whose names give active sizes).
for (const model of models.values()) {
  if (model.parameters !== undefined || /MoT|MoE|\d+x\d/i.test(model.id)) continue;
  const named =
    sizeFromName(model.id.split("/")[1]!) ??
    (model.baseModels?.[0] && model.sources.includes("web-llm")
      ? sizeFromName(model.baseModels[0].split("/")[1]!)
      : undefined);
  if (named === undefined) continue;
  model.parameters = named;
  model.sources.push("name-size");
}

// ---------------------------------------------------------------------------------------------------------
// Checks, then the file.
const knownTasks = new Set<string>(PIPELINE_TYPES);
for (const model of models.values()) {
  if (!/^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/.test(model.id) || model.id.length > 96 * 2)
    problems.push(`bad id ${model.id}`);
  if (model.task && !knownTasks.has(model.task)) problems.push(`${model.id}: unknown task ${model.task}`);
  if (model.parameters !== undefined && (!Number.isFinite(model.parameters) || model.parameters <= 0))
    problems.push(`${model.id}: bad parameters`);
  if (model.parameters !== undefined) model.parameters = Math.round(model.parameters);
  if (model.languages && model.languages.length === 0) delete model.languages;
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}

const sorted = [...models.values()].sort((a, b) => a.id.localeCompare(b.id));
const usedSources = new Set(sorted.flatMap((model) => model.sources));
const body = JSON.stringify(sorted);
const snapshot: CatalogSnapshot = {
  format: 1,
  version: `${SNAPSHOT_DATE}.${createHash("sha256").update(body).digest("hex").slice(0, 12)}`,
  date: SNAPSHOT_DATE,
  popularitySource: null,
  sources: Object.fromEntries(Object.entries(SOURCES).filter(([key]) => usedSources.has(key))),
  models: sorted,
};
// One model per line: compact, and a diff of a rebuilt snapshot shows which models changed.
const lines = sorted.map((model) => JSON.stringify(model));
const header = JSON.stringify({ ...snapshot, models: [] }).replace(/"models":\[\]\}$/, '"models":[\n');
writeFileSync(OUT, `${header}${lines.join(",\n")}\n]}\n`);

const count = sorted.length;
const pct = (n: number) => `${((100 * n) / count).toFixed(0)}%`;
const withTask = sorted.filter((model) => model.task).length;
const withLicense = sorted.filter((model) => model.license).length;
const withSize = sorted.filter((model) => model.parameters).length;
const tasks = new Set(sorted.map((model) => model.task));
console.log(
  `${OUT}: ${count} models, ${tasks.size} tasks; task ${pct(withTask)}, licence ${pct(withLicense)}, parameters ${pct(withSize)}; ${(
    readFileSync(OUT).length / 1024
  ).toFixed(0)} KB, version ${snapshot.version}`,
);
