import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import { formatBytes, formatCount } from "../../discovery/compare/format.ts";
import type { Constraints } from "../../discovery/recommend/parse-description.ts";
import {
  DEFAULT_RECOMMEND_LIMIT,
  type Recommendation,
  recommendModels,
} from "../../discovery/recommend/recommend-models.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import type { Command } from "../command.ts";
import { askHomeServer, emptyHomeHint, servedByHome, withLocalHome, writeJson } from "./local-home.ts";

/** The constraints that are set, one short phrase each. */
export function describeConstraints(constraints: Constraints): string[] {
  const parts: string[] = [];
  if (constraints.classifyBy) parts.push(`classify by ${constraints.classifyBy}`);
  if (constraints.labels.length) parts.push(`labels ${constraints.labels.join(", ")}`);
  if (constraints.languages.length) parts.push(`languages ${constraints.languages.join(", ")}`);
  if (constraints.multilingual) parts.push("multilingual");
  if (constraints.commercialUse) parts.push("commercial use allowed");
  if (constraints.licenseFamily) parts.push(`${constraints.licenseFamily} licence`);
  if (constraints.licenses.length) parts.push(`licence ${constraints.licenses.join(" or ")}`);
  if (constraints.maxSizeBytes !== null) parts.push(`size ≤ ${formatBytes(constraints.maxSizeBytes)}`);
  if (constraints.maxParameters !== null)
    parts.push(`≤ ${formatCount(constraints.maxParameters)} parameters`);
  if (constraints.cpuOnly) parts.push("CPU only");
  if (constraints.gpuMemoryBytes !== null)
    parts.push(`GPU memory ${formatBytes(constraints.gpuMemoryBytes)}`);
  if (constraints.maxMemoryBytes !== null)
    parts.push(`device memory ${formatBytes(constraints.maxMemoryBytes)}`);
  if (constraints.device) parts.push(`on ${constraints.device}`);
  if (constraints.runsLocally) parts.push("runs locally");
  if (constraints.latency) parts.push(`latency ${constraints.latency}`);
  if (constraints.priority) parts.push(`priority ${constraints.priority}`);
  if (constraints.domains.length) parts.push(`domain ${constraints.domains.join(", ")}`);
  if (constraints.instructionTuned) parts.push("instruction-tuned");
  return parts;
}

/** "automatic-speech-recognition (0.97)": a task with its confidence when the model ranked it. */
function taskWithConfidence(result: Recommendation, task: string): string {
  const confidence = result.taskConfidences.find((entry) => entry.task === task)?.confidence;
  return confidence === undefined ? task : `${task} (${confidence})`;
}

export function writeRecommendation(stdout: NodeJS.WritableStream, result: Recommendation): void {
  stdout.write(`Tasks:       ${result.tasks.map((task) => taskWithConfidence(result, task)).join(", ")}\n`);
  if (result.lowConfidence) {
    stdout.write("Not sure:    the description could mean any of these tasks; name the one you mean:\n");
    for (const choice of result.choices) {
      stdout.write(`  - ${choice.task} (${choice.confidence}): ${choice.summary}\n`);
    }
  }
  stdout.write(`Constraints: ${describeConstraints(result.constraints).join("; ") || "none"}\n`);
  if (result.triggers.length) {
    stdout.write(
      `Read from:   ${result.triggers.map((trigger) => `"${trigger.phrase}" → ${trigger.means}`).join("; ")}\n`,
    );
  }
  stdout.write(
    `Estimates on ${result.hardware.name}${result.hardware.assumed ? " (assumed)" : ""}; ${countNoun(result.considered, "model")} considered\n`,
  );
  stdout.write("\nCandidates\n");
  if (result.candidates.length === 0) stdout.write("  none\n");
  result.candidates.forEach((candidate, index) => {
    stdout.write(`  ${index + 1}. ${candidate.id}  (score ${candidate.score})\n`);
    for (const reason of candidate.reasons) stdout.write(`       - ${reason}\n`);
  });
  stdout.write("\nAlternatives\n");
  for (const alternative of result.alternatives) {
    stdout.write(`  ${alternative.kind}: ${alternative.id ?? "none"}\n`);
    for (const reason of alternative.reasons) stdout.write(`       - ${reason}\n`);
  }
  for (const note of result.notes) stdout.write(`\nNote: ${note}\n`);
}

export const recommendCommand: Command = {
  name: ["recommend"],
  summary: "Recommend models from a plain-language description of the job and its constraints",
  usage: '"<description>"',
  usesHome: true,
  options: {
    limit: {
      type: "string",
      description: `How many candidates (default ${DEFAULT_RECOMMEND_LIMIT})`,
      valueName: "N",
    },
  },
  async run({ positionals, values, config, json, stdout }) {
    const description = positionals.join(" ");
    if (description.trim() === "") {
      throw badRequest('Usage: hangar recommend "<description>" [--limit N] [--json]');
    }
    let limit: number | undefined;
    if (values.limit !== undefined) {
      limit = Number(values.limit);
      if (!Number.isInteger(limit)) throw badRequest("--limit must be a whole number");
    }
    const body = { description, ...(limit !== undefined ? { limit } : {}) };
    // A server on this home has its index warm; otherwise the home's index (its snapshot, or a build).
    const answer =
      (await askHomeServer<Recommendation>(config, "POST", "/v1/recommend", body)) ??
      (await withLocalHome(config, async (hangar) => ({
        result: await recommendModels(hangar, localAdministrator(), body),
        served: await servedByHome(hangar),
      })));
    const result = answer.result;
    if (json) writeJson(stdout, { ...result, served: answer.served });
    else {
      writeRecommendation(stdout, result);
      const hint = emptyHomeHint(answer.served);
      if (hint !== null) stdout.write(`\n${hint}\n`);
    }
  },
};
