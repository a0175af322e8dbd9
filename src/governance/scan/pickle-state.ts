import { classifyImport } from "./pickle-rules.ts";
import { addFinding, type ScanContext } from "./types.ts";

/**
 * A model of the pickle machine: enough of every value to resolve what GLOBAL, STACK_GLOBAL and INST import
 * (strings however they were built, memo entries however they were stored) and to follow joblib's framing.
 * Nothing is ever executed or imported.
 */
export type Value =
  | { k: "str"; v: string | undefined }
  | { k: "bytes" }
  | { k: "int"; v: bigint }
  | { k: "scalar" }
  | { k: "tuple"; items: Value[] }
  | { k: "list"; items: Value[] }
  | { k: "dict"; entries: Array<[Value, Value]> }
  | { k: "set"; items: Value[] }
  | { k: "global"; full: string | undefined }
  | { k: "obj"; cls: Value; args: Value; state?: Value }
  | { k: "pid"; id: Value };

/** Everything the walk of one file's pickles shares. */
export interface PickleState {
  ctx: ScanContext;
  /** Findings already reported (rule + import), so a repeated import is one finding. */
  seen: Set<string>;
  /** `module.name` of every import, in order of first use. */
  imports: string[];
  opcodes: number;
  calls: number;
  persistentIds: Value[];
  /** Set once a resource limit stopped the walk. */
  limited: boolean;
}

export function newPickleState(ctx: ScanContext): PickleState {
  return { ctx, seen: new Set(), imports: [], opcodes: 0, calls: 0, persistentIds: [], limited: false };
}

export class PickleError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export interface StreamResult {
  /** The value STOP returned. */
  value: Value;
  /** Imports found in this stream. */
  imports: number;
}

export function report(state: PickleState, key: string, finding: Parameters<typeof addFinding>[1]): void {
  if (state.seen.has(key)) return;
  state.seen.add(key);
  addFinding(state.ctx, finding);
}

export function recordImport(
  state: PickleState,
  module: string | undefined,
  name: string | undefined,
  offset: number,
  opcode: string,
): Value {
  if (module === undefined || name === undefined) {
    report(state, `unresolved@${offset}`, {
      rule: "pickle.import.unresolved",
      severity: "unsafe",
      message: `${opcode} imports a name that is not a literal string (built by another call, a missing memo entry or bytes)`,
      offset,
    });
    return { k: "global", full: undefined };
  }
  const full = `${module}.${name}`;
  const verdict = classifyImport(module, name);
  if (!state.imports.includes(full) && state.imports.length < 10_000) state.imports.push(full);
  if (verdict.severity !== "info") {
    report(state, `${verdict.rule}|${full}`, {
      rule: verdict.rule,
      severity: verdict.severity,
      message: `${opcode} imports ${module} ${name}: ${verdict.why}`,
      import: full,
      offset,
    });
  }
  return { k: "global", full };
}

export function persistent(state: PickleState, id: Value, at: number): void {
  if (state.persistentIds.length < 1_000_000) state.persistentIds.push(id);
  if (!state.ctx.torch) {
    report(state, "persid", {
      rule: "pickle.persistent-id",
      severity: "suspicious",
      message: "persistent ids outside a PyTorch archive are resolved by whatever loader reads the file",
      offset: at,
    });
  }
}

export const strOf = (value: Value | undefined): string | undefined =>
  value?.k === "str" ? value.v : undefined;

/** The string form of a dict's key, for joblib's array wrapper state. */
export function dictGet(value: Value | undefined, key: string): Value | undefined {
  if (value?.k !== "dict") return undefined;
  for (const [k, v] of value.entries) if (strOf(k) === key) return v;
  return undefined;
}
