import { badRequest, HangarError } from "../../core/errors.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { AuditEntry, AuditQuery } from "../../store/audit-table.ts";
import type { CatalogTables } from "../../store/catalog.ts";

export const MAX_AUDIT_PAGE = 1000;

export interface ListAuditParams extends AuditQuery {
  /** At most this many entries (100 by default, 1000 at most). */
  limit?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `after` for the next page; null on the last one. */
  next: number | null;
}

/** Only instance administrators read the audit log. */
export function assertAuditReader(caller: Caller): void {
  if (!caller) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", "Reading the audit log needs an admin token");
  if (!caller.isAdmin)
    throw new HangarError("HANGAR_ERR_FORBIDDEN", "Only administrators may read the audit log");
}

function checkTime(name: string, value: string | undefined): void {
  if (value !== undefined && Number.isNaN(Date.parse(value)))
    throw badRequest(`${name} must be an ISO time such as 2026-01-31T12:00:00Z, got "${value}"`);
}

/** One page of audit entries in chain order, filtered by actor, action (or `scope.` prefix), target and time. */
export async function listAudit(
  catalog: CatalogTables,
  caller: Caller,
  params: ListAuditParams = {},
): Promise<AuditPage> {
  assertAuditReader(caller);
  checkTime("since", params.since);
  checkTime("until", params.until);
  const limit = params.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE)
    throw badRequest(`limit must be a whole number from 1 to ${MAX_AUDIT_PAGE}, got ${params.limit}`);
  const { limit: _limit, ...query } = params;
  if (query.since !== undefined) query.since = new Date(query.since).toISOString();
  if (query.until !== undefined) query.until = new Date(query.until).toISOString();
  const entries = await catalog.audit.list(query, limit + 1);
  const more = entries.length > limit;
  const page = more ? entries.slice(0, limit) : entries;
  return { entries: page, next: more ? page[page.length - 1]!.seq : null };
}
