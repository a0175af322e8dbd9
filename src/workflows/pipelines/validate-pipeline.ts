import { HangarError } from "../../core/errors.ts";
import type { PipelineDefinition } from "./definition.ts";
import { parseReference, referencesIn, wholeReference } from "./references.ts";
import { describeType, fits, INPUT_TYPES, list, TASK_TYPES, type ValueType } from "./value-types.ts";

/** Tasks an ensemble step combines: those that answer a list of `{label, score}`. */
const ENSEMBLE_TASKS = new Set(["text-classification"]);

const LABEL_SCORES = list({ kind: "object", fields: { label: { kind: "text" }, score: { kind: "number" } } });
const ENSEMBLE_OUTPUT: ValueType = {
  kind: "object",
  fields: {
    labels: LABEL_SCORES,
    agreement: { kind: "number" },
    answered_by: { kind: "text" },
    stage: { kind: "any" },
    members: list({
      kind: "object",
      fields: { model: { kind: "text" }, label: { kind: "text" }, score: { kind: "number" } },
    }),
  },
};

export interface PipelineProblem {
  /** Where: `steps.sentiment.inputs`, `outputs.lines`... */
  field: string;
  message: string;
}

export interface ValidatedPipeline {
  definition: PipelineDefinition;
  /** Steps in an order where each comes after the steps it reads. */
  order: string[];
  /** Per step, the steps it reads. */
  dependsOn: Record<string, string[]>;
  /** Per step, the type of its output. */
  outputTypes: Record<string, ValueType>;
}

/** The type a path reaches from `type`, or why it reaches nothing. */
function navigate(type: ValueType, path: readonly string[], shown: string): ValueType | string {
  let current = type;
  for (const segment of path) {
    if (current.kind === "any") return current;
    if (current.kind === "list") {
      if (/^\d+$/.test(segment)) {
        current = current.of;
        continue;
      }
      const inner = navigate(current.of, [segment], shown);
      if (typeof inner === "string") return inner;
      current = list(inner);
      continue;
    }
    if (current.kind === "object") {
      const field = current.fields[segment];
      if (!field) {
        return `${shown}: no field "${segment}" (there are: ${Object.keys(current.fields).join(", ")})`;
      }
      current = field;
      continue;
    }
    return `${shown}: "${segment}" cannot be read from a ${describeType(current)}`;
  }
  return current;
}

/**
 * Checks a pipeline before anything runs: input types, tasks, that every reference names an input or an
 * earlier step and a field its type has, that each step's inputs are of a type its task takes, fan-outs
 * over lists, no cycles. Throws one 400 listing every problem, each naming the step and the field.
 */
export function validatePipeline(definition: PipelineDefinition): ValidatedPipeline {
  const problems: PipelineProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  const inputTypes: Record<string, ValueType> = {};
  for (const [name, type] of Object.entries(definition.inputs)) {
    const known = INPUT_TYPES[type];
    if (known) inputTypes[name] = known;
    else problem(`inputs.${name}`, `unknown type "${type}" (types: ${Object.keys(INPUT_TYPES).join(", ")})`);
  }
  const stepIds = Object.keys(definition.steps);
  const dependsOn: Record<string, string[]> = {};
  for (const id of stepIds) {
    const step = definition.steps[id]!;
    const used = [
      ...referencesIn(step.inputs),
      ...referencesIn(step.parameters ?? {}),
      ...(step.for_each ? referencesIn(step.for_each) : []),
      ...(step.when ? referencesIn(step.when.value) : []),
    ];
    const needs = new Set<string>();
    for (const text of used) {
      const reference = parseReference(text);
      if (typeof reference === "string") problem(`steps.${id}`, reference);
      else if (reference.root === "steps") {
        if (reference.name === id) problem(`steps.${id}`, `\${${text}} reads the step's own output`);
        else if (!definition.steps[reference.name]) {
          problem(`steps.${id}`, `\${${text}} names no step (steps: ${stepIds.join(", ")})`);
        } else needs.add(reference.name);
      }
    }
    dependsOn[id] = [...needs];
    if (!TASK_TYPES[step.task]) {
      problem(
        `steps.${id}.task`,
        `unknown task "${step.task}" (tasks: ${Object.keys(TASK_TYPES).join(", ")})`,
      );
    }
  }
  // Kahn's order; what is left over sits on a cycle.
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < stepIds.length) {
    const ready = stepIds.filter((id) => !placed.has(id) && dependsOn[id]!.every((need) => placed.has(need)));
    if (ready.length === 0) {
      const cycle = stepIds.filter((id) => !placed.has(id));
      problem("steps", `these steps read each other in a cycle: ${cycle.join(", ")}`);
      break;
    }
    for (const id of ready) {
      placed.add(id);
      order.push(id);
    }
  }
  const outputTypes: Record<string, ValueType> = {};
  const typeOf = (text: string, field: string, itemType: ValueType | undefined): ValueType | undefined => {
    const reference = parseReference(text);
    if (typeof reference === "string") return undefined;
    let base: ValueType | undefined;
    if (reference.root === "inputs") {
      base = inputTypes[reference.name];
      if (!base && definition.inputs[reference.name] === undefined) {
        problem(
          field,
          `\${${text}} names no input (inputs: ${Object.keys(definition.inputs).join(", ") || "none"})`,
        );
      }
    } else if (reference.root === "steps") base = outputTypes[reference.name];
    else if (itemType) base = itemType;
    else problem(field, `\${${text}}: "item" exists only in a step with for_each`);
    if (!base) return undefined;
    const reached = navigate(base, reference.path, `\${${text}}`);
    if (typeof reached === "string") {
      problem(field, reached);
      return undefined;
    }
    return reached;
  };
  const templateType = (
    value: unknown,
    field: string,
    itemType: ValueType | undefined,
  ): ValueType | undefined => {
    if (typeof value === "string") {
      const whole = wholeReference(value);
      if (whole) return typeOf(whole, field, itemType);
      for (const text of referencesIn(value)) typeOf(text, field, itemType);
      return { kind: "text" };
    }
    if (typeof value === "number") return { kind: "number" };
    if (typeof value === "boolean") return { kind: "boolean" };
    if (Array.isArray(value)) {
      const types = value.map((item, index) => templateType(item, `${field}.${index}`, itemType));
      return list(types[0] ?? { kind: "any" });
    }
    if (value && typeof value === "object") {
      const fields: Record<string, ValueType> = {};
      for (const [key, item] of Object.entries(value)) {
        fields[key] = templateType(item, `${field}.${key}`, itemType) ?? { kind: "any" };
      }
      return { kind: "object", fields };
    }
    return { kind: "null" };
  };
  for (const id of order) {
    const step = definition.steps[id]!;
    const at = `steps.${id}`;
    let itemType: ValueType | undefined;
    if (step.for_each !== undefined) {
      const whole = wholeReference(step.for_each);
      const type = whole ? typeOf(whole, `${at}.for_each`, undefined) : undefined;
      if (!whole)
        problem(`${at}.for_each`, `must be one reference to a list, e.g. \${steps.ocr.output.hangar.lines}`);
      else if (type && type.kind !== "list" && type.kind !== "any") {
        problem(`${at}.for_each`, `\${${whole}} is a ${describeType(type)}, not a list`);
      }
      itemType = type?.kind === "list" ? type.of : { kind: "any" };
    }
    if (step.when) {
      const whole = wholeReference(step.when.value);
      const type = whole ? typeOf(whole, `${at}.when.value`, itemType) : undefined;
      if (!whole) problem(`${at}.when.value`, "must be one reference to a label or score");
      else if (type && !["text", "number", "boolean", "any"].includes(type.kind)) {
        problem(
          `${at}.when.value`,
          `\${${whole}} is a ${describeType(type)}; a condition compares a text, number or boolean`,
        );
      }
    }
    templateType(step.parameters ?? {}, `${at}.parameters`, itemType);
    const inputType = templateType(step.inputs, `${at}.inputs`, itemType);
    const task = TASK_TYPES[step.task];
    if (!task || !inputType) continue;
    const accepted = task.accepts.find((type) => fits(inputType, type));
    if (!accepted) {
      problem(
        `${at}.inputs`,
        `${step.task} takes ${task.accepts.map(describeType).join(" or ")}; this gives a ${describeType(inputType)}`,
      );
      continue;
    }
    if (step.ensemble && !ENSEMBLE_TASKS.has(step.task)) {
      problem(`${at}.ensemble`, `combines labelled answers: tasks ${[...ENSEMBLE_TASKS].join(", ")}`);
      continue;
    }
    const output = step.ensemble
      ? ENSEMBLE_OUTPUT
      : task.output(inputType.kind === "any" ? accepted : inputType);
    outputTypes[id] = step.for_each !== undefined ? list(output) : output;
  }
  for (const [name, value] of Object.entries(definition.outputs))
    templateType(value, `outputs.${name}`, undefined);
  if (problems.length > 0) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Pipeline ${definition.name} is not valid: ${problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`,
      { details: { problems } },
    );
  }
  return { definition, order, dependsOn, outputTypes };
}
