import { countNoun } from "../../core/count-noun.ts";
import { formatCount, formatMs, formatUsd } from "../compare/format.ts";
import type { HardwareSpec } from "../compare/hardware.ts";
import { INSTRUCTION_TUNED_ID } from "./lexicon.ts";
import { type Constraints, CPU_MEMORY_BYTES } from "./parse-description.ts";
import type { Alternative, Assessed } from "./recommend-types.ts";

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

export function alternatives(
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
