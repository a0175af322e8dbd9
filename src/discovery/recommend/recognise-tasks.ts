import { PIPELINE_DATA, TASKS_DATA } from "@huggingface/tasks";
import { COMPANION_TASKS, type Modality } from "./lexicon.ts";
import { featurePhrases } from "./task-features.ts";
import type { TaskModel } from "./task-model.ts";
import { getTaskModel } from "./task-model-cache.ts";

/** Below this confidence in the first task the answer says it is unsure and offers choices. */
export const LOW_CONFIDENCE = 0.6;
/** Another task joins the answer when the model gives it at least this confidence. */
const SECONDARY_CONFIDENCE = 0.25;
/** How many tasks an answer lists with their confidences. */
const LISTED_TASKS = 5;
/** At most this many tasks are searched for candidates. */
const ANSWERED_TASKS = 3;
/** Words quoted per task to say why it was chosen. */
const QUOTED_FEATURES = 3;

export interface TaskConfidence {
  task: string;
  /** Probability, calibrated on the tuning set, that this is the task the description asks for. */
  confidence: number;
}

export interface TaskChoice extends TaskConfidence {
  /** The task's name and what it does, from @huggingface/tasks, so a person can pick. */
  name: string;
  summary: string;
}

export interface RecognisedTasks {
  /** Tasks to search, best first: the first, any other the model finds likely, and their companions. */
  tasks: string[];
  /** The most likely tasks with their confidences, best first. */
  confidences: TaskConfidence[];
  /** The first task's confidence is under LOW_CONFIDENCE: `choices` are the closest tasks to pick from. */
  lowConfidence: boolean;
  choices: TaskChoice[];
  /** What the input is, by the first task's modality. */
  modality: Modality;
  /** Words of the description that weighed most for each task, quoted. */
  triggers: Array<{ phrase: string; means: string }>;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function modalityOf(task: string): Modality {
  if (task.includes("video")) return "video";
  const modality = PIPELINE_DATA[task as keyof typeof PIPELINE_DATA]?.modality;
  return modality === "nlp"
    ? "text"
    : modality === "cv"
      ? "image"
      : modality === "audio" || modality === "tabular" || modality === "multimodal"
        ? modality
        : "other";
}

function choiceOf({ task, confidence }: TaskConfidence): TaskChoice {
  const data = TASKS_DATA[task as keyof typeof TASKS_DATA];
  const name = PIPELINE_DATA[task as keyof typeof PIPELINE_DATA]?.name ?? task;
  // The first sentence of the task's summary says what it does; the rest lists use cases.
  const summary = data && !data.isPlaceholder ? data.summary.split(/(?<=\.)\s/)[0]! : name;
  return { task, confidence, name, summary };
}

export interface RecogniseTasksParams {
  text: string;
  /** The text phrases are quoted from, at the same offsets (by default `text`). */
  quoteFrom?: string;
  model?: TaskModel;
}

/**
 * Which tasks a description asks for, by the learned task model: never an empty answer. The words that
 * weighed most are quoted back (character pieces of a word count for the word).
 */
export function recogniseTasks(params: RecogniseTasksParams): RecognisedTasks {
  const { text } = params;
  const model = params.model ?? getTaskModel();
  const scores = model.classify(text);
  const confidences = scores
    .slice(0, LISTED_TASKS)
    .map(({ task, confidence }) => ({ task, confidence: round(confidence) }));
  const lowConfidence = scores[0]!.confidence < LOW_CONFIDENCE;
  const chosen = lowConfidence
    ? scores.slice(0, ANSWERED_TASKS)
    : scores
        .filter((score, index) => index === 0 || score.confidence >= SECONDARY_CONFIDENCE)
        .slice(0, ANSWERED_TASKS);
  const tasks = chosen.map((score) => score.task);
  for (const task of [...tasks]) {
    const companion = COMPANION_TASKS[task];
    if (companion && !tasks.includes(companion)) tasks.splice(tasks.indexOf(task) + 1, 0, companion);
  }

  const phrases = featurePhrases({ text, quoteFrom: params.quoteFrom ?? text });
  const triggers: RecognisedTasks["triggers"] = [];
  for (const { task } of chosen) {
    const quoted = new Set<string>();
    for (const { feature } of model.explain(text, task, 12)) {
      for (const phrase of phrases.get(feature) ?? []) {
        if (quoted.size >= QUOTED_FEATURES) break;
        if (![...quoted].some((seen) => seen.includes(phrase))) quoted.add(phrase);
      }
    }
    for (const phrase of quoted) triggers.push({ phrase, means: `task: ${task}` });
  }
  return {
    tasks,
    confidences,
    lowConfidence,
    choices: lowConfidence ? confidences.map(choiceOf) : [],
    modality: modalityOf(tasks[0]!),
    triggers,
  };
}
