import type { Repo } from "../../core/types.ts";
import type { ModelSummary } from "../../hub/read/model-summary.ts";
import type { Constraints, Trigger } from "./parse-description.ts";
import type { PurposeFit } from "./purpose-fit.ts";
import type { TaskChoice, TaskConfidence } from "./recognise-tasks.ts";

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

export type Outcome = "pass" | "fail" | "unknown";
export interface Check {
  constraint: string;
  outcome: Outcome;
  text: string;
}

export interface Assessed {
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
