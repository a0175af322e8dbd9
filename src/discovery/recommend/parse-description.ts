import { badRequest } from "../../core/errors.ts";
import { listHardware } from "../compare/hardware.ts";
import {
  GPU_MEMORY_PATTERNS,
  number,
  PARAMETER_PATTERNS,
  RAM_PATTERNS,
  readCriterion,
  SIZE_PATTERNS,
  takeFirst,
  UNIT_BYTES,
  UNIT_COUNT,
} from "./description-patterns.ts";
import {
  askedPurpose,
  DOMAINS,
  INSTRUCTION_WORDS,
  LANGUAGES,
  type Modality,
  MULTILINGUAL,
} from "./lexicon.ts";
import { recogniseTasks, type TaskChoice, type TaskConfidence } from "./recognise-tasks.ts";

export const MAX_DESCRIPTION_LENGTH = 2000;

/** Memory assumed for devices named by kind rather than by model (the model must fit, with room to spare). */
export const DEVICE_MEMORY_BYTES = { laptop: 8e9, phone: 2e9, browser: 2e9 };
/** RAM assumed for "CPU only": a common server or workstation size. */
export const CPU_MEMORY_BYTES = 32e9;

/** Which words of the description led to which reading: the parse explains itself. */
export interface Trigger {
  phrase: string;
  means: string;
}

export interface Constraints {
  /** ISO 639-1 codes, in the order named. */
  languages: string[];
  multilingual: boolean;
  commercialUse: boolean;
  /** Storage size limit in bytes (1 MB = 10^6 bytes, as the Hub counts). */
  maxSizeBytes: number | null;
  maxParameters: number | null;
  cpuOnly: boolean;
  /** Accelerator memory the model must fit in. */
  gpuMemoryBytes: number | null;
  /** Memory of the whole device (laptop, phone, browser, "16 GB of RAM"). */
  maxMemoryBytes: number | null;
  /** A device of the SKUS table named in the description. */
  device: string | null;
  runsLocally: boolean;
  latency: "real-time" | "fast" | null;
  licenseFamily: "open-source" | "permissive" | null;
  /** Licence ids named explicitly. */
  licenses: string[];
  priority: "quality" | "speed" | "cost" | "size" | null;
  domains: string[];
  /** A chat or assistant: instruction-tuned models fit better. */
  instructionTuned: boolean;
  /** What the user classifies by, in their words ("urgency", "topics"): the labels are theirs. */
  classifyBy: string | null;
  /** Labels named in the description ("billing", "technical", "other"), in order. */
  labels: string[];
}

export interface ParsedDescription {
  /** Task ids of @huggingface/tasks to search, best first; never empty. */
  tasks: string[];
  /** The most likely tasks with calibrated confidences, best first. */
  taskConfidences: TaskConfidence[];
  /** The first task is uncertain: `taskChoices` are the closest tasks for the user to pick from. */
  lowConfidence: boolean;
  taskChoices: TaskChoice[];
  constraints: Constraints;
  modality: Modality;
  triggers: Trigger[];
}

function emptyConstraints(): Constraints {
  return {
    languages: [],
    multilingual: false,
    commercialUse: false,
    maxSizeBytes: null,
    maxParameters: null,
    cpuOnly: false,
    gpuMemoryBytes: null,
    maxMemoryBytes: null,
    device: null,
    runsLocally: false,
    latency: null,
    licenseFamily: null,
    licenses: [],
    priority: null,
    domains: [],
    instructionTuned: false,
    classifyBy: null,
    labels: [],
  };
}

/** Devices of the SKUS table whose names carry a digit (T4, A100, RTX 4090): plain words would misfire. */
const NAMED_DEVICES = listHardware()
  .filter((spec) => /\d/.test(spec.name) && spec.name.length >= 2)
  .sort((a, b) => b.name.length - a.name.length);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Reads a plain-language description into tasks and constraints. Deterministic: the task model (trained
 * once per process, seeded) picks the tasks, the lexicon reads the constraints, and `triggers` quotes each
 * phrase that mattered.
 */
export function parseDescription(description: string): ParsedDescription {
  if (typeof description !== "string" || description.trim() === "") {
    throw badRequest(
      'description is empty: say what the model should do, e.g. "summarise English news articles"',
    );
  }
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw badRequest(
      `description is ${description.length} characters, over the limit of ${MAX_DESCRIPTION_LENGTH}: describe the job in a few sentences`,
    );
  }
  const original = description.replace(/\s+/g, " ").trim();
  const lower = original.toLowerCase();
  const constraints = emptyConstraints();
  const triggers: Trigger[] = [];

  // Languages, in the order named.
  const named: Array<{ code: string; at: number; phrase: string }> = [];
  for (const [name, code] of Object.entries(LANGUAGES)) {
    const match = new RegExp(`\\b${name}\\b`).exec(lower);
    if (match) named.push({ code, at: match.index, phrase: match[0] });
  }
  const polish = /\bPolish\b/.exec(original);
  if (polish) named.push({ code: "pl", at: polish.index, phrase: polish[0] });
  for (const entry of named.sort((a, b) => a.at - b.at)) {
    if (constraints.languages.includes(entry.code)) continue;
    constraints.languages.push(entry.code);
    triggers.push({ phrase: entry.phrase, means: `language: ${entry.code}` });
  }
  const multilingual = MULTILINGUAL.exec(lower);
  if (multilingual) {
    constraints.multilingual = true;
    triggers.push({ phrase: multilingual[0], means: "multilingual" });
  }

  // Licence.
  const nonCommercial = /\b(non-?commercial|research only|not for commercial|no commercial)\b/.exec(lower);
  const commercial = /\b(commercial(ly)?|business use|for profit|paid product|sell it|in our product)\b/.exec(
    nonCommercial ? lower.replace(nonCommercial[0], " ".repeat(nonCommercial[0].length)) : lower,
  );
  if (commercial) {
    constraints.commercialUse = true;
    triggers.push({ phrase: commercial[0], means: "licence must allow commercial use" });
  }
  const openSource = /\b(open[- ]source|osi[- ]approved|free software|foss)\b/.exec(lower);
  const permissive = /\b(permissive(ly)?( licen[cs]ed?)?|apache or mit|mit or apache)\b/.exec(lower);
  if (permissive) {
    constraints.licenseFamily = "permissive";
    triggers.push({ phrase: permissive[0], means: "licence: permissive" });
  } else if (openSource) {
    constraints.licenseFamily = "open-source";
    triggers.push({ phrase: openSource[0], means: "licence: open source (OSI)" });
  }
  const apache = /\bapache(-| )?(2(\.0)?)?( licen[cs]e)?\b/.exec(lower);
  if (apache && !permissive) {
    constraints.licenses.push("apache-2.0");
    triggers.push({ phrase: apache[0], means: "licence: apache-2.0" });
  }
  const mit = /\bMIT\b/.exec(original) ?? /\bmit licen[cs]e\b/.exec(lower);
  if (mit && !permissive) {
    constraints.licenses.push("mit");
    triggers.push({ phrase: mit[0], means: "licence: mit" });
  }

  // Memory and size limits, most specific first: a "16 GB GPU" is not a model size.
  const rest = { value: lower };
  const gpu = takeFirst(rest, GPU_MEMORY_PATTERNS);
  if (gpu) {
    constraints.gpuMemoryBytes = number(gpu.match[1]!) * UNIT_BYTES[gpu.match[2]!]!;
    triggers.push({
      phrase: gpu.phrase,
      means: `fits in ${gpu.match[1]} ${gpu.match[2]} of accelerator memory`,
    });
  }
  const ram = takeFirst(rest, RAM_PATTERNS);
  if (ram) {
    constraints.maxMemoryBytes = number(ram.match[1]!) * UNIT_BYTES[ram.match[2]!]!;
    triggers.push({ phrase: ram.phrase, means: `fits in ${ram.match[1]} ${ram.match[2]} of memory` });
  }
  const size = takeFirst(rest, SIZE_PATTERNS);
  if (size) {
    constraints.maxSizeBytes = number(size.match[1]!) * UNIT_BYTES[size.match[2]!]!;
    triggers.push({ phrase: size.phrase, means: `model size at most ${size.match[1]} ${size.match[2]}` });
  }
  const parameters = takeFirst(rest, PARAMETER_PATTERNS);
  if (parameters) {
    constraints.maxParameters = number(parameters.match[1]!) * UNIT_COUNT[parameters.match[2]!]!;
    triggers.push({
      phrase: parameters.phrase,
      means: `at most ${parameters.match[1]}${parameters.match[2]} parameters`,
    });
  }

  // Hardware.
  const cpu =
    /\b(cpu[- ]only|only (a |on )?cpus?|on (a )?cpus?|no gpus?|without (a )?gpus?|cpu inference|cpus? only|commodity servers?)\b/.exec(
      lower,
    );
  if (cpu) {
    constraints.cpuOnly = true;
    triggers.push({ phrase: cpu[0], means: "CPU only" });
  }
  for (const spec of NAMED_DEVICES) {
    const match = new RegExp(`(^|[^a-z0-9])(${escapeRegExp(spec.name.toLowerCase())})(?![a-z0-9])`).exec(
      lower,
    );
    if (!match) continue;
    constraints.device = spec.name;
    if (spec.memoryBytes !== null && constraints.gpuMemoryBytes === null) {
      constraints.gpuMemoryBytes = spec.memoryBytes;
    }
    triggers.push({ phrase: match[2]!, means: `hardware: ${spec.name}` });
    break;
  }
  const deviceKinds: Array<[RegExp, keyof typeof DEVICE_MEMORY_BYTES]> = [
    [/\b(laptops?|notebooks?|macbooks?|desktops?|my pc)\b/, "laptop"],
    [
      /\b(on (a |an |my |the |our )?(phones?|smartphones?|mobiles?)|smartphones?|iphones?|ipads?|android|mobile (apps?|devices?|phones?)|on[- ]device|edge devices?|raspberry pi|iot)\b/,
      "phone",
    ],
    [/\b(browsers?|in the web page|client[- ]side|transformers\.js)\b/, "browser"],
  ];
  for (const [pattern, kind] of deviceKinds) {
    const match = pattern.exec(lower);
    if (!match) continue;
    const bytes = DEVICE_MEMORY_BYTES[kind];
    constraints.maxMemoryBytes = Math.min(constraints.maxMemoryBytes ?? bytes, bytes);
    constraints.runsLocally = true;
    triggers.push({
      phrase: match[0],
      means: `runs locally on a ${kind} (assumed ${bytes / 1e9} GB for the model)`,
    });
  }
  const local =
    /\b(locally|local(ly)? hosted|offline|on[- ]prem(ise|ises)?|self[- ]hosted|air[- ]gapped|our own (servers?|hardware|machines?)|data (must|cannot|can't|may not) leave|private data)\b/.exec(
      lower,
    );
  if (local) {
    constraints.runsLocally = true;
    triggers.push({ phrase: local[0], means: "runs locally" });
  }

  // Speed, quality, cost, size.
  const realTime = /\b(real[- ]?time|live|low[- ]latency|instant(ly|aneous)?|streaming|interactive)\b/.exec(
    lower,
  );
  const fast =
    /\b(fast(est)?|quick(ly)?|speedy|high[- ]throughput|lots of requests|millions of (requests|documents|messages|texts))\b/.exec(
      lower,
    );
  if (realTime) {
    constraints.latency = "real-time";
    triggers.push({ phrase: realTime[0], means: "latency: real-time" });
  } else if (fast) {
    constraints.latency = "fast";
    triggers.push({ phrase: fast[0], means: "latency: fast" });
  }
  const quality =
    /\b(best (possible )?(quality|accuracy|results?)|most accurate|highest accuracy|high(ly)? accura(te|cy)|accuracy (is|matters)|state[- ]of[- ]the[- ]art|sota|top quality|quality matters|as accurate as possible)\b/.exec(
      lower,
    );
  const cost =
    /\b(cheap(est|ly)?|low[- ]cost|inexpensive|budget|cost[- ]effective|affordable|as little as possible)\b/.exec(
      lower,
    );
  const small = /\b(small(est)?|tiny|lightweight|light-weight|compact|minimal footprint)\b/.exec(lower);
  if (quality) {
    constraints.priority = "quality";
    triggers.push({ phrase: quality[0], means: "priority: quality" });
  } else if (cost) {
    constraints.priority = "cost";
    triggers.push({ phrase: cost[0], means: "priority: cost" });
  } else if (constraints.latency) {
    constraints.priority = "speed";
  } else if (small) {
    constraints.priority = "size";
    triggers.push({ phrase: small[0], means: "priority: small size" });
  }

  for (const { domain, pattern } of DOMAINS) {
    const match = pattern.exec(lower);
    if (!match) continue;
    constraints.domains.push(domain);
    triggers.push({ phrase: match[0], means: `domain: ${domain}` });
  }

  // The task is learned from labelled descriptions; what the constraints above read (licences, sizes,
  // hardware, speed) says nothing about it, so the model reads the description without those phrases.
  // Languages and domains stay: "English to Japanese" is what a translation request looks like.
  let forTasks = lower;
  for (const trigger of triggers) {
    if (/^(language|multilingual|domain)/.test(trigger.means)) continue;
    forTasks = forTasks.replace(trigger.phrase, " ".repeat(trigger.phrase.length));
  }
  const recognised = recogniseTasks({ text: forTasks, quoteFrom: lower });
  const { tasks, modality } = recognised;
  triggers.unshift(...recognised.triggers);

  const instruction = INSTRUCTION_WORDS.exec(lower);
  if (instruction && tasks.includes("text-generation")) {
    constraints.instructionTuned = true;
    triggers.push({ phrase: instruction[0], means: "instruction-tuned (chat) model preferred" });
  }

  // "sort results by relevance" names no labels: only a classifier's criterion is one.
  const criterion = tasks.some((task) => task.endsWith("classification")) ? readCriterion(lower) : null;
  if (criterion) {
    constraints.classifyBy = criterion.classifyBy;
    constraints.labels = criterion.labels;
    const what = criterion.classifyBy ?? criterion.labels.join(", ");
    const purpose = askedPurpose(`${criterion.phrase} ${what}`);
    const zeroShot = tasks.includes("zero-shot-classification")
      ? "; zero-shot-classification takes such labels at run time, with no training"
      : "";
    triggers.push({
      phrase: criterion.phrase,
      means: purpose
        ? `labels: ${what} (${purpose.purpose}: models trained for it fit)`
        : `labels of your own: ${what}${zeroShot}`,
    });
  }

  return {
    tasks,
    taskConfidences: recognised.confidences,
    lowConfidence: recognised.lowConfidence,
    taskChoices: recognised.choices,
    constraints,
    modality,
    triggers,
  };
}
