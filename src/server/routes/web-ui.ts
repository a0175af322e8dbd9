import { readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { HangarError } from "../../core/errors.ts";
import { canRead } from "../../hub/access.ts";
import { decodeSegment, sendJson } from "../http.ts";
import type { RequestContext, Router } from "../router.ts";
import { repoRefFromSegments } from "../wire/repo-path.ts";
import { sendFile } from "./web-ui-files.ts";

const VERSION = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Where `npm install` (the `prepare` script: `npm run build:web`) puts the built web UI. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

/** The one line a browser gets when the web UI has not been built. */
export const WEB_UI_NOT_BUILT =
  "The web UI is not built: run `npm run build:web` in Hangar's folder (`npm install` does it), then reload.";

/** Whether the client asked for a page (a browser's navigation sends `Accept: text/html,...`). */
export function wantsHtml(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => /^\s*text\/html\b/i.test(part));
}

/**
 * The app's page: every page URL is the same document, which routes on the client. `status` 404 is for the
 * page of a repo that does not exist (or that the caller may not see): the app shows it as not found.
 */
async function sendApp(context: RequestContext, webRoot: string, status: 200 | 404 = 200): Promise<void> {
  if (await sendFile(context, join(webRoot, "index.html"), false, status)) return;
  const text = `${WEB_UI_NOT_BUILT}\n`;
  context.response.writeHead(503, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    Vary: "Accept, Origin",
  });
  context.response.end(context.request.method === "HEAD" ? undefined : text);
}

/** The Hub's page URLs of a repo (`/{namespace}/{name}` and below), answered with the app for browsers. */
const PAGE_PATTERNS = [
  "/:namespace/:name",
  "/:namespace/:name/tree/*rest",
  "/:namespace/:name/blob/*rest",
  "/:namespace/:name/commits/*rest",
  "/:namespace/:name/commit/:sha",
];

const PAGE_SUMMARY = "The web UI's page for a repo (browsers only: requests that accept text/html)";

/**
 * The web UI (`web/`, built by Vite into `webRoot`): `GET /` gives a browser the Explorer and anyone else
 * the instance's name, version and counts as JSON; `/assets/...` are the built files; the Hub's page URLs
 * (`/{namespace}/{name}`, `/datasets/...`, `/spaces/...`, `/tree/...`, `/blob/...`, `/commit/...`,
 * `/commits/...`) give a browser the app, which opens the matching view. The page routes are `pageOnly`: a
 * request that does not ask for HTML (git, the Hub's clients) passes over them as if they did not exist.
 */
export function registerWebUiRoutes(router: Router, webRoot: string = DEFAULT_WEB_ROOT): void {
  router.add("GET", "/", async (context) => {
    const { request, response, hangar } = context;
    if (wantsHtml(request.headers.accept)) return sendApp(context, webRoot);
    sendJson(
      response,
      200,
      {
        name: "Hangar",
        version: VERSION,
        repos: await hangar.catalog.repos.count(undefined, "local"),
        catalogEntries: await hangar.catalog.repos.count(undefined, "upstream"),
      },
      { Vary: "Accept, Origin" },
    );
  });
  router.add(
    "GET",
    "/assets/*rest",
    async (context) => {
      const names = context.rest.map(decodeSegment);
      if (names.length === 0 || names.some((name) => name === ".." || name === "." || name.includes(sep))) {
        throw new HangarError("HANGAR_ERR_NOT_FOUND", `No such file: ${context.rawPath}`);
      }
      const found = await sendFile(context, join(webRoot, "assets", ...names), true);
      if (!found) throw new HangarError("HANGAR_ERR_NOT_FOUND", `No such file: ${context.rawPath}`);
    },
    { summary: "The web UI's built scripts and styles (cached for a year: their names carry their hash)" },
  );
  // As on the Hub, a repo's page answers 404 when the repo does not exist or the caller may not read it (a
  // navigation carries no token: the app then asks the API with the token it holds, if any).
  const page = async (context: RequestContext) => {
    const { params, hangar, caller } = context;
    const repo = await hangar.catalog.repos.get(
      repoRefFromSegments(params.type, params.namespace!, params.name!),
    );
    return sendApp(context, webRoot, repo && canRead(caller, repo) ? 200 : 404);
  };
  for (const pattern of PAGE_PATTERNS) {
    router.add("GET", pattern, page, { pageOnly: true, summary: PAGE_SUMMARY });
    router.add("GET", `/:type(datasets|spaces)${pattern}`, page, { pageOnly: true, summary: PAGE_SUMMARY });
  }
}
