import { classifyImport } from "./pickle-rules.ts";
import { addFinding, type Finding, type ScanContext } from "./types.ts";

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
  /** `module.name` of every import, in order of first use (the first 10,000). */
  imports: string[];
  /** The same names, for lookups. */
  importSet: Set<string>;
  /** Findings listed per rule; past MAX_FINDINGS_PER_RULE they are counted in `overflow`. */
  perRule: Map<string, number>;
  /** Per rule, the finding that counts the ones not listed. */
  overflow: Map<string, Finding>;
  opcodes: number;
  /** Opcodes the walk may run: `maxOpcodes` plus the bytes the pickles can span (set by the caller). */
  opcodeBudget: number;
  calls: number;
  /**
   * A legacy PyTorch file's storages, declared by persistent ids: element size by storage key. Only kept once
   * the file is known to be legacy (nothing else reads persistent ids).
   */
  storageSizes: Map<string, number> | undefined;
  /** Items a container keeps in the stream about to be walked (more for a legacy file's storage key list). */
  keepItems: number;
  /** Estimated bytes held by memo entries of the streams being walked and by `storageSizes`. */
  retained: number;
  /** Set once a resource limit stopped the walk. */
  limited: boolean;
}

/** Items kept per container; more are counted by the stack but not remembered. */
export const KEEP_ITEMS = 4096;

/** Estimated bytes one memo entry or storage table entry holds beyond a string's characters. */
export const ENTRY_BYTES = 48;

export function newPickleState(ctx: ScanContext): PickleState {
  return {
    ctx,
    seen: new Set(),
    imports: [],
    importSet: new Set(),
    perRule: new Map(),
    overflow: new Map(),
    opcodes: 0,
    opcodeBudget: ctx.limits.maxOpcodes,
    calls: 0,
    storageSizes: undefined,
    keepItems: KEEP_ITEMS,
    retained: 0,
    limited: false,
  };
}

/** `n` bytes for a message: in MiB when a whole number of them. */
export const formatBytes = (n: number): string =>
  n >= 1024 ** 2 && n % 1024 ** 2 === 0 ? `${n / 1024 ** 2} MiB` : `${n} bytes`;

/** Charges `bytes` to the memo memory budget; past it, the walk stops at a resource limit. */
export function retain(state: PickleState, bytes: number, at: number): void {
  state.retained += bytes;
  const max = state.ctx.limits.maxMemoBytes;
  if (state.retained > max) {
    state.limited = true;
    throw new PickleError(`memo larger than ${formatBytes(max)}`, at);
  }
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

/** Findings listed per rule and file; more are counted in one further finding (findings stay bounded). */
export const MAX_FINDINGS_PER_RULE = 100;

export function report(state: PickleState, key: string, finding: Finding): void {
  if (state.seen.has(key)) return;
  const listed = state.perRule.get(finding.rule) ?? 0;
  if (listed < MAX_FINDINGS_PER_RULE) {
    state.perRule.set(finding.rule, listed + 1);
    state.seen.add(key);
    addFinding(state.ctx, finding);
    return;
  }
  const more = state.overflow.get(finding.rule);
  if (more !== undefined) {
    more.count = (more.count ?? 0) + 1;
    if (SEVERITIES.indexOf(finding.severity) > SEVERITIES.indexOf(more.severity))
      more.severity = finding.severity;
    return;
  }
  const counted: Finding = {
    rule: finding.rule,
    severity: finding.severity,
    message: `more findings of this rule than the ${MAX_FINDINGS_PER_RULE} listed; the rest are counted, from this offset on`,
    count: 1,
    ...(finding.offset === undefined ? {} : { offset: finding.offset }),
  };
  addFinding(state.ctx, counted);
  // addFinding may copy it (to add the archive member): count on the one listed.
  state.overflow.set(finding.rule, state.ctx.findings[state.ctx.findings.length - 1]!);
}

const SEVERITIES: Finding["severity"][] = ["info", "suspicious", "invalid", "unsafe"];

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
  if (state.imports.length < 10_000 && !state.importSet.has(full)) {
    state.importSet.add(full);
    state.imports.push(full);
  }
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

/** Element sizes of legacy `torch.<Kind>Storage` classes. */
const STORAGE_ELEMENT_SIZE: Record<string, number> = {
  Double: 8,
  Float: 4,
  Half: 2,
  BFloat16: 2,
  Long: 8,
  Int: 4,
  Short: 2,
  Char: 1,
  Byte: 1,
  Bool: 1,
  ComplexFloat: 8,
  ComplexDouble: 16,
  QInt8: 1,
  QUInt8: 1,
  QInt32: 4,
  Untyped: 1,
};

export function persistent(state: PickleState, id: Value, at: number): void {
  const sizes = state.storageSizes;
  if (sizes !== undefined && id.k === "tuple") {
    const [kind, type, key] = id.items;
    if (kind?.k === "str" && kind.v === "storage" && key?.k === "str" && key.v !== undefined) {
      const storage = type?.k === "global" ? /^torch\.(\w+)Storage$/.exec(type.full ?? "")?.[1] : undefined;
      if (!sizes.has(key.v)) retain(state, ENTRY_BYTES + key.v.length, at);
      sizes.set(key.v, STORAGE_ELEMENT_SIZE[storage ?? ""] ?? 1);
    }
  }
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
