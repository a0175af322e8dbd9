import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Constraints } from "../../src/discovery/recommend/parse-description.ts";

/** A described need from test/fixtures/recommend-cases.json, with the tasks and constraints it should read as. */
export interface RecommendCase {
  description: string;
  /** The first tasks of the answer, in order. */
  tasks: string[];
  /** Constraints that are set; every other constraint must keep its empty value. */
  constraints: Partial<Constraints>;
}

export const recommendCases = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "fixtures", "recommend-cases.json"), "utf8"),
) as RecommendCase[];

/** Constraints as parseDescription gives them when the description sets none. */
export const EMPTY_CONSTRAINTS: Constraints = {
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
