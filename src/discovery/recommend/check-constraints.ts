import { OPEN_SOURCE_LICENSES, PERMISSIVE_LICENSES } from "../../hub/metadata/licenses.ts";
import type { ModelSummary } from "../../hub/read/model-summary.ts";
import { formatBytes, formatCount } from "../compare/format.ts";
import { type Constraints, CPU_MEMORY_BYTES } from "./parse-description.ts";
import type { Check } from "./recommend-types.ts";

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

export function checkConstraints(summary: ModelSummary, constraints: Constraints): Check[] {
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
