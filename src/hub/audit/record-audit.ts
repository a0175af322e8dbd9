import { nowIso } from "../../core/time.ts";
import type { AuditEntry, AuditOutcome } from "../../store/audit-table.ts";
import type { CatalogTables } from "../../store/catalog.ts";
import type { Caller, RequestContext } from "../accounts/principal.ts";

/** One change to record: who (the caller, with its request), what, on what, and how it ended. */
export interface AuditRecord {
  /** The signed-in caller (its user and token id; its request id and client address when over HTTP). */
  caller: Caller;
  /** `scope.verb`: `repo.create`, `registry.promote`, `budget.set`... */
  action: string;
  /** What was acted on, `kind:id`: `model:acme/classifier`, `token:12`, `user:alice`. */
  target: string;
  /** `success` by default. */
  outcome?: AuditOutcome;
  /** Facts of the change (revisions, versions, reasons); never secrets. */
  details?: Record<string, unknown>;
  /** The request when there is no caller to carry it (a failed sign-in). */
  request?: RequestContext;
}

/**
 * Appends an entry to the audit log's hash chain. Call it with the transaction's tables (`tx`) of the change
 * it records, so the change and its entry commit together or not at all.
 */
export function recordAudit(tx: CatalogTables, record: AuditRecord): Promise<AuditEntry> {
  const request = record.caller?.request ?? record.request;
  return tx.audit.append({
    time: nowIso(),
    actor: { user: record.caller?.user ?? null, tokenId: record.caller?.token.id ?? null },
    action: record.action,
    target: record.target,
    outcome: record.outcome ?? "success",
    requestId: request?.id ?? null,
    clientAddress: request?.address ?? null,
    details: record.details ?? {},
  });
}

/** The audit target of a repo: `model:ns/name`, `dataset:ns/name`, `space:ns/name`. */
export function repoTarget(repo: { type: string; namespace: string; name: string }): string {
  return `${repo.type}:${repo.namespace}/${repo.name}`;
}

/**
 * Runs `work` in a transaction of its own when `catalog` is the catalog, or in the one `catalog` already is
 * (operations that take a `HubScope` may be handed either).
 */
export function withinTransaction<T>(
  catalog: CatalogTables,
  work: (tx: CatalogTables) => Promise<T>,
): Promise<T> {
  const own = catalog as CatalogTables & {
    transaction?: (work: (tx: CatalogTables) => Promise<T>) => Promise<T>;
  };
  return typeof own.transaction === "function" ? own.transaction(work) : work(catalog);
}
