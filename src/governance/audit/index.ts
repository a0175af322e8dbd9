/**
 * The audit log: an append-only hash chain in the catalog. Other services record their changes with
 * `recordAudit(tx, {caller, action, target, details})` inside the transaction of the change itself.
 */
export {
  type AuditRecord,
  recordAudit,
  repoTarget,
  withinTransaction,
} from "../../hub/audit/record-audit.ts";
export type { AuditEntry, AuditOutcome, AuditQuery } from "../../store/audit-table.ts";
export { type AuditPage, assertAuditReader, type ListAuditParams, listAudit } from "./list-audit.ts";
export {
  type AuditBreak,
  type AuditVerification,
  checkAuditEntry,
  verifyAuditChain,
} from "./verify-audit.ts";
