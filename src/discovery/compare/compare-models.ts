import { badRequest, HangarError } from "../../core/errors.ts";
import type { Repo } from "../../core/types.ts";
import { parseRepoId } from "../../core/validate.ts";
import { canRead } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import { validateCriteria } from "./compare-options.ts";
import {
  type CompareParams,
  type Comparison,
  DEFAULT_WEIGHTS,
  MAX_COMPARED_MODELS,
  type ModelComparison,
  WEIGHT_NAMES,
  type WeightName,
} from "./comparison.ts";
import { decide } from "./decide.ts";
import { defaultTokensPerRequest, ESTIMATE_FORMULAS } from "./estimate-performance.ts";
import { formatBytes } from "./format.ts";
import {
  DEFAULT_CPU,
  DEFAULT_GPU,
  findHardware,
  type HardwareSpec,
  type HourlyPrice,
  hourlyPrice,
  type LocalCpu,
  localCpu,
} from "./hardware.ts";
import {
  type CostFigures,
  costFromLatency,
  estimatedSpeed,
  hardwareFit,
  measuredEvaluations,
  measuredLatency,
  measuredSpeed,
  summaryForRepo,
} from "./model-profile.ts";
import { chooseMeasuredBasis, chooseQualityBasis, qualityAssumption, qualityView } from "./quality-basis.ts";
import { pairwiseDeltas, scoreModels } from "./score-models.ts";

export * from "./comparison.ts";

/** The tag the model factory puts on the demonstration models it makes (`src/factory/model-card.ts`). */
const FACTORY_TAG = "hangar-factory";

/** The repos named, or one error naming every id Hangar does not know (or the caller may not read). */
async function resolveModels(hub: HubContext, caller: Caller, ids: string[]): Promise<Repo[]> {
  const unknown: string[] = [];
  const repos: Repo[] = [];
  for (const id of ids) {
    const ref = parseRepoId(id);
    const repo = await hub.catalog.repos.get(ref);
    if (!repo || !canRead(caller, repo)) unknown.push(id);
    else repos.push(repo);
  }
  if (unknown.length > 0) {
    throw new HangarError(
      "HANGAR_ERR_REPO_NOT_FOUND",
      `Hangar does not know ${unknown.length === 1 ? "this model" : "these models"}: ${unknown.join(", ")}`,
      { details: { unknownModels: unknown } },
    );
  }
  return repos;
}

/**
 * The hourly price measured latency is costed at. The latency was measured on this machine's CPU, so it is
 * priced as that CPU (its SKUS entry, or DEFAULT_CPU when the OS name does not identify one), or at the
 * price the user gave; never at the hardware of the criteria, which did not run the requests.
 */
function measuredMachinePrice(machine: LocalCpu, userPrice: number | undefined): HourlyPrice | null {
  const where = machine.identified
    ? `latency measured on this machine (${machine.model}, ${machine.cores} cores)`
    : `latency measured on this machine (${machine.model}, ${machine.cores} cores; not identified in the SKUS table, so priced as ${DEFAULT_CPU}, Hangar's default CPU)`;
  const price = hourlyPrice(machine.pricedAs, userPrice);
  return price ? { ...price, note: `${where}: ${price.note}` } : null;
}

/**
 * Compares models side by side and picks the best for speed, quality, cost and overall under the weights.
 * Deterministic: the same catalog and criteria give the same answer. Every estimated figure says so.
 */
export async function compareModels(
  hub: HubContext,
  caller: Caller,
  params: CompareParams,
): Promise<Comparison> {
  const ids = params.models;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
    throw badRequest("models must be a list of model ids");
  }
  if (ids.length < 2) throw badRequest(`Compare needs at least 2 models, got ${ids.length}`);
  if (ids.length > MAX_COMPARED_MODELS) {
    throw badRequest(`Compare takes at most ${MAX_COMPARED_MODELS} models, got ${ids.length}`);
  }
  const lowered = ids.map((id) => id.toLowerCase());
  const duplicate = ids.find((_, index) => lowered.indexOf(lowered[index]!) !== index);
  if (duplicate) throw badRequest(`Model "${duplicate}" is listed twice`);
  const criteria = params.criteria ?? {};
  validateCriteria(criteria);

  const repos = await resolveModels(hub, caller, ids);
  const hardware: HardwareSpec = findHardware(criteria.hardware ?? DEFAULT_GPU);
  const dtype = criteria.dtype?.toUpperCase() ?? (hardware.kind === "CPU" ? "F32" : "F16");
  const weights: Record<WeightName, number> = { ...DEFAULT_WEIGHTS };
  if (criteria.weights) {
    for (const name of WEIGHT_NAMES) weights[name] = criteria.weights[name] ?? 0;
  }
  const task = criteria.task ?? null;
  const price = hourlyPrice(hardware, criteria.pricePerHour);

  const summaries = await Promise.all(repos.map((repo) => summaryForRepo(hub, repo)));
  const firstTask = task ?? summaries.find((summary) => summary.tasks[0])?.tasks[0] ?? null;
  const tokensPerRequest = criteria.tokensPerRequest ?? defaultTokensPerRequest(firstTask);
  const measured = await Promise.all(repos.map((repo) => measuredLatency(hub, repo.id)));
  // Measured and estimated latencies come from different machines: mix them and the ranking means nothing.
  const speedBasis = measured.every((entry) => entry !== null) ? "measured" : "estimated";
  const machine = speedBasis === "measured" ? localCpu() : null;
  const costPrice = machine ? measuredMachinePrice(machine, criteria.pricePerHour) : price;

  const models = await Promise.all(
    repos.map(async (repo, index): Promise<ModelComparison> => {
      const summary = summaries[index]!;
      const notes: string[] = [];
      const taskFit = task === null || summary.tasks.length === 0 ? null : summary.tasks.includes(task);
      const fit = hardwareFit(summary, hardware, dtype);
      const measurement = measured[index]!;
      const speed =
        speedBasis === "measured" && measurement
          ? measuredSpeed(measurement)
          : estimatedSpeed({ parameters: summary.parameters, hardware, tokensPerRequest, task: firstTask });
      let cost: CostFigures;
      if (criteria.provider) {
        const provider = criteria.provider;
        const per1k =
          provider.pricePer1kRequests ??
          ((provider.pricePerMillionTokens ?? 0) * tokensPerRequest * 1000) / 1_000_000;
        cost = {
          per1kRequestsUsd: per1k,
          perMonthUsd: criteria.requestsPerMonth ? (per1k * criteria.requestsPerMonth) / 1000 : null,
          basis: "provider-price",
          note: `${provider.name} at the price given`,
        };
      } else {
        cost = costFromLatency(speed.latencyMs, costPrice, criteria.requestsPerMonth);
      }
      if (taskFit === false) notes.push(`does not do ${task} (its tasks: ${summary.tasks.join(", ")})`);
      if (fit.fits === false) {
        notes.push(
          `needs ${formatBytes(fit.memoryBytes!)} at ${dtype}, more than the ${formatBytes(hardware.memoryBytes!)} of a ${hardware.name}`,
        );
      }
      if (summary.parameters === null)
        notes.push("parameter count unknown: size, speed and cost are unknown");
      if (summary.commercialUse === null) notes.push("licence unknown or not recognised: read it before use");
      if (repo.tags.includes(FACTORY_TAG)) {
        notes.push(
          "a small demonstration model made by Hangar's model factory: its card says what it cannot do, and its " +
            "scores are on the project's own test sentences",
        );
      }
      return {
        id: repo.id,
        origin: summary.origin,
        tasks: summary.tasks,
        taskFit,
        parameters: summary.parameters,
        storageBytes: summary.storageBytes,
        memory: summary.memory,
        hardwareFit: fit,
        license: summary.license,
        commercialUse: summary.commercialUse,
        languages: summary.languages,
        evaluations: { reported: summary.evalResults, measured: await measuredEvaluations(hub, repo) },
        measuredLatency: measurement,
        speed,
        cost,
        scores: { speed: null, quality: null, cost: null, size: null, overall: null },
        eligible: taskFit !== false && fit.fits !== false,
        notes,
      };
    }),
  );

  const quality = chooseQualityBasis(
    models.map((model) => model.id),
    models.map((model) => model.evaluations.reported),
    task,
  );
  const measuredQuality = chooseMeasuredBasis(
    models.map((model) => model.id),
    models.map((model) => model.evaluations.measured),
    task,
  );
  const view = qualityView(models, measuredQuality, quality);
  scoreModels(models, view, weights);
  const decision = decide({ models, quality: view, weights, hardware, speedBasis });
  return {
    criteria: {
      task,
      hardware: {
        name: hardware.name,
        kind: hardware.kind,
        tflops: hardware.tflops,
        memoryBytes: hardware.memoryBytes,
        assumed: criteria.hardware === undefined,
      },
      dtype,
      weights,
      tokensPerRequest,
      requestsPerMonth: criteria.requestsPerMonth ?? null,
      price: costPrice
        ? { usdPerHour: costPrice.usdPerHour, basis: costPrice.basis, note: costPrice.note }
        : { usdPerHour: null, basis: null, note: `no price known for ${hardware.name}` },
      provider: criteria.provider ?? null,
      measuredOn: machine
        ? {
            cpu: machine.model,
            cores: machine.cores,
            pricedAs: machine.pricedAs.name,
            identified: machine.identified !== null,
          }
        : null,
    },
    speedBasis: models.some((model) => model.speed.latencyMs !== null) ? speedBasis : null,
    qualityBasis: view?.source ?? null,
    quality,
    measuredQuality,
    assumptions: [
      ...ESTIMATE_FORMULAS,
      ...(machine && !criteria.provider
        ? [
            `cost of measured latency = the hourly price of the machine that measured it, not of ${hardware.name}: ${costPrice?.note ?? "unknown"}`,
          ]
        : []),
      "memory = parameters × bytes per parameter (F32 4, F16 2, INT8 1, INT4 0.5) × 1.2 overhead",
      qualityAssumption(view, measuredQuality, models),
      "scores: per criterion 1 = best of these models, 0 = worst, linear between, null where unknown; overall = mean " +
        "weighted by the weights, null when a criterion it weighs is unknown for the model; a best pick needs " +
        "the value of every model it is chosen among",
    ],
    models,
    pairwise: pairwiseDeltas(models),
    decision,
  };
}
