/**
 * Builds the catalog snapshot from the source data files (read by ./sources.ts) and `@huggingface/tasks`.
 *
 * Rules: an id goes in only if it names a public repo; a fact goes in only with a source; what is not known
 * stays out (the importer stores it as null). Parameter counts are the size the model's name or card states
 * (e.g. "7B"), not an exact count read from weights, unless the source says otherwise. No popularity figures
 * are included: none could be sourced offline with a date, so downloads and likes start at 0.
 *
 * Order of application, earlier facts winning: the family files (in data/sources/order.yaml's order), the
 * community quantisations, the web-llm conversions, the models the task pages list (their hand-written
 * description wins), the task-page cards' licences, the evaluation tables, then sizes from names.
 */
import { createHash } from "node:crypto";
import { PIPELINE_TYPES, TASKS_DATA } from "@huggingface/tasks";
import type { CatalogSnapshot, SnapshotModel } from "../../src/hub/catalog/import-snapshot.ts";
import type { CatalogSources, Family } from "./sources.ts";

/** What a source says about a model: a snapshot entry without its id and the Hub's counters. */
type Facts = Omit<SnapshotModel, "id" | "downloads" | "likes">;

export interface BuildOptions {
  /** The day the facts were collected (YYYY-MM-DD). */
  date: string;
  /** The version of `@huggingface/tasks` whose task pages are read. */
  tasksVersion: string;
}

export interface BuiltSnapshot {
  snapshot: CatalogSnapshot;
  /** The file's text: a header line, then one model per line. */
  text: string;
}

/** The snapshot's facts do not hold together (an unknown task, an evaluation for a missing model, ...). */
export class CatalogBuildError extends Error {
  override name = "CatalogBuildError";
  constructor(readonly problems: string[]) {
    super(`the catalog sources do not hold together:\n${problems.join("\n")}`);
  }
}

const B = 1e9;
const M = 1e6;

/** The size in a name like `Qwen2.5-7B`, `pythia-1.4b`, `SmolLM-135M`, `Mixtral-8x7B`. */
export function sizeFromName(name: string): number | undefined {
  const moe = /(\d+)x(\d+(?:\.\d+)?)B/i.exec(name);
  if (moe) return undefined; // expert counts times expert size is not the total: leave it to the card.
  const match = /(?:^|[-_])(\d+(?:\.\d+)?)([BbMm])(?=$|[-_.])/.exec(name);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (match[2]!.toLowerCase() === "b" ? B : M));
}

export function buildSnapshot(data: CatalogSources, options: BuildOptions): BuiltSnapshot {
  const sources: Record<string, string> = {
    "hf-tasks": `@huggingface/tasks@${options.tasksVersion} TASKS_DATA: model ids with their description, listed on the page of the task given as the model's task`,
    "web-llm":
      "@mlc-ai/web-llm@0.2.86 prebuiltAppConfig (data/sources/web-llm-0.2.86-prebuilt.json): MLC-compiled repos, their quantisation and the model they convert",
    "name-size": "parameters: the size stated in the model's name (e.g. 7B = 7e9), a nominal figure",
    "card-size": "parameters: the size stated in the model card or its paper (rounded as published)",
    "card-eval":
      "evalResults: results the model card on huggingface.co publishes (its model-index, or its text where it states a score)",
  };
  const source = (key: string, text: string) => {
    sources[key] = text;
    return key;
  };
  const models = new Map<string, SnapshotModel>();
  const problems: string[] = [];

  /** Merges facts into an entry: earlier facts win, sources accumulate. */
  const add = (id: string, facts: Facts): void => {
    const existing = models.get(id) as unknown as Record<string, unknown> | undefined;
    if (!existing) {
      models.set(id, { id, ...facts, sources: [...facts.sources] });
      return;
    }
    for (const [key, value] of Object.entries(facts)) {
      if (key !== "sources" && existing[key] === undefined && value !== undefined) existing[key] = value;
    }
    const known = existing.sources as string[];
    for (const key of facts.sources) if (!known.includes(key)) known.push(key);
  };

  const addFamily = (family: Family): void => {
    const key = source(`family:${family.key}`, family.source);
    for (const item of family.items) {
      const named = item.sizeInName ?? (family.sizeFromName ? sizeFromName(item.name) : undefined);
      const parameters = item.parameters ?? named;
      const itemSources = [key];
      if (item.parameters === undefined && named !== undefined) itemSources.push("name-size");
      else if (item.parameters !== undefined) itemSources.push("card-size");
      if (item.evalResults) itemSources.push("card-eval");
      add(`${family.org}/${item.name}`, {
        task: item.task ?? family.task,
        library: item.library !== undefined ? (item.library ?? undefined) : family.library,
        license: item.license !== undefined ? (item.license ?? undefined) : family.license,
        languages: item.languages ?? family.languages,
        parameters,
        baseModels: item.base ? [item.base] : undefined,
        baseRelation: item.base ? (item.relation ?? "finetune") : undefined,
        description: item.description ?? family.description,
        evalResults: item.evalResults,
        sources: itemSources,
      });
    }
  };

  // 1. Families, from their model cards on huggingface.co.
  for (const family of data.families) addFamily(family);
  const quantSource = source(`family:${data.quants.key}`, data.quants.source);

  // 2. web-llm: MLC conversions, with the model each converts where its origin is unambiguous.
  const webLlmEntries: Array<
    [string, string, string | undefined, CatalogSources["webLlm"]["models"][number]]
  > = [];
  for (const model of data.webLlm.models) {
    const name = model.repo.slice("mlc-ai/".length);
    const match = /^(.*?)-(q\d+f\d+(?:_\d+)?)-MLC/.exec(name);
    if (!match) continue;
    const originName = match[1]!;
    const origin = data.webLlmOrigins
      .find(({ pattern }) => pattern.test(originName))
      ?.repo.replaceAll("{name}", originName);
    // Qwen3.5 and a few others have no origin repo we could confirm offline: keep them without a base model.
    const confirmed = origin && !/^Qwen\/Qwen3\.5/.test(origin) ? origin : undefined;
    webLlmEntries.push([model.repo, match[2]!, confirmed, model]);
  }

  // Inherit licence, languages and size from base models once every family is in.
  const resolveFromBase = (base: string | undefined): Partial<SnapshotModel> => {
    const origin = base ? models.get(base) : undefined;
    if (!origin) return {};
    return { license: origin.license, parameters: origin.parameters, languages: origin.languages };
  };

  for (const [id, base] of data.quants.repos) {
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

  // Quantisations of bases listed in a later family file (e.g. faster-whisper from whisper) fill their gaps now.
  for (const model of models.values()) {
    const base = model.baseModels?.[0];
    if (!base || model.baseRelation !== "quantized") continue;
    const origin = models.get(base);
    if (!origin) continue;
    model.license ??= origin.license;
    model.parameters ??= origin.parameters;
    model.languages ??= origin.languages;
  }

  // 3. @huggingface/tasks: the models each task page recommends. A family's task (the card's pipeline tag)
  // wins over the page a model is listed on; the page's hand-written description wins over a generated one.
  for (const task of PIPELINE_TYPES) {
    const page = (
      TASKS_DATA as Record<string, { models?: Array<{ id: string; description: string }> } | undefined>
    )[task];
    for (const model of page?.models ?? []) {
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
  const taskPageCards = source(`family:${data.taskPageCards.key}`, data.taskPageCards.source);
  for (const [id, facts] of Object.entries(data.taskPageCards.models)) {
    const model = models.get(id);
    if (!model) {
      problems.push(`${id}: card facts (task-page-cards.yaml) for a model the task pages do not list`);
      continue;
    }
    model.license ??= facts.license;
    if (model.parameters === undefined && facts.parameters !== undefined) {
      model.parameters = facts.parameters;
      model.sources.push("card-size");
    }
    if (!model.sources.includes(taskPageCards)) model.sources.push(taskPageCards);
  }

  // 4. Published evaluation results: each table is one source and gives, per model id, exactly the scores that
  // source states for that model. A score is never copied to a sibling; a model the catalog lacks is an error.
  for (const table of data.evals) {
    const key = source(`eval:${table.key}`, table.source);
    for (const [id, results] of Object.entries(table.results)) {
      const model = models.get(id);
      if (!model) {
        problems.push(`${id}: evaluation results (evals/${table.key}.yaml) for a model the catalog lacks`);
        continue;
      }
      model.evalResults = [...(model.evalResults ?? []), ...results];
      if (!model.sources.includes(key)) model.sources.push(key);
    }
  }

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
  if (problems.length > 0) throw new CatalogBuildError(problems);

  const sorted = [...models.values()].sort((a, b) => a.id.localeCompare(b.id));
  const usedSources = new Set(sorted.flatMap((model) => model.sources));
  const body = JSON.stringify(sorted);
  const snapshot: CatalogSnapshot = {
    format: 1,
    version: `${options.date}.${createHash("sha256").update(body).digest("hex").slice(0, 12)}`,
    date: options.date,
    popularitySource: null,
    sources: Object.fromEntries(Object.entries(sources).filter(([key]) => usedSources.has(key))),
    models: sorted,
  };
  // One model per line: compact, and a diff of a rebuilt snapshot shows which models changed.
  const lines = sorted.map((model) => JSON.stringify(model));
  const header = JSON.stringify({ ...snapshot, models: [] }).replace(/"models":\[\]\}$/, '"models":[\n');
  return { snapshot, text: `${header}${lines.join(",\n")}\n]}\n` };
}
