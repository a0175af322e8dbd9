import { readFile, stat } from "node:fs/promises";
import { extname } from "node:path";
import { chooseEncoding, compressorsAt, type Encoding, MIN_COMPRESS_BYTES } from "../content-encoding.ts";
import type { RequestContext } from "../router.ts";

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

/** Text worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".json", ".map"]);
/** The file extension `vite build` (web/vite.config.ts) gives each precompressed copy. */
export const ENCODING_SUFFIX: Record<Encoding, string> = { br: ".br", gzip: ".gz" };

/** Whether an `If-None-Match` header names this ETag (a list, `*`, or a weak form). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}

interface Compressed {
  key: string;
  body: Buffer;
}

/** Bodies compressed at serve time (files with no precompressed copy), by path and encoding. */
const compressedCache = new Map<string, Compressed>();
const MAX_CACHED = 64;

/** Files are compressed once and kept: the smallest bodies are worth the time. */
const compressors = compressorsAt({ brotli: 9, gzip: 9 });

/**
 * The file's body in `encoding`: its precompressed copy (`file.js.br`, `file.js.gz`, written by the build)
 * when there is one as new as the file, else compressed now and kept in memory for the next request.
 */
async function encodedBody(path: string, encoding: Encoding, version: string): Promise<Buffer> {
  const copy = `${path}${ENCODING_SUFFIX[encoding]}`;
  const copyInfo = await stat(copy).catch(() => undefined);
  const fileInfo = await stat(path);
  if (copyInfo?.isFile() && copyInfo.mtimeMs >= fileInfo.mtimeMs) return readFile(copy);
  const cacheKey = `${encoding}:${path}`;
  const cached = compressedCache.get(cacheKey);
  if (cached?.key === version) return cached.body;
  const body = await compressors[encoding](await readFile(path));
  if (compressedCache.size >= MAX_CACHED) compressedCache.delete(compressedCache.keys().next().value!);
  compressedCache.set(cacheKey, { key: version, body });
  return body;
}

/**
 * Sends one built file. Vite names the files under `assets/` by their content hash, so they are cached for
 * a year; `index.html` names the current ones, so it is revalidated on every load (its ETag makes that a
 * 304 when nothing changed). Text goes brotli- or gzip-compressed when the client accepts it (`Vary:
 * Accept-Encoding`, one ETag per encoding).
 */
export async function sendFile(
  context: RequestContext,
  path: string,
  immutable: boolean,
  status = 200,
): Promise<boolean> {
  const { request, response } = context;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    return false;
  }
  if (!info.isFile()) return false;
  const extension = extname(path);
  const version = `${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}`;
  const compressible = COMPRESSIBLE.has(extension) && info.size >= MIN_COMPRESS_BYTES;
  const encoding = compressible ? chooseEncoding(request.headers["accept-encoding"]) : undefined;
  const etag = `"${version}${encoding ? `-${encoding}` : ""}"`;
  const vary = [
    ...(extension === ".html" ? ["Accept", "Origin"] : []),
    ...(compressible ? ["Accept-Encoding"] : []),
  ];
  const headers: Record<string, string | number> = {
    "Content-Type": CONTENT_TYPES[extension] ?? "application/octet-stream",
    // An error page (`status` other than 200) is not kept: the next request asks again.
    "Cache-Control":
      status !== 200 ? "no-store" : immutable ? "public, max-age=31536000, immutable" : "no-cache",
    ETag: etag,
    "X-Content-Type-Options": "nosniff",
  };
  if (vary.length) headers.Vary = vary.join(", ");
  if (extension === ".html") {
    // The UI loads only its own scripts and styles and talks only to this server.
    headers["Content-Security-Policy"] =
      "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";
  }
  if (status === 200 && matchesEtag(request.headers["if-none-match"], etag)) {
    response.writeHead(304, headers);
    response.end();
    return true;
  }
  const body = encoding ? await encodedBody(path, encoding, version) : await readFile(path);
  if (encoding) headers["Content-Encoding"] = encoding;
  response.writeHead(status, { ...headers, "Content-Length": body.byteLength });
  response.end(request.method === "HEAD" ? undefined : body);
  return true;
}
