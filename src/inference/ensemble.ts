import { HangarError } from "../core/errors.ts";

/**
 * How an ensemble combines its models' answers (classification tasks: lists of `{label, score}`). One
 * implementation for both places ensembles are used: a pipeline step (`ensemble:`) and a route policy
 * (`policy: majority | weighted-average | cascade`, the route's deployments being the members).
 */
export interface EnsembleDefinition {
  method: EnsembleMethod;
  /** In order: for a cascade, the cheap model first. */
  models: Array<{ model: string; revision?: string; weight?: number }>;
  /** Cascade: a stage answers when its best score reaches this (default 0.9); the last stage always answers. */
  threshold?: number;
}

export interface LabelScore {
  label: string;
  score: number;
}

/** What an ensemble answers: the combined labels, and what the ensemble added. */
export interface EnsembleOutput {
  labels: LabelScore[];
  /** Share of the models (by weight) whose best label is the answer's. */
  agreement: number;
  /** Cascade: the model that answered, and its 1-based stage; the others: "majority" or "weighted". */
  answered_by: string;
  stage: number | null;
  members: Array<{ model: string; label: string; score: number }>;
}

/** What an answer reports of its ensemble, next to the combined labels. */
export type EnsembleReport = Omit<EnsembleOutput, "labels"> & { method: EnsembleMethod };

export const ENSEMBLE_METHODS = ["majority", "weighted", "cascade"] as const;
export type EnsembleMethod = (typeof ENSEMBLE_METHODS)[number];
export const DEFAULT_CASCADE_THRESHOLD = 0.9;

function labelsOf(output: unknown, model: string): LabelScore[] {
  const list = Array.isArray(output) && Array.isArray(output[0]) ? output[0] : output;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((entry) => typeof entry?.label === "string" && typeof entry?.score === "number")
  ) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Ensemble member ${model} did not answer a list of {label, score}`,
    );
  }
  return [...(list as LabelScore[])].sort((a, b) => b.score - a.score);
}

/** Whether a cascade stops at this answer. */
export function cascadeStops(output: unknown, model: string, threshold: number): boolean {
  return labelsOf(output, model)[0]!.score >= threshold;
}

/**
 * Runs an ensemble with `call` answering for one member: every member at once (majority, weighted), or a
 * cascade's stages in order until one is confident enough (the last one always answers).
 */
export async function runEnsemble(
  ensemble: EnsembleDefinition,
  call: (member: EnsembleDefinition["models"][number], index: number) => Promise<unknown>,
): Promise<EnsembleOutput> {
  const answers: Array<{ model: string; output: unknown }> = [];
  if (ensemble.method === "cascade") {
    for (const [index, member] of ensemble.models.entries()) {
      const output = await call(member, index);
      answers.push({ model: member.model, output });
      const last = index === ensemble.models.length - 1;
      if (last || cascadeStops(output, member.model, ensemble.threshold ?? DEFAULT_CASCADE_THRESHOLD)) break;
    }
  } else {
    const outputs = await Promise.all(ensemble.models.map((member, index) => call(member, index)));
    for (const [index, output] of outputs.entries()) {
      answers.push({ model: ensemble.models[index]!.model, output });
    }
  }
  return combineAnswers(ensemble, answers);
}

/**
 * Combines the answers of the models that ran (for a cascade, the stages run so far, the last one answering):
 * majority of best labels (ties to the higher mean score), weighted mean of each label's score, or the
 * cascade's last stage.
 */
export function combineAnswers(
  ensemble: EnsembleDefinition,
  answers: Array<{ model: string; output: unknown }>,
): EnsembleOutput {
  // Answers come in the members' order (a cascade's: the stages run so far), so weights go by position:
  // two members may name the same model (a route's deployments of one model on two servers).
  const weights = answers.map((_, index) => ensemble.models[index]?.weight ?? 1);
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const labelled = answers.map((answer) => ({
    model: answer.model,
    labels: labelsOf(answer.output, answer.model),
  }));
  const members = labelled.map(({ model, labels }) => ({
    model,
    label: labels[0]!.label,
    score: labels[0]!.score,
  }));
  const agreementOn = (label: string) =>
    members.reduce((sum, member, index) => sum + (member.label === label ? weights[index]! : 0), 0) /
    totalWeight;
  if (ensemble.method === "cascade") {
    const last = labelled.at(-1)!;
    return {
      labels: last.labels,
      agreement: agreementOn(last.labels[0]!.label),
      answered_by: last.model,
      stage: labelled.length,
      members,
    };
  }
  let labels: LabelScore[];
  if (ensemble.method === "majority") {
    const votes = new Map<string, { votes: number; scoreSum: number }>();
    members.forEach((member, index) => {
      const entry = votes.get(member.label) ?? { votes: 0, scoreSum: 0 };
      entry.votes += weights[index]!;
      entry.scoreSum += member.score;
      votes.set(member.label, entry);
    });
    labels = [...votes.entries()]
      .sort(([, a], [, b]) => b.votes - a.votes || b.scoreSum / b.votes - a.scoreSum / a.votes)
      .map(([label, entry]) => ({ label, score: entry.votes / totalWeight }));
  } else {
    const sums = new Map<string, number>();
    labelled.forEach(({ labels: memberLabels }, index) => {
      for (const { label, score } of memberLabels)
        sums.set(label, (sums.get(label) ?? 0) + score * weights[index]!);
    });
    labels = [...sums.entries()]
      .map(([label, sum]) => ({ label, score: sum / totalWeight }))
      .sort((a, b) => b.score - a.score);
  }
  return {
    labels,
    agreement: agreementOn(labels[0]!.label),
    answered_by: ensemble.method,
    stage: null,
    members,
  };
}
