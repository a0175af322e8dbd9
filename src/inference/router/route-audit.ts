import type { Caller } from "../../hub/accounts/principal.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import type { CatalogTables } from "../../store/catalog.ts";
import type { RouteConfig, RoutesConfig } from "./route-config.ts";

/** Where a change of routes came from: the admin API, or a reload of the route file. */
export type RoutesSource = { kind: "api" } | { kind: "file"; file: string };

/** What the audit log keeps of a route: its shape, never a secret (keys are only named by `api_key_env`). */
function summary(route: RouteConfig): Record<string, unknown> {
  return {
    policy: route.policy,
    deployments: route.deployments.map((deployment) => ({
      backend: deployment.backend,
      model: deployment.model,
      ...(deployment.url ? { url: deployment.url } : {}),
    })),
  };
}

/** The routes created, changed and removed from `before` to `after`, by name. */
export function routeChanges(
  before: RoutesConfig,
  after: RoutesConfig,
): Array<{ action: "route.create" | "route.update" | "route.delete"; route: RouteConfig }> {
  const old = new Map(before.routes.map((route) => [route.name, route]));
  const changes: ReturnType<typeof routeChanges> = [];
  for (const route of after.routes) {
    const previous = old.get(route.name);
    old.delete(route.name);
    if (!previous) changes.push({ action: "route.create", route });
    else if (JSON.stringify(previous) !== JSON.stringify(route))
      changes.push({ action: "route.update", route });
  }
  for (const route of old.values()) changes.push({ action: "route.delete", route });
  return changes;
}

/**
 * Records a change of routes in the audit log, in the transaction `tx` of the change: one entry per route
 * created, updated or deleted (`route:NAME`), one for settings that apply to every route, and for a route
 * file one `routes.reload` entry per reload.
 */
export async function auditRoutesChange(
  tx: CatalogTables,
  caller: Caller,
  source: RoutesSource,
  before: RoutesConfig,
  after: RoutesConfig,
): Promise<void> {
  const via = source.kind === "file" ? { source: "file", file: source.file } : { source: "api" };
  const changes = routeChanges(before, after);
  if (source.kind === "file") {
    await recordAudit(tx, {
      caller,
      action: "routes.reload",
      target: `routes-file:${source.file}`,
      details: {
        routes: after.routes.length,
        created: changes.filter((c) => c.action === "route.create").map((c) => c.route.name),
        updated: changes.filter((c) => c.action === "route.update").map((c) => c.route.name),
        deleted: changes.filter((c) => c.action === "route.delete").map((c) => c.route.name),
      },
    });
  }
  for (const change of changes) {
    await recordAudit(tx, {
      caller,
      action: change.action,
      target: `route:${change.route.name}`,
      details: { ...via, ...summary(change.route) },
    });
  }
  if (
    before.health_interval_ms !== after.health_interval_ms ||
    JSON.stringify(before.cache) !== JSON.stringify(after.cache)
  ) {
    await recordAudit(tx, {
      caller,
      action: "routes.settings",
      target: "routes",
      details: { ...via, health_interval_ms: after.health_interval_ms, cache: after.cache },
    });
  }
}

/** A route file that was refused on reload (the routes in force stay): the entry says why. */
export async function auditRefusedReload(tx: CatalogTables, file: string, error: string): Promise<void> {
  await recordAudit(tx, {
    caller: null,
    action: "routes.reload",
    target: `routes-file:${file}`,
    outcome: "failure",
    details: { error },
  });
}
