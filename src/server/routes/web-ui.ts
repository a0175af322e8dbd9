import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { HangarError } from "../../core/errors.ts";
import { decodeSegment, sendJson } from "../http.ts";
import type { RequestContext, Router } from "../router.ts";

const VERSION = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Where `npm install` (the `prepare` script: `npm run build:web`) puts the built web UI. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

/** The one line a browser gets when the web UI has not been built. */
export const WEB_UI_NOT_BUILT =
  "The web UI is not built: run `npm run build:web` in Hangar's folder (`npm install` does it), then reload.";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** Whether the client asked for a page (a browser's navigation sends `Accept: text/html,...`). */
export function wantsHtml(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => /^\s*text\/html\b/i.test(part));
}

/**
 * Sends one built file. Vite names the files under `assets/` by their content hash, so they are cached for
 * a year; `index.html` names the current ones, so it is revalidated on every load (its ETag makes that a
 * 304 when nothing changed).
 */
async function sendFile(context: RequestContext, path: string, immutable: boolean): Promise<boolean> {
  const { request, response } = context;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    return false;
  }
  if (!info.isFile()) return false;
  const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const headers: Record<string, string | number> = {
    "Content-Type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
    "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    ETag: etag,
    "X-Content-Type-Options": "nosniff",
  };
  if (extname(path) === ".html") {
    headers.Vary = "Accept, Origin";
    // The UI loads only its own scripts and styles and talks only to this server.
    headers["Content-Security-Policy"] =
      "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";
  }
  if (request.headers["if-none-match"] === etag) {
    response.writeHead(304, headers);
    response.end();
    return true;
  }
  const body = await readFile(path);
  response.writeHead(200, { ...headers, "Content-Length": body.byteLength });
  response.end(request.method === "HEAD" ? undefined : body);
  return true;
}

/** The app's page: every page URL is the same document, which routes on the client. */
async function sendApp(context: RequestContext, webRoot: string): Promise<void> {
  if (await sendFile(context, join(webRoot, "index.html"), false)) return;
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
  const page = (context: RequestContext) => sendApp(context, webRoot);
  for (const pattern of PAGE_PATTERNS) {
    router.add("GET", pattern, page, { pageOnly: true, summary: PAGE_SUMMARY });
    router.add("GET", `/:type(datasets|spaces)${pattern}`, page, { pageOnly: true, summary: PAGE_SUMMARY });
  }
}
