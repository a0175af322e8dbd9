import { formatCount, formatMs, formatUsd } from "../compare/format.ts";
import type { HardwareSpec } from "../compare/hardware.ts";
import { INSTRUCTION_TUNED_ID } from "./lexicon.ts";
import { type Constraints, CPU_MEMORY_BYTES } from "./parse-description.ts";
import { PURPOSE_POINTS } from "./purpose-fit.ts";
import type { Assessed, Candidate } from "./recommend-types.ts";

/** Words too common in descriptions to say anything about a model. */
const STOPWORDS = new Set(
  (
    "about above after again against allow allowed allows because before being below between cheap cheapest " +
    "commercial commercially could every faster fewer from highest larger least licence license locally model " +
    "models needs offline option other please possible quality running should small smaller their there these " +
    "those under using where which while without would written accuracy accurate parameters"
  ).split(" "),
);

export function contentWords(text: string): string[] {
  const words = text.toLowerCase().match(/[a-z][a-z0-9]+/g) ?? [];
  return [...new Set(words.filter((word) => word.length >= 5 && !STOPWORDS.has(word)))];
}

/** Description words found in the model's text, as whole words or sharing a 5+ letter prefix (emotion/emotions). */
export function sharedWords(words: string[], modelText: string): string[] {
  const modelWords = modelText.toLowerCase().match(/[a-z][a-z0-9]+/g) ?? [];
  return words.filter((word) =>
    modelWords.some((other) => other.length >= 5 && (other.startsWith(word) || word.startsWith(other))),
  );
}

const log = (value: number) => Math.log10(Math.max(1, value));

export function scoreAll(entries: Assessed[], constraints: Constraints, hardware: HardwareSpec): void {
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

export function toCandidate(entry: Assessed, hardware: HardwareSpec): Candidate {
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
