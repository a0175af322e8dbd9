import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readTaskCorpus, type TaskCorpus } from "./task-corpus.ts";
import { THESAURUS_PATH } from "./task-features.ts";
import {
  DEFAULT_TASK_MODEL_SETTINGS,
  type FittedTaskModel,
  fitTaskModel,
  type TaskModel,
  type TaskModelSettings,
  taskModelFrom,
  trainTaskModel,
} from "./task-model.ts";

/**
 * The task model's weights kept in a file, so a process that needs the model (each CLI command, each server
 * start) reads them in milliseconds instead of training for a second or more. The file is named by a hash of
 * everything training depends on: the corpus, the settings, the thesaurus and the source of the features,
 * the model and the trainer; any change to them trains again, and the weights are the same as training
 * would give (training is deterministic). A file that cannot be read is ignored and replaced.
 */

const PREFIX = "task-model-";
const SUFFIX = ".bin";

/** The files whose content decides what training gives, beside the corpus and the settings. */
const SOURCES = [
  fileURLToPath(new URL("./task-features.ts", import.meta.url)),
  fileURLToPath(new URL("./task-model.ts", import.meta.url)),
  fileURLToPath(new URL("./train-sparse-softmax.ts", import.meta.url)),
  THESAURUS_PATH,
];

export function taskModelKey(corpus: TaskCorpus, settings: TaskModelSettings): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ tasks: corpus.tasks, examples: corpus.examples, settings }));
  for (const path of SOURCES) hash.update(readFileSync(path));
  return hash.digest("hex").slice(0, 32);
}

/** [header length: uint32 LE][header JSON][padding to 4 bytes][weights: float32 LE][bias: float32 LE] */
function encode(key: string, fitted: FittedTaskModel): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      key,
      tasks: fitted.tasks,
      features: fitted.features,
      weights: fitted.trained.weights.length,
      bias: fitted.trained.bias.length,
    }),
  );
  const start = Math.ceil((4 + header.length) / 4) * 4;
  const out = Buffer.alloc(start + 4 * (fitted.trained.weights.length + fitted.trained.bias.length));
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  let at = start;
  for (const value of fitted.trained.weights) at = out.writeFloatLE(value, at);
  for (const value of fitted.trained.bias) at = out.writeFloatLE(value, at);
  return out;
}

function decode(bytes: Buffer, key: string): FittedTaskModel | undefined {
  if (bytes.length < 4) return undefined;
  const headerLength = bytes.readUInt32LE(0);
  if (4 + headerLength > bytes.length) return undefined;
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString("utf8")) as {
    key?: unknown;
    tasks?: unknown;
    features?: unknown;
    weights?: unknown;
    bias?: unknown;
  };
  const { tasks, features, weights, bias } = header;
  if (header.key !== key || !Array.isArray(tasks) || !Array.isArray(features)) return undefined;
  if (weights !== features.length * tasks.length || bias !== tasks.length) return undefined;
  const start = Math.ceil((4 + headerLength) / 4) * 4;
  if (bytes.length !== start + 4 * (weights + bias)) return undefined;
  const read = (from: number, count: number) => {
    const values = new Float32Array(count);
    for (let index = 0; index < count; index++) values[index] = bytes.readFloatLE(from + 4 * index);
    return values;
  };
  return {
    tasks: tasks as string[],
    features: features as string[],
    trained: { weights: read(start, weights), bias: read(start + 4 * weights, bias) },
  };
}

export interface CachedTaskModelParams {
  /** Where the weights are kept (created when missing). */
  directory: string;
  corpus?: TaskCorpus;
  settings?: TaskModelSettings;
}

export interface CachedTaskModel {
  model: TaskModel;
  /** Whether the weights were read from the cache or trained now (and then written to it). */
  from: "cache" | "training";
}

/** The task model from the cache in `directory`, or trained and written there. */
export function cachedTaskModel(params: CachedTaskModelParams): CachedTaskModel {
  const corpus = params.corpus ?? readTaskCorpus();
  const settings = params.settings ?? DEFAULT_TASK_MODEL_SETTINGS;
  const key = taskModelKey(corpus, settings);
  const path = join(params.directory, `${PREFIX}${key}${SUFFIX}`);
  let fitted: FittedTaskModel | undefined;
  try {
    fitted = decode(readFileSync(path), key);
  } catch {
    fitted = undefined;
  }
  if (fitted) return { model: taskModelFrom(fitted, settings), from: "cache" };
  fitted = fitTaskModel(corpus, settings);
  try {
    mkdirSync(params.directory, { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, encode(key, fitted), { mode: 0o600 });
    renameSync(temporary, path);
    // Weights of an older corpus or code are never read again.
    for (const name of readdirSync(params.directory)) {
      if (name.startsWith(PREFIX) && name.endsWith(SUFFIX) && name !== `${PREFIX}${key}${SUFFIX}`) {
        rmSync(join(params.directory, name), { force: true });
      }
    }
  } catch {
    // A cache that cannot be written (a read-only home) only costs the next process its training time.
  }
  return { model: taskModelFrom(fitted, settings), from: "training" };
}

let shared: TaskModel | undefined;

/**
 * The task model of this process, made on first use: trained (about a second), or, when `cacheDirectory`
 * is given, read from the weights kept there or trained and kept there.
 */
export function getTaskModel(params: { cacheDirectory?: string } = {}): TaskModel {
  if (shared) return shared;
  shared = params.cacheDirectory
    ? cachedTaskModel({ directory: params.cacheDirectory }).model
    : trainTaskModel();
  return shared;
}
