import { badRequest } from "../../core/errors.ts";
import type { TokenRole } from "../../core/types.ts";
import { parseRepoId } from "../../core/validate.ts";
import { resolveRevision } from "../../hub/resolve-revision.ts";
import { repoScanStatus } from "../../hub/scan/repo-scan-status.ts";
import { needsSiblings, scanAndStore, siblingsOf } from "../../hub/scan/scan-blob.ts";
import type { ModelVersionRow } from "../../store/registry-table.ts";
import { SCANNER_RULES_VERSION } from "../scan/index.ts";
import { hasRole, type RegistryContext, validateAlias } from "./registry-context.ts";

/** A metric a version must reach on a dataset, from the evaluations recorded with `hangar evaluate`. */
export interface EvaluationGate {
  /** `namespace/name`, optionally `@revision` (the evaluated dataset commit must be that revision's). */
  dataset: string;
  metric: string;
  /** The lowest value that passes. */
  min: number;
}

/** A registered model's promotion gates; every gate given must pass. */
export interface PromotionGates {
  /** The aliases the gates guard (every alias when absent). */
  aliases?: string[];
  /** No file `unsafe`; `suspicious` (and unscannable) files only when allowed. */
  scans?: { allowSuspicious?: boolean };
  evaluations?: EvaluationGate[];
  /** Approvals of the version by this many users holding at least `role` (write by default) in the namespace. */
  approvals?: { count: number; role?: TokenRole };
  /** The licence policy must allow the version's licence (for `use`, when given). */
  licence?: { use?: string };
}

export type GateName = "scans" | "evaluation" | "approvals" | "licence";

export interface GateResult {
  gate: GateName;
  passed: boolean;
  /** One sentence: what was checked and what was found. */
  reason: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function rejectUnknown(where: string, value: Record<string, unknown>, valid: readonly string[]): void {
  const unknown = Object.keys(value).filter((key) => !valid.includes(key));
  if (unknown.length > 0)
    throw badRequest(
      `Unknown ${where} ${unknown.map((key) => `"${key}"`).join(", ")}: valid ones are ${valid.join(", ")}`,
    );
}

/** Checks a gates object as a user sends it; the messages name the field. */
export function parseGates(value: unknown): PromotionGates {
  if (!isObject(value))
    throw badRequest('"gates" must be an object such as {"scans": {"allowSuspicious": false}}');
  rejectUnknown("gate", value, ["aliases", "scans", "evaluations", "approvals", "licence"]);
  const gates: PromotionGates = {};
  if (value.aliases !== undefined) {
    if (!Array.isArray(value.aliases)) throw badRequest('"gates.aliases" must be a list of alias names');
    gates.aliases = value.aliases.map((alias) => validateAlias(alias));
  }
  if (value.scans !== undefined) {
    if (!isObject(value.scans))
      throw badRequest('"gates.scans" must be an object: {"allowSuspicious": false}');
    rejectUnknown("field of gates.scans:", value.scans, ["allowSuspicious"]);
    if (value.scans.allowSuspicious !== undefined && typeof value.scans.allowSuspicious !== "boolean")
      throw badRequest('"gates.scans.allowSuspicious" must be true or false');
    gates.scans = { allowSuspicious: value.scans.allowSuspicious === true };
  }
  if (value.evaluations !== undefined) {
    if (!Array.isArray(value.evaluations)) throw badRequest('"gates.evaluations" must be a list');
    gates.evaluations = value.evaluations.map((entry, index) => {
      const where = `gates.evaluations[${index}]`;
      if (!isObject(entry)) throw badRequest(`"${where}" must be an object: {"dataset", "metric", "min"}`);
      rejectUnknown(`field of ${where}:`, entry, ["dataset", "metric", "min"]);
      if (typeof entry.dataset !== "string")
        throw badRequest(`"${where}.dataset" must be a dataset id such as "acme/tickets@v3"`);
      parseDatasetReference(entry.dataset);
      if (typeof entry.metric !== "string" || entry.metric === "")
        throw badRequest(`"${where}.metric" must be a metric name such as "accuracy"`);
      if (typeof entry.min !== "number" || !Number.isFinite(entry.min))
        throw badRequest(`"${where}.min" must be a number`);
      return { dataset: entry.dataset, metric: entry.metric, min: entry.min };
    });
  }
  if (value.approvals !== undefined) {
    const approvals = value.approvals;
    if (!isObject(approvals))
      throw badRequest('"gates.approvals" must be an object: {"count": 2, "role": "write"}');
    rejectUnknown("field of gates.approvals:", approvals, ["count", "role"]);
    if (typeof approvals.count !== "number" || !Number.isSafeInteger(approvals.count) || approvals.count < 1)
      throw badRequest('"gates.approvals.count" must be a whole number from 1');
    if (approvals.role !== undefined && approvals.role !== "write" && approvals.role !== "admin")
      throw badRequest('"gates.approvals.role" must be "write" or "admin"');
    gates.approvals = { count: approvals.count, role: (approvals.role as TokenRole | undefined) ?? "write" };
  }
  if (value.licence !== undefined) {
    if (value.licence === true) gates.licence = {};
    else if (isObject(value.licence)) {
      rejectUnknown("field of gates.licence:", value.licence, ["use"]);
      if (value.licence.use !== undefined && typeof value.licence.use !== "string")
        throw badRequest('"gates.licence.use" must be a string such as "commercial"');
      gates.licence = value.licence.use === undefined ? {} : { use: value.licence.use };
    } else throw badRequest('"gates.licence" must be true or an object: {"use": "commercial"}');
  }
  return gates;
}

/** `acme/tickets@v3` as a dataset ref and an optional revision. */
export function parseDatasetReference(reference: string): {
  namespace: string;
  name: string;
  revision?: string;
} {
  const at = reference.indexOf("@");
  const id = at === -1 ? reference : reference.slice(0, at);
  const revision = at === -1 ? undefined : reference.slice(at + 1);
  if (revision === "") throw badRequest(`"${reference}" names no revision after "@"`);
  const ref = parseRepoId(id, "dataset");
  return { namespace: ref.namespace, name: ref.name, ...(revision ? { revision } : {}) };
}

/** Whether the gates guard an alias. */
export function guards(gates: PromotionGates, alias: string): boolean {
  return gates.aliases === undefined || gates.aliases.includes(alias);
}

/** Runs every configured gate for a version, in a fixed order: scans, licence, evaluations, approvals. */
export async function checkGates(
  hub: RegistryContext,
  gates: PromotionGates,
  version: ModelVersionRow,
): Promise<GateResult[]> {
  const results: GateResult[] = [];
  const repo = await hub.catalog.repos.getByPk(version.repoPk);
  const commit = repo && (await hub.catalog.commits.getCommit(repo.pk, version.commitOid));
  if (!repo || !commit) {
    const reason = `the repo ${version.repoId} or its commit ${version.commitOid} is gone`;
    for (const gate of ["scans", "licence", "evaluation", "approvals"] as const)
      results.push({ gate, passed: false, reason });
    return results;
  }
  if (gates.scans) results.push(await scanGate(hub, commit.pk, gates.scans.allowSuspicious === true));
  if (gates.licence) {
    if (!hub.licence) {
      results.push({
        gate: "licence",
        passed: false,
        reason: "no licence policy is configured on this Hangar, so no licence can be allowed",
      });
    } else {
      const answer = await hub.licence({
        repo,
        commit,
        ...(gates.licence.use ? { use: gates.licence.use } : {}),
      });
      results.push({
        gate: "licence",
        passed: answer.decision === "allow",
        reason: `licence ${answer.decision}: ${answer.reason}`,
      });
    }
  }
  for (const gate of gates.evaluations ?? []) results.push(await evaluationGate(hub, gate, version));
  if (gates.approvals) {
    const needed = gates.approvals.role ?? "write";
    const approvals = await hub.catalog.registry.listApprovals(version.modelId, version.version);
    const counted = approvals.filter((approval) => hasRole(approval.role as TokenRole, needed));
    const who = counted.length ? ` (${counted.map((approval) => approval.user).join(", ")})` : "";
    results.push({
      gate: "approvals",
      passed: counted.length >= gates.approvals.count,
      reason: `${counted.length} of ${gates.approvals.count} approvals by users with the ${needed} role${who}`,
    });
  }
  return results;
}

/** Every file of the commit scanned (unscanned ones now), then the worst verdict against the gate. */
async function scanGate(
  hub: RegistryContext,
  commitPk: number,
  allowSuspicious: boolean,
): Promise<GateResult> {
  let files = await hub.catalog.scanResults.filesOf(commitPk, SCANNER_RULES_VERSION);
  const missing = files.filter((file) => file.result === undefined);
  if (missing.length > 0) {
    const tree = await hub.catalog.commits.listFiles(commitPk);
    for (const file of missing) {
      const entry = tree.find((candidate) => candidate.path === file.path);
      if (!entry) continue;
      await scanAndStore(hub, {
        sha256: entry.sha256,
        size: entry.size,
        name: entry.path,
        ...(needsSiblings(entry.path) ? { siblings: siblingsOf(entry.path, tree) } : {}),
      }).catch(() => undefined);
    }
    files = await hub.catalog.scanResults.filesOf(commitPk, SCANNER_RULES_VERSION);
  }
  const status = repoScanStatus(files);
  const flagged = files.filter((file) => file.result && file.result.verdict !== "safe");
  const list = flagged.map((file) => `${file.path} (${file.result!.verdict})`).join(", ");
  if (status === null)
    return {
      gate: "scans",
      passed: false,
      reason: `${files.filter((file) => !file.result).length} file(s) are not scanned yet`,
    };
  if (status === "unsafe")
    return { gate: "scans", passed: false, reason: `files scanned as unsafe: ${list}` };
  if (status === "suspicious" && !allowSuspicious)
    return {
      gate: "scans",
      passed: false,
      reason: `files scanned as suspicious, which this gate does not allow: ${list}`,
    };
  return {
    gate: "scans",
    passed: true,
    reason: status === "safe" ? "every file scanned safe" : `suspicious files allowed: ${list}`,
  };
}

async function evaluationGate(
  hub: RegistryContext,
  gate: EvaluationGate,
  version: ModelVersionRow,
): Promise<GateResult> {
  const what = `${gate.metric} ≥ ${gate.min} on ${gate.dataset}`;
  const reference = parseDatasetReference(gate.dataset);
  const dataset = await hub.catalog.repos.get({
    type: "dataset",
    namespace: reference.namespace,
    name: reference.name,
  });
  if (!dataset) return { gate: "evaluation", passed: false, reason: `${what}: the dataset does not exist` };
  let datasetCommit: string | undefined;
  if (reference.revision) {
    try {
      datasetCommit = (await resolveRevision(hub, dataset, reference.revision)).commit.oid;
    } catch {
      return {
        gate: "evaluation",
        passed: false,
        reason: `${what}: the dataset has no revision ${reference.revision}`,
      };
    }
  }
  const runs = (
    await hub.catalog.evaluations.list({ modelRepoPk: version.repoPk, datasetRepoPk: dataset.pk }, 1000)
  ).filter(
    (run) =>
      run.modelCommit === version.commitOid &&
      (datasetCommit === undefined || run.datasetCommit === datasetCommit),
  );
  const run = runs.find((candidate) => candidate.metrics[gate.metric] !== undefined);
  if (!run)
    return {
      gate: "evaluation",
      passed: false,
      reason: `${what}: no evaluation of commit ${version.commitOid.slice(0, 12)} with ${gate.metric} on that dataset${reference.revision ? " revision" : ""} (run hangar evaluate)`,
    };
  const value = run.metrics[gate.metric]!;
  return {
    gate: "evaluation",
    passed: value >= gate.min,
    reason: `${what}: ${gate.metric} is ${value} (evaluation ${run.id})${value >= gate.min ? "" : `, below ${gate.min}`}`,
  };
}
