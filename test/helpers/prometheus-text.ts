/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Metric family name -> its TYPE. */
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (\\S+)(?: (-?\\d+))?$`);
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?inf|nan)$/i;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/**
 * Parses the Prometheus text format (version 0.0.4) strictly: every line must be a HELP or TYPE comment or
 * a sample with well-formed name, labels and value, and every sample must belong to a family with a TYPE
 * (its own name, or the family's with `_bucket`, `_sum`, `_count`, `_total`). Throws on the first bad line.
 */
export function parsePrometheusText(text: string): Exposition {
  const exposition: Exposition = { types: new Map(), help: new Map(), samples: [] };
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const lines = text.slice(0, -1).split("\n");
  for (const [index, line] of lines.entries()) {
    const where = `line ${index + 1}: ${line}`;
    if (line === "") continue;
    if (line.startsWith("#")) {
      const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!comment) {
        if (/^# (HELP|TYPE)/.test(line)) throw new Error(`malformed comment, ${where}`);
        continue;
      }
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`bad metric name, ${where}`);
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`unknown type, ${where}`);
        if (exposition.types.has(name)) throw new Error(`TYPE given twice, ${where}`);
        exposition.types.set(name, rest);
      } else exposition.help.set(name, rest);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`malformed sample, ${where}`);
    const name = match[1]!;
    const value = match.at(-2)!;
    if (!VALUE.test(value)) throw new Error(`bad value, ${where}`);
    const labels: Record<string, string> = {};
    const labelText = match[2] ?? "";
    for (const pair of labelText.matchAll(new RegExp(LABEL, "g"))) {
      if (pair[1]! in labels) throw new Error(`label given twice, ${where}`);
      labels[pair[1]!] = pair[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    const family = [name, name.replace(/_(bucket|sum|count|total)$/, "")].find((candidate) =>
      exposition.types.has(candidate),
    );
    if (!family) throw new Error(`sample without a TYPE, ${where}`);
    if (name.endsWith("_bucket") && exposition.types.get(family) === "histogram" && !("le" in labels)) {
      throw new Error(`histogram bucket without le, ${where}`);
    }
    exposition.samples.push({ name, labels, value: Number(value.replace(/Inf$/, "Infinity")) });
  }
  return exposition;
}

/** The value of the sample with this name whose labels include `labels`; 0 when there is none. */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  const sample = exposition.samples.find(
    (candidate) =>
      candidate.name === name &&
      Object.entries(labels).every(([key, value]) => candidate.labels[key] === value),
  );
  return sample?.value ?? 0;
}
