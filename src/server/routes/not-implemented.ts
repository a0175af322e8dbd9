import { readFileSync } from "node:fs";
import { HangarError } from "../../core/errors.ts";
import type { Router } from "../router.ts";

/** One route the Hub's clients call (data/hub-client-routes.json). */
export interface ClientRoute {
  method: string;
  /** In the router's syntax (`:param`, `:param(a|b)`, `*rest`). */
  path: string;
  /** The client functions that call it, and where they are. */
  calledBy: string;
  status: "served" | "not-implemented";
  /** Why Hangar does not serve it (empty when served). */
  reason: string;
}

export const CLIENT_ROUTES_FILE = new URL("../../../data/hub-client-routes.json", import.meta.url);

export function loadClientRoutes(): ClientRoute[] {
  return (JSON.parse(readFileSync(CLIENT_ROUTES_FILE, "utf8")) as { routes: ClientRoute[] }).routes;
}

/**
 * Every route of the Hub's clients that Hangar does not serve answers 501 with the Hub's error shape
 * (`X-Error-Code: NotImplemented`, code HANGAR_ERR_ROUTE_NOT_IMPLEMENTED) and a sentence saying why, never
 * a bare 404 "No route", so a client's user learns the feature is missing rather than that a repo is.
 * Registered after every served route: a route served later (by a new feature) wins over its 501.
 */
export function registerNotImplementedRoutes(router: Router): void {
  for (const route of loadClientRoutes()) {
    if (route.status !== "not-implemented") continue;
    router.add(
      route.method,
      route.path,
      (context) => {
        throw new HangarError(
          "HANGAR_ERR_ROUTE_NOT_IMPLEMENTED",
          `${context.method} ${context.rawPath} is not implemented in Hangar: ${route.reason}`,
        );
      },
      { summary: `Not implemented in Hangar (501): ${route.reason}` },
    );
  }
}
