import { join } from "node:path";
import { badRequest } from "../../core/errors.ts";
import type { Repo } from "../../core/types.ts";
import { parseRepoId } from "../../core/validate.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import { defaultTokensPerRequest, estimatePerformance } from "../compare/estimate-performance.ts";
import {
  DEFAULT_CPU,
  DEFAULT_GPU,
  findHardware,
  type HardwareSpec,
  hourlyPrice,
} from "../compare/hardware.ts";
import { costFromLatency, summaryForRepo } from "../compare/model-profile.ts";
import { searchModels } from "../search-models.ts";
import { alternatives } from "./alternatives.ts";
import { checkConstraints } from "./check-constraints.ts";
import { DOMAINS } from "./lexicon.ts";
import { type Constraints, type ParsedDescription, parseDescription } from "./parse-description.ts";
import { askedCriterion, purposeFit } from "./purpose-fit.ts";
import { LOW_CONFIDENCE } from "./recognise-tasks.ts";
import type { Assessed, Recommendation } from "./recommend-types.ts";
import { contentWords, scoreAll, sharedWords, toCandidate } from "./score-candidates.ts";
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

export type { Alternative, Candidate, Recommendation } from "./recommend-types.ts";

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
