import { parseSearchRequest } from "../../discovery/parse-search-request.ts";
import { searchModels } from "../../discovery/search-models.ts";
import { sendJson } from "../http.ts";
import type { Router } from "../router.ts";

/**
 * `GET /v1/discover?q=...&task=...&license=...&commercial=true&params_min=1B&sort=...&explain=true&page=&limit=`:
 * Hangar's search, with facet counts over the whole result set and insights. The caller's private repos are
 * included when their token allows.
 */
export function registerDiscoverRoutes(router: Router): void {
  router.add("GET", "/v1/discover", async ({ hangar, caller, url, response }) => {
    const query = url.searchParams;
    const params = parseSearchRequest(new Set(query.keys()), (name) => query.getAll(name));
    sendJson(response, 200, await searchModels(hangar, { ...params, caller }));
  });
}
