import { CATALOG_CHANGES, REPO_FACTS, UPSTREAM_POPULARITY } from "./migrations/sqlite/discovery.ts";
import {
  BUDGET_ALERT_DELIVERIES,
  BUDGET_RESERVATIONS,
  BUDGET_SCOPE_INDEX,
  LICENSE_POLICIES,
  REGISTRY_AND_AUDIT,
  SCAN_RESULTS,
  USAGE_COST_BUDGETS,
} from "./migrations/sqlite/governance.ts";
import {
  BLOB_LEASES,
  CORE_SCHEMA,
  DISCUSSIONS,
  HUB_SOCIAL,
  LFS_UPLOADS,
  MULTIPART_SESSIONS,
} from "./migrations/sqlite/hub.ts";
import {
  EVALUATION_RUNS,
  INFERENCE_ENDPOINTS,
  USAGE_EVENTS,
  USAGE_OUTPUT_UNIT,
  WORKFLOWS,
} from "./migrations/sqlite/inference.ts";
import { rewriteCommitIds } from "./rewrite-commit-ids.ts";
import type { Migration } from "./sql/sql-database.ts";

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. A function migration does its work through the
 * executor it is given, not through the table classes, which follow the latest schema. Never edit a
 * migration that has shipped: add a new one. The migrations themselves are in migrations/sqlite/, one file
 * per product area; this list is their order.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  CORE_SCHEMA,
  REPO_FACTS,
  USAGE_EVENTS,
  CATALOG_CHANGES,
  EVALUATION_RUNS,
  BLOB_LEASES,
  // Commits made here get git's ids, with their tree and commit objects stored (issue 20).
  rewriteCommitIds,
  LFS_UPLOADS,
  USAGE_OUTPUT_UNIT,
  MULTIPART_SESSIONS,
  SCAN_RESULTS,
  REGISTRY_AND_AUDIT,
  LICENSE_POLICIES,
  DISCUSSIONS,
  WORKFLOWS,
  HUB_SOCIAL,
  UPSTREAM_POPULARITY,
  USAGE_COST_BUDGETS,
  INFERENCE_ENDPOINTS,
  BUDGET_RESERVATIONS,
  BUDGET_SCOPE_INDEX,
  BUDGET_ALERT_DELIVERIES,
];
