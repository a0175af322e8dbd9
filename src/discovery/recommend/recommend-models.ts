import { join } from "node:path";
import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import type { Repo } from "../../core/types.ts";
import { parseRepoId } from "../../core/validate.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import { OPEN_SOURCE_LICENSES, PERMISSIVE_LICENSES } from "../../hub/metadata/licenses.ts";
import type { ModelSummary } from "../../hub/read/model-summary.ts";
import { defaultTokensPerRequest, estimatePerformance } from "../compare/estimate-performance.ts";
import { formatBytes, formatCount, formatMs, formatUsd } from "../compare/format.ts";
import {
  DEFAULT_CPU,
  DEFAULT_GPU,
  findHardware,
  type HardwareSpec,
  hourlyPrice,
} from "../compare/hardware.ts";
import { costFromLatency, summaryForRepo } from "../compare/model-profile.ts";
import { searchModels } from "../search-models.ts";
import {
  askedPurpose,
  DOMAINS,
  GENERAL_CLASSIFIER_WORDS,
  INSTRUCTION_TUNED_ID,
  PURPOSES,
  type Purpose,
} from "./lexicon.ts";
import {
  type Constraints,
  CPU_MEMORY_BYTES,
  type ParsedDescription,
  parseDescription,
  type Trigger,
} from "./parse-description.ts";
import { LOW_CONFIDENCE, type TaskChoice, type TaskConfidence } from "./recognise-tasks.ts";
import { getTaskModel } from "./task-model-cache.ts";

export const DEFAULT_RECOMMEND_LIMIT = 5;
export const MAX_RECOMMEND_LIMIT = 50;
/** Models read per task, most downloaded first: the pool constraints filter and ranking orders. */
const POOL_PER_TASK = 2000;
const SEARCH_PAGE = 100;

export interface RecommendParams {
  description: string;
  limit?: number;
}

export interface Candidate {
  id: string;
  /** 0..100: task fit, constraint certainty, the stated priority, domain and popularity (see `scoring`). */
  score: number;
  task: string;
  license: string | null;
  parameters: number | null;
  /** Why it fits, and what is unknown (lines starting with "unknown:"). */
  reasons: string[];
  unknowns: string[];
}

export interface Alternative {
  /** `closest` appears only when nothing meets every constraint: the model that misses the fewest. */
  kind: "higher-quality" | "lower-cost" | "faster" | "specialised" | "closest";
  /** Null when there is none; `reasons` says why. */
  id: string | null;
  reasons: string[];
  /** Constraints this alternative does not meet, when it trades one away. */
  relaxes: string[];
}

export interface Recommendation {
  description: string;
  /** Tasks whose models were considered, best first; never empty. */
  tasks: string[];
  /** The most likely tasks with calibrated confidences (0..1), best first. */
  taskConfidences: TaskConfidence[];
  /** The first task's confidence is under LOW_CONFIDENCE: the description may mean one of `choices`. */
  lowConfidence: boolean;
  /** When unsure, the closest tasks to pick from, with what each does; empty otherwise. */
  choices: TaskChoice[];
  constraints: Constraints;
  /** Which words triggered which task or constraint. */
  triggers: Trigger[];
  hardware: { name: string; assumed: boolean };
  candidates: Candidate[];
  alternatives: Alternative[];
  /**
   * How many catalog models were considered, and how many each constraint ruled out. The search behind the
   * pool already drops licences without commercial use and models over the parameter limit when those are
   * asked for, so those counts cover only what the search could not decide.
   */
  considered: number;
  excluded: Record<string, number>;
  notes: string[];
  scoring: string[];
}

type Outcome = "pass" | "fail" | "unknown";
interface Check {
  constraint: string;
  outcome: Outcome;
  text: string;
}

interface Assessed {
  repo: Repo;
  summary: ModelSummary;
  task: string;
  taskRank: number;
  /** How likely the description asks for this task; null for a companion task the model did not rank high. */
  taskConfidence: number | null;
  checks: Check[];
  latencyMs: number | null;
  costPer1k: number | null;
  domainMatch: string | null;
  /** Words of the description the model's id or card description shares. */
  sharedWords: string[];
  /** How a classifier's labels fit what the description classifies by; null when that does not apply. */
  purpose: PurposeFit | null;
  score: number;
}

/**
 * What the description classifies by: a fixed purpose models are trained for (sentiment, language), or a
 * criterion of the user's own (urgency, their topics) that only general models can take.
 */
interface AskedCriterion {
  purpose: Purpose | null;
  /** The user's own labels, as the reasons name them ("urgency levels", "billing, technical or other"). */
  own: string | null;
}

interface PurposeFit {
  fit: "matches" | "differs" | "general" | "unknown";
  reason: string;
}

const PURPOSE_POINTS: Record<PurposeFit["fit"], number> = {
  matches: 12,
  general: 8,
  unknown: -10,
  differs: -30,
};

/** "urgency" → "urgency levels"; a noun of degree reads better with "levels", anything else as written. */
function ownLabelsName(constraints: Constraints): string {
  if (constraints.labels.length > 0) {
    const labels = constraints.labels;
    return labels.length === 1
      ? labels[0]!
      : `${labels.slice(0, -1).join(", ")} or ${labels[labels.length - 1]}`;
  }
  const by = constraints.classifyBy ?? "";
  return /(ency|ity|ance|ence|level)$/.test(by) ? `${by} levels` : by;
}

function askedCriterion(parsed: ParsedDescription, description: string): AskedCriterion | null {
  const { constraints, tasks } = parsed;
  if (parsed.modality !== "text") return null;
  if (constraints.classifyBy !== null || constraints.labels.length > 0) {
    const text =
      constraints.classifyBy !== null ? `by ${constraints.classifyBy}` : constraints.labels.join(" ");
    const purpose = askedPurpose(text);
    return { purpose, own: purpose ? null : ownLabelsName(constraints) };
  }
  if (!tasks.includes("text-classification")) return null;
  const purpose = askedPurpose(description.toLowerCase());
  return purpose ? { purpose, own: null } : null;
}

/** Reads a classifier's purpose from its id, card description and tags, and weighs it against the ask. */
function purposeFit(asked: AskedCriterion, task: string, modelText: string): PurposeFit | null {
  if (task !== "text-classification" && task !== "zero-shot-classification") return null;
  const wanted = asked.own ?? asked.purpose!.labelsAre;
  if (task === "zero-shot-classification" || GENERAL_CLASSIFIER_WORDS.test(modelText)) {
    return {
      fit: "general",
      reason: asked.own
        ? `zero-shot: takes your labels (${wanted}) at run time, no training needed`
        : `zero-shot: can take ${asked.purpose!.purpose} labels at run time`,
    };
  }
  const own = PURPOSES.find(({ modelWords }) => modelWords.test(modelText));
  if (own && asked.purpose && own.purpose === asked.purpose.purpose) {
    return { fit: "matches", reason: `made for ${own.purpose}, as asked: its labels are ${own.labelsAre}` };
  }
  if (own) return { fit: "differs", reason: `its labels are ${own.labelsAre}, not ${wanted}` };
  return {
    fit: "unknown",
    reason: `unknown: a fine-tuned classifier whose fixed labels are not known to be ${wanted}`,
  };
}

/** The smallest precision whose memory fits `limit`, or what is unknown. */
function fitAt(
  summary: ModelSummary,
  limit: number,
  constraint: "gpuMemoryBytes" | "maxMemoryBytes",
  label: string,
): Check {
  if (summary.parameters === null) {
    // A memory limit is a hard fact of the hardware: a model that may not load is not recommended.
    return {
      constraint,
      outcome: "fail",
      text: `memory need unknown (no parameter count): cannot confirm it fits ${label}`,
    };
  }
  for (const dtype of ["F16", "INT8", "INT4"]) {
    const bytes = summary.memory[dtype];
    if (bytes !== undefined && bytes <= limit) {
      return {
        constraint,
        outcome: "pass",
        text: `fits ${label} (${formatBytes(limit)}) at ${dtype}: about ${formatBytes(bytes)} to load${dtype === "F16" ? "" : ", quantised"}`,
      };
    }
  }
  return {
    constraint,
    outcome: "fail",
    text: `needs ${formatBytes(summary.memory.INT4 ?? 0)} even at INT4, over ${label} (${formatBytes(limit)})`,
  };
}

function checkConstraints(summary: ModelSummary, constraints: Constraints): Check[] {
  const checks: Check[] = [];
  if (constraints.commercialUse) {
    const use = summary.commercialUse;
    checks.push(
      use === "yes"
        ? {
            constraint: "commercialUse",
            outcome: "pass",
            text: `licence ${summary.license} allows commercial use`,
          }
        : use === "conditional"
          ? {
              constraint: "commercialUse",
              outcome: "fail",
              text: `licence ${summary.license} allows commercial use only under its own terms`,
            }
          : use === "no"
            ? {
                constraint: "commercialUse",
                outcome: "fail",
                text: `licence ${summary.license} forbids commercial use`,
              }
            : {
                constraint: "commercialUse",
                outcome: "fail",
                text: `licence ${summary.license ?? "unknown"}: commercial use cannot be confirmed`,
              },
    );
  }
  const license = summary.license?.toLowerCase() ?? null;
  if (constraints.licenseFamily) {
    const family = constraints.licenseFamily === "open-source" ? OPEN_SOURCE_LICENSES : PERMISSIVE_LICENSES;
    const ok = license !== null && family.has(license);
    checks.push({
      constraint: "licenseFamily",
      outcome: ok ? "pass" : "fail",
      text: ok
        ? `licence ${license} is ${constraints.licenseFamily}`
        : `licence ${license ?? "unknown"} is not known to be ${constraints.licenseFamily}`,
    });
  }
  if (constraints.licenses.length > 0) {
    const ok = license !== null && constraints.licenses.includes(license);
    checks.push({
      constraint: "licenses",
      outcome: ok ? "pass" : "fail",
      text: ok
        ? `licence ${license} as asked`
        : `licence ${license ?? "unknown"}, not ${constraints.licenses.join(" or ")}`,
    });
  }
  for (const language of constraints.languages) {
    const languages = summary.languages;
    if (languages.includes(language)) {
      checks.push({
        constraint: "languages",
        outcome: "pass",
        text: `lists ${language} among its languages`,
      });
    } else if (languages.includes("multilingual")) {
      checks.push({
        constraint: "languages",
        outcome: "unknown",
        text: `unknown: multilingual, but does not list ${language} by name`,
      });
    } else if (languages.length === 0) {
      checks.push({
        constraint: "languages",
        outcome: "unknown",
        text: `unknown: its card lists no languages (${language}?)`,
      });
    } else {
      checks.push({
        constraint: "languages",
        outcome: "fail",
        text: `languages ${languages.join(", ")} do not include ${language}`,
      });
    }
  }
  if (constraints.multilingual && constraints.languages.length === 0) {
    const many = summary.languages.includes("multilingual") || summary.languages.length >= 3;
    checks.push({
      constraint: "multilingual",
      outcome: many ? "pass" : summary.languages.length === 0 ? "unknown" : "fail",
      text: many
        ? `multilingual (${summary.languages.slice(0, 6).join(", ")})`
        : summary.languages.length === 0
          ? "unknown: its card lists no languages"
          : `only ${summary.languages.join(", ")}`,
    });
  }
  if (constraints.maxSizeBytes !== null) {
    const limit = constraints.maxSizeBytes;
    // Catalog entries have no files: their weights are estimated at the precision the target runs.
    const bytesPerParameter = constraints.cpuOnly ? 4 : 2;
    const size =
      summary.storageBytes ?? (summary.parameters === null ? null : summary.parameters * bytesPerParameter);
    const how =
      summary.storageBytes !== null
        ? "its files"
        : `estimated at ${bytesPerParameter === 4 ? "F32" : "F16"} from ${summary.parameters === null ? "?" : formatCount(summary.parameters)} parameters`;
    // A model just over the limit at full precision often ships (or converts to) 8-bit weights: say so.
    const int8 = summary.storageBytes === null && summary.parameters !== null ? summary.parameters : null;
    checks.push(
      size === null
        ? {
            constraint: "maxSizeBytes",
            outcome: "fail",
            text: "size unknown: cannot confirm it is under the limit",
          }
        : size <= limit
          ? {
              constraint: "maxSizeBytes",
              outcome: "pass",
              text: `${formatBytes(size)} (${how}), under ${formatBytes(limit)}`,
            }
          : int8 !== null && int8 <= limit
            ? {
                constraint: "maxSizeBytes",
                outcome: "pass",
                text: `${formatBytes(int8)} quantised to INT8, under ${formatBytes(limit)} (${formatBytes(size)} ${how})`,
              }
            : {
                constraint: "maxSizeBytes",
                outcome: "fail",
                text: `${formatBytes(size)} (${how}), over ${formatBytes(limit)}`,
              },
    );
  }
  if (constraints.maxParameters !== null) {
    const parameters = summary.parameters;
    checks.push(
      parameters === null
        ? {
            constraint: "maxParameters",
            outcome: "fail",
            text: "parameter count unknown: cannot confirm the limit",
          }
        : parameters <= constraints.maxParameters
          ? {
              constraint: "maxParameters",
              outcome: "pass",
              text: `${formatCount(parameters)} parameters, within ${formatCount(constraints.maxParameters)}`,
            }
          : {
              constraint: "maxParameters",
              outcome: "fail",
              text: `${formatCount(parameters)} parameters, over ${formatCount(constraints.maxParameters)}`,
            },
    );
  }
  if (constraints.cpuOnly) {
    const bytes = summary.memory.F32;
    checks.push(
      bytes === undefined
        ? {
            constraint: "cpuOnly",
            outcome: "unknown",
            text: "unknown: memory need on CPU (no parameter count)",
          }
        : bytes <= CPU_MEMORY_BYTES
          ? {
              constraint: "cpuOnly",
              outcome: "pass",
              text: `runs on CPU: about ${formatBytes(bytes)} of RAM at F32`,
            }
          : {
              constraint: "cpuOnly",
              outcome: "fail",
              text: `needs ${formatBytes(bytes)} of RAM at F32, more than the ${formatBytes(CPU_MEMORY_BYTES)} assumed for a CPU machine`,
            },
    );
  }
  if (constraints.gpuMemoryBytes !== null) {
    checks.push(
      fitAt(
        summary,
        constraints.gpuMemoryBytes,
        "gpuMemoryBytes",
        constraints.device ? `the ${constraints.device}` : "the GPU",
      ),
    );
  }
  if (constraints.maxMemoryBytes !== null)
    checks.push(fitAt(summary, constraints.maxMemoryBytes, "maxMemoryBytes", "the device memory"));
  if (constraints.runsLocally) {
    checks.push(
      summary.runsLocally
        ? {
            constraint: "runsLocally",
            outcome: "pass",
            text: "Hangar's local runtime serves it now (ONNX files here)",
          }
        : {
            constraint: "runsLocally",
            outcome: "unknown",
            text:
              summary.origin === "upstream"
                ? "unknown: open weights to run yourself; pull it to check Hangar's local runtime can serve it"
                : "unknown: Hangar's local runtime does not serve it as is (no ONNX model for its task)",
          },
    );
  }
  return checks;
}

function targetHardware(constraints: Constraints): { spec: HardwareSpec; assumed: boolean } {
  if (constraints.device) return { spec: findHardware(constraints.device), assumed: false };
  if (constraints.cpuOnly) return { spec: findHardware(DEFAULT_CPU), assumed: false };
  return { spec: findHardware(DEFAULT_GPU), assumed: true };
}

/**
 * The models of one task, most downloaded first, through the discovery search index: the licence and
 * parameter limits it can filter on narrow the pool before every constraint is checked one by one.
 */
async function candidatePool(
  hub: HubContext,
  caller: Caller,
  task: string,
  constraints: Constraints,
): Promise<Repo[]> {
  const repos: Repo[] = [];
  for (let page = 1; repos.length < POOL_PER_TASK; page++) {
    const result = await searchModels(hub, {
      tasks: [task],
      ...(constraints.commercialUse ? { commercial: ["yes"] } : {}),
      ...(constraints.maxParameters !== null ? { parametersMax: constraints.maxParameters } : {}),
      sort: "downloads",
      page,
      limit: SEARCH_PAGE,
      facets: false,
      insights: false,
      caller,
    });
    for (const hit of result.results) {
      const repo = await hub.catalog.repos.get(parseRepoId(hit.id));
      if (repo) repos.push(repo);
    }
    if (result.results.length < SEARCH_PAGE || page * SEARCH_PAGE >= result.total) break;
  }
  return repos;
}

/** Words too common in descriptions to say anything about a model. */
const STOPWORDS = new Set(
  (
    "about above after again against allow allowed allows because before being below between cheap cheapest " +
    "commercial commercially could every faster fewer from highest larger least licence license locally model " +
    "models needs offline option other please possible quality running should small smaller their there these " +
    "those under using where which while without would written accuracy accurate parameters"
  ).split(" "),
);

function contentWords(text: string): string[] {
  const words = text.toLowerCase().match(/[a-z][a-z0-9]+/g) ?? [];
  return [...new Set(words.filter((word) => word.length >= 5 && !STOPWORDS.has(word)))];
}

/** Description words found in the model's text, as whole words or sharing a 5+ letter prefix (emotion/emotions). */
function sharedWords(words: string[], modelText: string): string[] {
  const modelWords = modelText.toLowerCase().match(/[a-z][a-z0-9]+/g) ?? [];
  return words.filter((word) =>
    modelWords.some((other) => other.length >= 5 && (other.startsWith(word) || word.startsWith(other))),
  );
}

const log = (value: number) => Math.log10(Math.max(1, value));

/**
 * Ranks catalog models for a parsed description. Hard constraints (licence, size, parameters, languages a
 * model's card rules out, memory) exclude; unknowns keep a model but cost it points and say so.
 */
export async function recommendModels(
  hub: HubContext,
  caller: Caller,
  params: RecommendParams,
): Promise<Recommendation> {
  if (typeof params.description !== "string") throw badRequest('"description" must be a string');
  const limit = params.limit ?? DEFAULT_RECOMMEND_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECOMMEND_LIMIT) {
    throw badRequest(`limit must be an integer from 1 to ${MAX_RECOMMEND_LIMIT}`);
  }
  // The task model's weights are kept in the home, so a CLI command or a new server need not train it.
  getTaskModel({ cacheDirectory: join(hub.config.home, "cache") });
  const parsed: ParsedDescription = parseDescription(params.description);
  const { constraints } = parsed;
  const { spec: hardware, assumed } = targetHardware(constraints);
  const price = hourlyPrice(hardware);
  const notes: string[] = [];
  const excluded: Record<string, number> = {};

  const assessed: Assessed[] = [];
  const descriptionWords = contentWords(params.description);
  const criterion = askedCriterion(parsed, params.description);
  const seen = new Set<number>();
  for (const [taskRank, task] of parsed.tasks.slice(0, 3).entries()) {
    const repos = await candidatePool(hub, caller, task, constraints);
    if (repos.length >= POOL_PER_TASK) {
      notes.push(`${task}: only the ${POOL_PER_TASK} most downloaded models were considered`);
    }
    for (const repo of repos) {
      if (seen.has(repo.pk)) continue;
      seen.add(repo.pk);
      const summary = await summaryForRepo(hub, repo);
      const checks = checkConstraints(summary, constraints);
      const speed =
        summary.parameters === null
          ? null
          : estimatePerformance({
              parameters: summary.parameters,
              hardware,
              tokensPerRequest: defaultTokensPerRequest(task),
              task,
            });
      const cost = costFromLatency(speed?.latencyMs ?? null, price, undefined);
      const text = `${repo.id} ${summary.description ?? ""}`;
      const purpose = criterion ? purposeFit(criterion, task, `${text} ${repo.tags.join(" ")}`) : null;
      const domainMatch =
        DOMAINS.find(
          ({ domain, modelWords }) => constraints.domains.includes(domain) && modelWords.test(text),
        )?.domain ?? null;
      assessed.push({
        repo,
        summary,
        task,
        taskRank,
        taskConfidence: parsed.taskConfidences.find((entry) => entry.task === task)?.confidence ?? null,
        checks,
        latencyMs: speed?.latencyMs ?? null,
        costPer1k: cost.per1kRequestsUsd,
        domainMatch,
        sharedWords: sharedWords(descriptionWords, text),
        purpose,
        score: 0,
      });
    }
  }

  const feasible = assessed.filter((entry) => entry.checks.every((check) => check.outcome !== "fail"));
  for (const entry of assessed) {
    for (const check of entry.checks) {
      if (check.outcome === "fail") excluded[check.constraint] = (excluded[check.constraint] ?? 0) + 1;
    }
  }
  scoreAll(feasible, constraints, hardware);
  const ranked = [...feasible].sort((a, b) => b.score - a.score || a.repo.id.localeCompare(b.repo.id));
  const candidates = ranked.slice(0, limit).map((entry) => toCandidate(entry, hardware));

  if (parsed.lowConfidence) {
    const [first] = parsed.taskConfidences;
    notes.push(
      `Not sure which task this is: the closest is ${first!.task} (confidence ${first!.confidence}, under ${LOW_CONFIDENCE}). Candidates cover ${parsed.tasks.join(", ")}; if you meant another of the choices, name it or say what goes in and what comes out (e.g. "turn recorded calls into text").`,
    );
  }
  if (candidates.length === 0) {
    notes.push(
      `No model in this Hangar's catalog meets every constraint for ${parsed.tasks.join(", ")}: see "excluded" for what ruled them out, and the alternatives.`,
    );
  }

  return {
    description: params.description,
    tasks: parsed.tasks,
    taskConfidences: parsed.taskConfidences,
    lowConfidence: parsed.lowConfidence,
    choices: parsed.taskChoices,
    constraints,
    triggers: parsed.triggers,
    hardware: { name: hardware.name, assumed },
    candidates,
    alternatives: alternatives(assessed, ranked, constraints, hardware),
    considered: assessed.length,
    excluded,
    notes,
    scoring: [
      "task: 40 for the first task, 30 the second, 20 the third",
      "minus 6 for each constraint that is unknown for the model",
      "priority (20): quality = reported evaluation (10) and larger size (10); speed, cost, size = fewer parameters (20); none = reported evaluation (5) and, among models that fit the target hardware, 5 plus up to 10 for larger size",
      "plus 6 per word of the description (5+ letters, prefix match) its id or card description shares, at most 12",
      "classifiers, when the description says what to classify by: plus 12 for a model made for that purpose (sentiment, language...), plus 8 for a zero-shot (NLI) model, minus 10 for a fine-tune of unknown labels, minus 30 for a model made for another purpose",
      "plus 20 for a model named for the domain, 8 for an instruction-tuned model when a chat is asked for, 5 per language listed by name, 5 when Hangar can run it locally",
      "popularity: up to 10, log of downloads relative to the most downloaded considered",
    ],
  };
}

function scoreAll(entries: Assessed[], constraints: Constraints, hardware: HardwareSpec): void {
  const sizes = entries
    .map((entry) => entry.summary.parameters)
    .filter((value): value is number => value !== null);
  const minLog = sizes.length ? log(Math.min(...sizes)) : 0;
  const maxLog = sizes.length ? log(Math.max(...sizes)) : 0;
  const maxDownloads = log(Math.max(1, ...entries.map((entry) => entry.repo.downloads + 1)));
  // With no priority stated, the largest model that fits the target hardware is the quality proxy.
  const targetMemory =
    hardware.kind === "CPU" ? CPU_MEMORY_BYTES : (hardware.memoryBytes ?? CPU_MEMORY_BYTES);
  const targetDtype = hardware.kind === "CPU" ? "F32" : "F16";
  for (const entry of entries) {
    const { summary, repo } = entry;
    let score = [40, 30, 20][entry.taskRank] ?? 10;
    score -= 6 * entry.checks.filter((check) => check.outcome === "unknown").length;
    const largeness =
      summary.parameters === null || maxLog === minLog
        ? 0.5
        : (log(summary.parameters) - minLog) / (maxLog - minLog);
    const hasEval = summary.evalResults.some((result) => !result.task || result.task === entry.task) ? 1 : 0;
    switch (constraints.priority) {
      case "quality":
        score += 10 * hasEval + 10 * largeness;
        break;
      case "speed":
      case "cost":
      case "size":
        score += summary.parameters === null ? 0 : 20 * (1 - largeness);
        break;
      default: {
        const memory = summary.memory[targetDtype];
        const fitsTarget = memory !== undefined && memory <= targetMemory;
        score += 5 * hasEval + (fitsTarget ? 5 + 10 * largeness : 0);
      }
    }
    // A model made for the domain the user names outweighs the generic quality proxies (reported scores and
    // size, 15 at most), which favour general models that happen to publish benchmark numbers.
    if (entry.domainMatch) score += 20;
    if (entry.purpose) score += PURPOSE_POINTS[entry.purpose.fit];
    score += Math.min(12, 6 * entry.sharedWords.length);
    if (constraints.instructionTuned && INSTRUCTION_TUNED_ID.test(repo.id)) score += 8;
    score +=
      5 * entry.checks.filter((check) => check.constraint === "languages" && check.outcome === "pass").length;
    if (constraints.runsLocally && summary.runsLocally) score += 5;
    score += maxDownloads > 0 ? (10 * log(repo.downloads + 1)) / maxDownloads : 0;
    entry.score = Math.round(Math.max(0, score) * 10) / 10;
  }
}

function toCandidate(entry: Assessed, hardware: HardwareSpec): Candidate {
  const { summary } = entry;
  const confidence = entry.taskConfidence === null ? "" : `, confidence ${entry.taskConfidence}`;
  const reasons: string[] = [
    `does ${entry.task} (${entry.taskRank > 0 ? "another task that fits" : "the task asked for"}${confidence})`,
  ];
  for (const check of entry.checks) if (check.outcome === "pass") reasons.push(check.text);
  if (summary.parameters !== null) reasons.push(`${formatCount(summary.parameters)} parameters`);
  if (entry.latencyMs !== null) {
    reasons.push(
      `about ${formatMs(entry.latencyMs)} per request, estimated on ${hardware.name}` +
        (entry.costPer1k !== null ? ` (${formatUsd(entry.costPer1k)} per 1,000 requests)` : ""),
    );
  }
  const evals = summary.evalResults
    .filter((result) => !result.task || result.task === entry.task)
    .slice(0, 2);
  for (const result of evals)
    reasons.push(`reports ${result.value} ${result.metric} on ${result.dataset} (model card)`);
  if (entry.domainMatch) reasons.push(`named for the ${entry.domainMatch} domain`);
  if (entry.purpose && entry.purpose.fit !== "unknown") reasons.push(entry.purpose.reason);
  if (entry.sharedWords.length) {
    reasons.push(`its name or card shares the description's words: ${entry.sharedWords.join(", ")}`);
  }
  if (entry.repo.downloads > 0) reasons.push(`${formatCount(entry.repo.downloads)} downloads`);
  const unknowns = entry.checks.filter((check) => check.outcome === "unknown").map((check) => check.text);
  if (entry.purpose?.fit === "unknown") unknowns.push(entry.purpose.reason);
  if (summary.parameters === null) unknowns.push("unknown: parameter count, so size, speed and cost");
  if (summary.license === null) unknowns.push("unknown: licence");
  return {
    id: entry.repo.id,
    score: entry.score,
    task: entry.task,
    license: summary.license,
    parameters: summary.parameters,
    reasons: [...reasons, ...unknowns],
    unknowns,
  };
}

/**
 * Limits a higher-quality alternative may trade away to be larger. Hardware limits (memory, CPU only) and
 * licence and language constraints still hold.
 */
const SIZE_CONSTRAINTS = new Set(["maxSizeBytes", "maxParameters"]);

const RELATION_WORDS: Record<string, string> = {
  finetune: "a fine-tune of",
  adapter: "an adapter on",
  quantized: "a quantised version of",
  merge: "a merge including",
};

function alternatives(
  assessed: Assessed[],
  ranked: Assessed[],
  constraints: Constraints,
  hardware: HardwareSpec,
): Alternative[] {
  const top = ranked[0];
  // Alternatives do the same job as the top candidate: its task, the first one or (for a zero-shot top
  // candidate) another zero-shot model, with labels that fit the ask.
  const suits = (entry: Assessed) =>
    (entry.taskRank === 0 ||
      entry.task === top?.task ||
      (top?.purpose?.fit === "general" && entry.purpose?.fit === "general")) &&
    (entry.purpose === null || entry.purpose.fit === "matches" || entry.purpose.fit === "general");
  const primary = top ? assessed.filter(suits) : assessed.filter((entry) => entry.taskRank === 0);
  const feasiblePrimary = ranked.filter(suits);
  const out: Alternative[] = [];
  const none = (kind: Alternative["kind"], reason: string): Alternative => ({
    kind,
    id: null,
    reasons: [reason],
    relaxes: [],
  });
  if (!top) {
    const failures = (entry: Assessed) => entry.checks.filter((check) => check.outcome === "fail");
    const closest = [...primary].sort(
      (a, b) =>
        failures(a).length - failures(b).length ||
        (a.summary.parameters ?? Number.POSITIVE_INFINITY) -
          (b.summary.parameters ?? Number.POSITIVE_INFINITY) ||
        a.repo.id.localeCompare(b.repo.id),
    )[0];
    return [
      ...(closest
        ? [
            {
              kind: "closest" as const,
              id: closest.repo.id,
              reasons: [
                `misses ${countNoun(failures(closest).length, "constraint")}: ${failures(closest)
                  .map((check) => check.text)
                  .join("; ")}`,
                ...closest.checks.filter((check) => check.outcome === "pass").map((check) => check.text),
              ],
              relaxes: [...new Set(failures(closest).map((check) => check.constraint))],
            },
          ]
        : []),
      ...(["higher-quality", "lower-cost", "faster", "specialised"] as const).map((kind) =>
        none(kind, "no candidate meets every constraint to compare with"),
      ),
    ];
  }

  // Higher quality: may be larger than the limits allow, but keeps licence and language constraints.
  const qualityOf = (entry: Assessed) => {
    const evalValue = entry.summary.evalResults.find(
      (result) => !result.task || result.task === entry.task,
    )?.value;
    return [evalValue === undefined ? 0 : 1, entry.summary.parameters ?? 0] as const;
  };
  const better = (a: Assessed, b: Assessed) => {
    const [ea, pa] = qualityOf(a);
    const [eb, pb] = qualityOf(b);
    return ea - eb || pa - pb || b.repo.id.localeCompare(a.repo.id);
  };
  // Without a stated memory limit the target hardware is one: a model it cannot load even at INT4 is no option.
  const practicalMemory =
    hardware.kind === "CPU" ? CPU_MEMORY_BYTES : (hardware.memoryBytes ?? CPU_MEMORY_BYTES);
  const relaxable = primary.filter(
    (entry) =>
      entry !== top &&
      (!constraints.instructionTuned || INSTRUCTION_TUNED_ID.test(entry.repo.id)) &&
      (entry.summary.memory.INT4 ?? Number.POSITIVE_INFINITY) <= practicalMemory &&
      entry.checks.every((check) => check.outcome !== "fail" || SIZE_CONSTRAINTS.has(check.constraint)) &&
      better(entry, top) > 0,
  );
  const quality = relaxable.sort((a, b) => better(b, a))[0];
  if (quality) {
    const relaxes = quality.checks
      .filter((check) => check.outcome === "fail")
      .map((check) => check.constraint);
    out.push({
      kind: "higher-quality",
      id: quality.repo.id,
      reasons: [
        quality.summary.parameters !== null && top.summary.parameters !== null
          ? `larger: ${formatCount(quality.summary.parameters)} vs ${formatCount(top.summary.parameters)} parameters for ${top.repo.id}`
          : "larger or better evaluated than the top candidate",
        ...quality.summary.evalResults
          .slice(0, 1)
          .map((r) => `reports ${r.value} ${r.metric} on ${r.dataset}`),
        ...quality.checks
          .filter((check) => check.outcome === "fail")
          .map((check) => `trade-off: ${check.text}`),
      ],
      relaxes,
    });
  } else {
    out.push(
      none(
        "higher-quality",
        `${top.repo.id} is already the largest or best-evaluated model for the task that keeps the licence, language and hardware constraints`,
      ),
    );
  }

  // A chat asked for stays a chat: cheaper or faster alternatives are instruction-tuned too when any are.
  const chatPool = constraints.instructionTuned
    ? feasiblePrimary.filter((entry) => INSTRUCTION_TUNED_ID.test(entry.repo.id))
    : [];
  const pool = chatPool.length > 0 ? chatPool : feasiblePrimary;
  const cheapest = (key: (entry: Assessed) => number | null) =>
    pool
      .filter((entry) => entry !== top && key(entry) !== null && key(top) !== null && key(entry)! < key(top)!)
      .sort((a, b) => key(a)! - key(b)! || a.repo.id.localeCompare(b.repo.id))[0];
  const lowerCost = cheapest((entry) => entry.costPer1k);
  out.push(
    lowerCost
      ? {
          kind: "lower-cost",
          id: lowerCost.repo.id,
          reasons: [
            `${formatUsd(lowerCost.costPer1k!)} vs ${formatUsd(top.costPer1k!)} per 1,000 requests (estimated on ${hardware.name})`,
            `meets every constraint; ${formatCount(lowerCost.summary.parameters!)} parameters`,
          ],
          relaxes: [],
        }
      : none(
          "lower-cost",
          `${top.repo.id} is already the cheapest model that meets every constraint (or costs are unknown)`,
        ),
  );
  const faster = cheapest((entry) => entry.latencyMs);
  out.push(
    faster
      ? {
          kind: "faster",
          id: faster.repo.id,
          reasons: [
            `about ${formatMs(faster.latencyMs!)} vs ${formatMs(top.latencyMs!)} per request (estimated on ${hardware.name})`,
            "meets every constraint",
          ],
          relaxes: [],
        }
      : none(
          "faster",
          `${top.repo.id} is already the fastest model that meets every constraint (or speeds are unknown)`,
        ),
  );

  // Specialised: a domain fine-tune, a fine-tune of the top candidate, or a single-language model.
  const specialised =
    feasiblePrimary.find((entry) => entry !== top && entry.domainMatch) ??
    feasiblePrimary.find((entry) => entry !== top && entry.summary.baseModels.includes(top.repo.id)) ??
    feasiblePrimary.find((entry) => entry !== top && entry.purpose?.fit === "matches") ??
    (constraints.languages.length === 1
      ? feasiblePrimary.find(
          (entry) =>
            entry !== top &&
            entry.summary.languages.length === 1 &&
            entry.summary.languages[0] === constraints.languages[0],
        )
      : undefined);
  out.push(
    specialised
      ? {
          kind: "specialised",
          id: specialised.repo.id,
          reasons: [
            specialised.domainMatch
              ? `named for the ${specialised.domainMatch} domain`
              : specialised.summary.baseModels.includes(top.repo.id)
                ? `${RELATION_WORDS[specialised.summary.baseRelation ?? "finetune"]} ${top.repo.id}`
                : specialised.purpose?.fit === "matches"
                  ? specialised.purpose.reason
                  : `made for ${constraints.languages[0]} only`,
            "meets every constraint",
          ],
          relaxes: [],
        }
      : none(
          "specialised",
          constraints.domains.length
            ? `no model named for ${constraints.domains.join(", ")} meets the constraints`
            : "no domain named in the description, and no fine-tune of the top candidate meets the constraints",
        ),
  );
  return out;
}
