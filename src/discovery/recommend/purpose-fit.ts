import { askedPurpose, GENERAL_CLASSIFIER_WORDS, PURPOSES, type Purpose } from "./lexicon.ts";
import type { Constraints, ParsedDescription } from "./parse-description.ts";

/**
 * What the description classifies by: a fixed purpose models are trained for (sentiment, language), or a
 * criterion of the user's own (urgency, their topics) that only general models can take.
 */
export interface AskedCriterion {
  purpose: Purpose | null;
  /** The user's own labels, as the reasons name them ("urgency levels", "billing, technical or other"). */
  own: string | null;
}

export interface PurposeFit {
  fit: "matches" | "differs" | "general" | "unknown";
  reason: string;
}

export const PURPOSE_POINTS: Record<PurposeFit["fit"], number> = {
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

export function askedCriterion(parsed: ParsedDescription, description: string): AskedCriterion | null {
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
export function purposeFit(asked: AskedCriterion, task: string, modelText: string): PurposeFit | null {
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
