import { Type } from "typebox";
import { parseSearchRequest, SEARCH_REQUEST_PARAMETERS } from "../../discovery/parse-search-request.ts";
import { searchModels } from "../../discovery/search-models.ts";
import type { Hangar } from "../../hangar.ts";
import { compressReply } from "../content-encoding.ts";
import { requestUrl } from "../native/request-url.ts";
import { HANGAR_ERRORS, type NativeApp, OPTIONAL_TOKEN, openObject, queryValue } from "../native/schemas.ts";

const DISCOVER_QUERY = Type.Object(
  Object.fromEntries(
    SEARCH_REQUEST_PARAMETERS.map((name) => [
      name,
      Type.Optional(queryValue(`the ${name} filter or option`)),
    ]),
  ),
);

const DISCOVER_RESULT = openObject({
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer(),
  sort: Type.String(),
  results: Type.Array(openObject({}, "one model, with why it matched when `explain` is set")),
  facets: Type.Optional(openObject({}, "counts per value of each facet, over the whole result set")),
  insights: Type.Optional(openObject({})),
  tookMs: Type.Number(),
});

/**
 * `GET /v1/discover?q=...&task=...&license=...&commercial=true&params_min=1B&sort=...&explain=true&page=&limit=`:
 * Hangar's search, with facet counts over the whole result set and insights. The caller's private repos are
 * included when their token allows. The answer goes brotli- or gzip-compressed when the client accepts it (a
 * page with facet counts is 15-20 KB of JSON, a tenth of that compressed).
 */
export function registerDiscoverRoutes(app: NativeApp, hangar: Hangar): void {
  app.get(
    "/v1/discover",
    {
      schema: {
        summary: "Search models with facets and insights",
        tags: ["discovery"],
        security: OPTIONAL_TOKEN,
        querystring: DISCOVER_QUERY,
        response: { 200: DISCOVER_RESULT, ...HANGAR_ERRORS },
      },
      onSend: compressReply,
    },
    async (request) => {
      const query = requestUrl(request).searchParams;
      const params = parseSearchRequest(new Set(query.keys()), (name) => query.getAll(name));
      return searchModels(hangar, { ...params, caller: request.caller });
    },
  );
}
