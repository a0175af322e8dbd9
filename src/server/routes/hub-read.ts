import { badRequest } from "../../core/errors.ts";
import { parseBoolean, parseRepoType } from "../../core/validate.ts";
import { listModelsBySearch } from "../../discovery/list-models-by-search.ts";
import { parseListingSearch } from "../../discovery/parse-search-request.ts";
import { getPathsInfo } from "../../hub/read/get-paths-info.ts";
import { getRepo } from "../../hub/read/get-repo.ts";
import { listCommits } from "../../hub/read/list-commits.ts";
import { listRefs } from "../../hub/read/list-refs.ts";
import { listRepos, parseRepoSort } from "../../hub/read/list-repos.ts";
import { listTree } from "../../hub/read/list-tree.ts";
import { parsePageLimit } from "../../hub/read/paging.ts";
import { readBody, sendJson } from "../http.ts";
import { pullingThrough, revisionBeforePath, revisionInRest } from "../pull-through-hook.ts";
import { assertJsonContentType, parseJsonBytes } from "../read-json-body.ts";
import type { RequestContext, Router } from "../router.ts";
import { toApiCommits, toApiGitRefs } from "../wire/api-git.ts";
import { listingFields, toApiRepoInfo } from "../wire/api-repo.ts";
import { toApiTreeEntry } from "../wire/api-tree.ts";
import { nextPageLink } from "../wire/pagination.ts";
import {
  queryList,
  repoRefFromSegments,
  revisionFromSegments,
  splitRevisionAndPath,
} from "../wire/repo-path.ts";
import { PATHS_INFO_BODY } from "../wire/request-bodies.ts";

const TYPES = ":type(models|datasets|spaces)";
const OPEN_BRACE = Buffer.from("{");
const REPO = `/api/${TYPES}/:namespace/:name`;

/** Listing fields that need each repo's head commit metadata. */
const METADATA_FIELDS = ["cardData", "config", "transformersInfo"];

/** Commit pages are small on the Hub too; a history is read newest first and rarely to the end. */
const COMMITS_PAGE_SIZE = 50;

function parseDirection(value: string | null): boolean {
  if (value === null || value === "" || value === "-1") return true;
  if (value === "1") return false;
  throw badRequest(`Invalid direction "${value}": expected -1 (descending) or 1 (ascending)`);
}

function repoRef(context: RequestContext) {
  return repoRefFromSegments(context.params.type, context.params.namespace!, context.params.name!);
}

async function listHandler(context: RequestContext): Promise<void> {
  const query = context.url.searchParams;
  const type = parseRepoType(context.params.type);
  const fields = listingFields({
    expand: queryList(query, "expand"),
    full: parseBoolean(query.get("full")) ?? false,
    config: parseBoolean(query.get("config")) ?? false,
    cardData: parseBoolean(query.get("cardData")) ?? false,
  });
  const loads = {
    withFiles: fields.has("siblings") || fields.has("transformersInfo"),
    withMetadata: [...METADATA_FIELDS, ...(type === "space" ? ["sdk"] : [])].some((field) =>
      fields.has(field),
    ),
    withSummary: fields.has("hangar"),
  };
  const limit = parsePageLimit(query.get("limit"), context.hangar.config.limits.maxPageSize);
  const cursor = query.get("cursor");
  const indexSearch =
    type === "model" ? parseListingSearch(new Set(query.keys()), (name) => queryList(query, name)) : null;
  if (indexSearch) {
    const result = await listModelsBySearch(context.hangar, context.caller, {
      search: indexSearch,
      limit,
      ...(cursor ? { cursor } : {}),
      ...loads,
    });
    const body = result.items.map((item) => toApiRepoInfo(item, { fields }));
    sendJson(context.response, 200, body, {
      "X-Total-Count": String(result.total),
      ...(result.nextCursor ? nextPageLink(context, result.nextCursor) : {}),
    });
    return;
  }
  const search = queryList(query, "search").filter(Boolean);
  const tags = queryList(query, "filter").filter(Boolean);
  const author = query.get("author");
  const pipelineTag = query.get("pipeline_tag");
  const gated = parseBoolean(query.get("gated"));
  const result = await listRepos(context.hangar, context.caller, {
    type,
    ...(search.length > 0 ? { search } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(author ? { author } : {}),
    ...(pipelineTag ? { pipelineTag } : {}),
    ...(gated !== undefined ? { gated } : {}),
    sort: parseRepoSort(query.get("sort")),
    descending: parseDirection(query.get("direction")),
    limit,
    ...(cursor ? { cursor } : {}),
    ...loads,
  });
  const body = result.items.map((item) => toApiRepoInfo(item, { fields }));
  sendJson(context.response, 200, body, result.nextCursor ? nextPageLink(context, result.nextCursor) : {});
}

async function infoHandler(context: RequestContext): Promise<void> {
  const query = context.url.searchParams;
  const expand = queryList(query, "expand");
  // Python's `model_info(securityStatus=True)` asks with a flag, the Hub's own clients with `expand`.
  const securityFlag = parseBoolean(query.get("securityStatus")) ?? false;
  const security = securityFlag || expand.includes("securityRepoStatus");
  const details = await getRepo(context.hangar, context.caller, {
    ref: repoRef(context),
    ...(context.rest.length > 0 ? { revision: revisionFromSegments(context.rest) } : {}),
    ...(security ? { security } : {}),
  });
  sendJson(
    context.response,
    200,
    toApiRepoInfo(details, {
      ...(expand.length > 0
        ? { fields: new Set([...expand, ...(securityFlag ? ["securityRepoStatus"] : [])]) }
        : {}),
      withBlobs: parseBoolean(query.get("blobs")) ?? false,
    }),
  );
}

async function treeHandler(context: RequestContext): Promise<void> {
  const query = context.url.searchParams;
  const { revision, path } = splitRevisionAndPath(context.rest);
  const cursor = query.get("cursor");
  const result = await listTree(context.hangar, context.caller, {
    ref: repoRef(context),
    revision,
    path: path.join("/"),
    recursive: parseBoolean(query.get("recursive")) ?? false,
    expand: parseBoolean(query.get("expand")) ?? false,
    limit: parsePageLimit(query.get("limit"), context.hangar.config.limits.maxPageSize),
    ...(cursor ? { cursor } : {}),
  });
  sendJson(
    context.response,
    200,
    result.entries.map(toApiTreeEntry),
    result.nextCursor ? nextPageLink(context, result.nextCursor) : {},
  );
}

/** `paths-info` takes JSON from JS and a form body (`paths=a&paths=b&expand=true`) from Python. */
async function readPathsInfoBody(context: RequestContext): Promise<{ paths: string[]; expand: boolean }> {
  const contentType = context.request.headers["content-type"];
  assertJsonContentType(contentType);
  const limit = Math.min(PATHS_INFO_BODY.maxBytes, context.hangar.config.limits.maxRequestBodySize);
  const bytes = await readBody(context.request, limit);
  if (
    contentType?.includes("application/x-www-form-urlencoded") &&
    !bytes.subarray(0, 1).equals(OPEN_BRACE)
  ) {
    const form = new URLSearchParams(bytes.toString("utf8"));
    return { paths: queryList(form, "paths"), expand: parseBoolean(form.get("expand")) ?? false };
  }
  const { paths, expand } = await parseJsonBytes(bytes, PATHS_INFO_BODY.schema);
  return {
    paths: typeof paths === "string" ? [paths] : paths,
    expand: typeof expand === "string" ? (parseBoolean(expand) ?? false) : expand === true,
  };
}

async function pathsInfoHandler(context: RequestContext): Promise<void> {
  const body = await readPathsInfoBody(context);
  const result = await getPathsInfo(context.hangar, context.caller, {
    ref: repoRef(context),
    revision: revisionFromSegments(context.rest),
    paths: body.paths,
    expand: body.expand,
  });
  sendJson(context.response, 200, result.entries.map(toApiTreeEntry));
}

async function refsHandler(context: RequestContext): Promise<void> {
  const refs = await listRefs(context.hangar, context.caller, {
    ref: repoRef(context),
    includePullRequests: parseBoolean(context.url.searchParams.get("include_prs")) ?? false,
  });
  sendJson(context.response, 200, toApiGitRefs(refs));
}

async function commitsHandler(context: RequestContext): Promise<void> {
  const query = context.url.searchParams;
  const cursor = query.get("cursor");
  const maxPageSize = context.hangar.config.limits.maxPageSize;
  const result = await listCommits(context.hangar, context.caller, {
    ref: repoRef(context),
    revision: revisionFromSegments(context.rest, "main"),
    limit: parsePageLimit(query.get("limit"), maxPageSize, COMMITS_PAGE_SIZE),
    ...(cursor ? { cursor } : {}),
  });
  sendJson(
    context.response,
    200,
    toApiCommits(result, context.baseUrl),
    result.nextCursor ? nextPageLink(context, result.nextCursor) : {},
  );
}

/** The Hub's read API over repos: listings, repo info, trees, paths-info, refs and commits. */
export function registerHubReadRoutes(router: Router): void {
  router.add("GET", `/api/${TYPES}`, listHandler);
  router.add("GET", REPO, pullingThrough(infoHandler, revisionInRest));
  router.add("GET", `${REPO}/revision/*revision`, pullingThrough(infoHandler, revisionInRest));
  router.add("GET", `${REPO}/tree/*rest`, pullingThrough(treeHandler, revisionBeforePath));
  router.add("POST", `${REPO}/paths-info/*revision`, pullingThrough(pathsInfoHandler, revisionInRest));
  router.add("GET", `${REPO}/refs`, refsHandler);
  router.add("GET", `${REPO}/commits/*revision`, commitsHandler);
}
