import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PIPELINE_DATA, TASKS_DATA } from "@huggingface/tasks";
import { readSnapshot } from "../../hub/catalog/import-snapshot.ts";

/**
 * The labelled text the task model learns from, all of it offline: the task documentation that ships in
 * `@huggingface/tasks` (summaries, use cases, demo inputs and outputs, model, dataset and space
 * descriptions), the descriptions of the models in the bundled catalog snapshot (each filed under its task),
 * and descriptions of jobs written for Hangar (`data/recommend-train/paraphrases.jsonl`).
 */

export type CorpusSource = "paraphrase" | "task-docs" | "catalog";

export interface CorpusExample {
  text: string;
  task: string;
  source: CorpusSource;
}

export const PARAPHRASES_PATH = fileURLToPath(
  new URL("../../../data/recommend-train/paraphrases.jsonl", import.meta.url),
);

/** Tasks the model never answers: no documentation, no models, or not a job a description names. */
const NOT_ANSWERED = new Set(["other", "graph-ml", "robotics", "chat-completion"]);

/** Sections of a task's about.md that say how to call libraries or where to read more, not what the task is. */
const SKIPPED_SECTIONS =
  /^(inference|useful resources|resources|notebooks|documentation|scripts|training|course|blog posts?|compatible libraries|api specification)/i;

function tasksPackageDirectory(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("@huggingface/tasks/package.json"));
}

/** Prose of an about.md: code, links, images and reference sections removed, one example per sentence. */
function aboutSentences(markdown: string): string[] {
  const sentences: string[] = [];
  let skipping = false;
  const text = markdown.replace(/```[\s\S]*?```/g, " ").replace(/<[^>]+>/g, " ");
  for (const rawLine of text.split("\n")) {
    const heading = /^#+\s*(.*)$/.exec(rawLine.trim());
    if (heading) {
      skipping = SKIPPED_SECTIONS.test(heading[1]!);
      // A use-case heading ("Invoice Information Extraction") is itself a description of the job.
      if (!skipping && !/^(use cases?|task variants?)$/i.test(heading[1]!.trim()))
        sentences.push(heading[1]!);
      continue;
    }
    if (skipping) continue;
    const line = rawLine
      .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/https?:\/\/\S+/g, " ")
      .replace(/[`*_>|]/g, " ")
      .trim();
    if (line.length < 12) continue;
    for (const sentence of line.split(/(?<=[.!?])\s+(?=[A-Z])/)) {
      if (sentence.trim().length >= 12) sentences.push(sentence.trim());
    }
  }
  return sentences;
}

/** What the documentation of one task says about it. */
function taskDocumentation(task: string, packageDirectory: string): string[] {
  const texts: string[] = [];
  const pipeline = PIPELINE_DATA[task as keyof typeof PIPELINE_DATA];
  texts.push(`${pipeline.name} ${task.replace(/-/g, " ")}`);
  const data = TASKS_DATA[task as keyof typeof TASKS_DATA];
  if (data && !data.isPlaceholder) {
    if (data.summary) texts.push(data.summary);
    for (const list of [data.models, data.datasets, data.spaces]) {
      for (const entry of list ?? []) if (entry.description) texts.push(entry.description);
    }
    const demo: string[] = [];
    for (const input of data.demo?.inputs ?? [])
      demo.push(`${"label" in input ? input.label : ""} ${input.type}`);
    demo.push("into");
    for (const output of data.demo?.outputs ?? []) {
      demo.push(`${"label" in output ? output.label : ""} ${output.type}`);
      if ("data" in output && Array.isArray(output.data)) {
        for (const item of output.data) if (typeof item?.label === "string") demo.push(item.label);
      }
    }
    texts.push(demo.join(" "));
  }
  const about = join(packageDirectory, "src", "tasks", task, "about.md");
  if (existsSync(about)) texts.push(...aboutSentences(readFileSync(about, "utf8")));
  return texts;
}

/** A catalog description without the model's own name in front ("bge-base-en: embedding model" → the rest). */
function catalogText(id: string, description: string): string {
  const name = id.split("/")[1]!.toLowerCase();
  const colon = description.indexOf(": ");
  const rest =
    colon > 0 && colon < 60 && !/\s/.test(description.slice(0, colon).trim())
      ? description.slice(colon + 2)
      : description;
  return rest.toLowerCase().includes(name) ? rest.replace(new RegExp(escapeRegExp(name), "ig"), " ") : rest;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export interface ParaphraseRecord {
  task: string;
  description: string;
}

export function readParaphrases(path: string = PARAPHRASES_PATH): ParaphraseRecord[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ParaphraseRecord);
}

export interface TaskCorpus {
  /** Task ids the model can answer, in PIPELINE_DATA order. */
  tasks: string[];
  examples: CorpusExample[];
}

/** Reads every source. Deterministic: files and package data only, in a fixed order. */
export function readTaskCorpus(): TaskCorpus {
  const packageDirectory = tasksPackageDirectory();
  const examples: CorpusExample[] = [];
  for (const record of readParaphrases()) {
    examples.push({ text: record.description, task: record.task, source: "paraphrase" });
  }
  const snapshot = readSnapshot();
  for (const model of snapshot.models) {
    if (!model.task || !model.description) continue;
    examples.push({ text: catalogText(model.id, model.description), task: model.task, source: "catalog" });
  }
  const withData = new Set(examples.map((example) => example.task));
  const tasks = Object.keys(PIPELINE_DATA).filter((task) => {
    if (NOT_ANSWERED.has(task)) return false;
    const data = TASKS_DATA[task as keyof typeof TASKS_DATA];
    return withData.has(task) || (data !== undefined && !data.isPlaceholder);
  });
  for (const task of tasks) {
    for (const text of taskDocumentation(task, packageDirectory)) {
      examples.push({ text, task, source: "task-docs" });
    }
  }
  const known = new Set(tasks);
  return { tasks, examples: examples.filter((example) => known.has(example.task)) };
}
