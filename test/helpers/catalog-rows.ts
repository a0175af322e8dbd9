// The rows the catalog contract tests (test/integration/catalog-*-contract.test.ts) write through the table
// methods: hashes and object ids made from a number, tree files, commits, facts, usage events, repos and
// namespaces.
import type { CatalogFacts, UsageEvent } from "../../src/core/catalog-types.ts";
import type { CommitMetadata, RepoType, TreeFile } from "../../src/core/types.ts";
import type { Catalog } from "../../src/store/catalog.ts";

export const AT = "2026-01-02T03:04:05.000Z";

/** A sha256 (64 hex digits) made from a number. */
export const sha = (n: number) => n.toString(16).padStart(64, "0");
/** A git object id (40 hex digits) made from a number. */
export const oid = (n: number) => n.toString(16).padStart(40, "0");
/** The order of two strings by their UTF-8 bytes, the order the catalog lists paths and ids in. */
export const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function file(path: string, n: number, size = n * 10): TreeFile {
  return { path, gitOid: oid(n), size, sha256: sha(n), lfs: n % 2 === 0, lastCommit: oid(1) };
}

export function commit(n: number, parents: string[] = [], metadata: CommitMetadata = {}) {
  return { oid: oid(n), parents, author: "alice", date: AT, title: `c${n}`, message: `m${n}`, metadata };
}

export function facts(overrides: Partial<CatalogFacts> = {}): CatalogFacts {
  return {
    description: "A model",
    license: "apache-2.0",
    languages: ["en", "fr"],
    parameters: 110_000_000,
    baseModels: ["Org/Base"],
    baseRelation: "finetune",
    library: "transformers",
    pipelineTag: "text-classification",
    evalResults: [
      { task: "text-classification", dataset: "glue", split: "sst2", metric: "accuracy", value: 0.9 },
    ],
    snapshotDate: "2026-01-01",
    snapshotSource: "hub",
    sources: ["hub"],
    ...overrides,
  };
}

export function usage(model: string, outcome: string, n: number): UsageEvent {
  return {
    ...{ at: `2026-01-0${n}T00:00:00.000Z`, model, revision: "main", task: "fill-mask", api: "task" },
    ...{ caller: "alice", inputUnits: n, outputUnits: 2 * n, unit: "tokens", outputUnit: "labels" },
    ...{ inputBytes: 10 * n, outputBytes: 20 * n, latencyMs: 1.5 * n, status: outcome === "ok" ? 200 : 500 },
    ...{ outcome, errorCode: outcome === "ok" ? null : "HANGAR_ERR_X", batchSize: 1 },
  };
}

/** A public model repo (unless `more` says otherwise), created at AT. */
export function insertRepo(
  catalog: Catalog,
  namespace: string,
  name: string,
  more: { type?: RepoType; private?: boolean } = {},
) {
  return catalog.repos.insert({ type: "model", namespace, name, private: false, createdAt: AT, ...more });
}

/** A user (or an organisation) that is not an administrator and has no email, created at AT. */
export function insertNamespace(catalog: Catalog, name: string, kind: "user" | "org" = "user") {
  return catalog.accounts.insertNamespace({
    name,
    kind,
    fullname: name,
    email: null,
    isAdmin: false,
    createdAt: AT,
  });
}
