import { getJson } from "./api.ts";
import { parseLocation } from "./location.ts";
import type { DiscoverAnswer } from "./types.ts";

/**
 * What the Explorer asks `/v1/discover`, kept apart from the Explorer's components (and free of heavy
 * imports) so the page's entry can send the first search before the rest of the app has even run.
 */

/**
 * The Explorer's filters, one per facet of `/v1/discover` (their labels are in `facets.ts`, from
 * `@huggingface/tasks`, the same vocabulary the server validates against).
 */
export interface FacetSpec {
  /** The facet's key in `/v1/discover`'s `facets`. */
  key: string;
  title: string;
  /** list: values OR'ed in one query parameter; flag: true or false; range: min and max parameters. */
  kind: "list" | "flag" | "range";
  /** The query parameter(s) it sets. */
  param: string;
  maxParam?: string;
}

export const FACETS: readonly FacetSpec[] = [
  { key: "task", title: "Tasks", kind: "list", param: "task" },
  { key: "modality", title: "Modalities", kind: "list", param: "modality" },
  { key: "library", title: "Libraries", kind: "list", param: "library" },
  { key: "language", title: "Languages", kind: "list", param: "language" },
  { key: "license", title: "Licences", kind: "list", param: "license" },
  { key: "commercial", title: "Commercial use", kind: "list", param: "commercial" },
  { key: "parameters", title: "Parameters", kind: "range", param: "params_min", maxParam: "params_max" },
  { key: "storage", title: "Size on disk", kind: "range", param: "storage_min", maxParam: "storage_max" },
  { key: "runs_locally", title: "Runs locally", kind: "flag", param: "runs_locally" },
  { key: "scan_status", title: "Scan verdict", kind: "list", param: "scan_status" },
  { key: "gated", title: "Gated", kind: "flag", param: "gated" },
  { key: "author", title: "Authors", kind: "list", param: "author" },
  { key: "dataset", title: "Trained on", kind: "list", param: "dataset" },
  { key: "base_model", title: "Base models", kind: "list", param: "base_model" },
];

/** Every query parameter the Explorer keeps in the URL and sends to `/v1/discover`. */
export const SEARCH_PARAMS = [
  "q",
  "sort",
  "page",
  ...FACETS.flatMap((facet) => (facet.maxParam ? [facet.param, facet.maxParam] : [facet.param])),
];

export const PAGE_SIZE = 20;

/**
 * The search an Explorer URL stands for, as `/v1/discover` parameters: the key the Explorer marks its
 * results with (`data-answered`), and of which each request below is one form.
 */
export function searchKey(query: URLSearchParams): string {
  const search = new URLSearchParams();
  for (const name of SEARCH_PARAMS)
    for (const value of query.getAll(name)) if (value) search.append(name, value);
  return search.toString();
}

/** The page of results for a search, with the facet counts or without them (those can come later). */
export function resultsPath(key: string, facets: boolean): string {
  const extra = facets ? "&facets=true&facet_limit=50" : "&facets=false";
  return `/v1/discover?${key}${key ? "&" : ""}limit=${PAGE_SIZE}&insights=false${extra}`;
}

/** Only the facet counts of a search (one result: the page on screen already came with the results). */
export function facetsPath(key: string): string {
  return `/v1/discover?${key}${key ? "&" : ""}limit=1&insights=false&facets=true&facet_limit=50`;
}

interface SentSearch {
  path: string;
  answer: Promise<DiscoverAnswer>;
  controller: AbortController;
}

let sent: SentSearch | undefined;

/**
 * Sends a search ahead of the Explorer's render (the render of a changed query costs the browser a frame
 * or more): the Explorer then takes it (`takeSearch`) instead of asking again. A newer one replaces it.
 */
export function sendSearch(path: string): void {
  sent?.controller.abort();
  const controller = new AbortController();
  const answer = getJson<DiscoverAnswer>(path, controller.signal);
  // Whoever takes it handles a failure; one nobody takes is not worth an unhandled rejection.
  answer.catch(() => undefined);
  sent = { path, answer, controller };
}

/** The search sent ahead for `path` (once); one sent for another path is dropped. */
export function takeSearch(path: string): Omit<SentSearch, "path"> | undefined {
  const found = sent;
  sent = undefined;
  if (found && found.path !== path) {
    found.controller.abort();
    return undefined;
  }
  return found;
}

/**
 * Sends the Explorer's first search (results and facets) at once when the page opens on the Explorer: it
 * then runs on the server while the browser is still reading the app's script.
 */
export function startEarlySearch(): void {
  const url = new URL(location.href);
  if (parseLocation(url).kind === "explorer") sendSearch(resultsPath(searchKey(url.searchParams), true));
}
