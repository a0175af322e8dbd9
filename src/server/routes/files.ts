import { createHash } from "node:crypto";
import { HangarError } from "../../core/errors.ts";
import { type OpenedFile, openFile } from "../../hub/read/open-file.ts";
import { clientAddress } from "../http.ts";
import { pullingThrough, revisionAndFile } from "../pull-through-hook.ts";
import type { RequestContext, Router } from "../router.ts";
import { repoRefFromSegments, splitRevisionAndPath } from "../wire/repo-path.ts";

export type ByteRange =
  | { kind: "whole" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

/**
 * Reads a `Range` header for a file of `size` bytes. One range is served (`a-b`, `a-`, `-n`); a header
 * that is malformed or asks for several ranges is ignored, which HTTP allows, and the whole file is sent.
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (!header) return { kind: "whole" };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === "" && match[2] === "")) return { kind: "whole" };
  const first = match[1] === "" ? undefined : Number(match[1]);
  const last = match[2] === "" ? undefined : Number(match[2]);
  if (first === undefined) {
    const suffix = last!;
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  if (last !== undefined && last < first) return { kind: "whole" };
  if (first >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", start: first, end: Math.min(last ?? size - 1, size - 1) };
}

const TEXT_EXTENSIONS = new Set(["md", "txt", "py", "yaml", "yml", "csv", "tsv", "jinja", "gitattributes"]);

function contentTypeOf(path: string): string {
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  if (extension === "json") return "application/json; charset=utf-8";
  if (extension === "jsonl") return "application/jsonl; charset=utf-8";
  if (TEXT_EXTENSIONS.has(extension)) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

async function sendFile(context: RequestContext, file: OpenedFile): Promise<void> {
  const { response } = context;
  const etag = `"${file.etag}"`;
  const headers: Record<string, string | number> = {
    "Content-Type": contentTypeOf(file.file.path),
    ETag: etag,
    "X-Repo-Commit": file.commitOid,
    "X-Linked-Etag": etag,
    "X-Linked-Size": file.size,
    "Accept-Ranges": "bytes",
    // Bytes at a path change with the branch; clients revalidate with the ETag, never trust a stale copy.
    "Cache-Control": "no-cache",
  };
  let range = parseRange(context.request.headers.range, file.size);
  if (range.kind === "unsatisfiable" && file.size === 0) {
    // An empty file has no byte to range over. JS probes every file with `bytes=0-0` and reads the total
    // from Content-Range, so send the (empty) file with its total rather than an error.
    headers["Content-Range"] = "bytes */0";
    range = { kind: "whole" };
  }
  if (range.kind === "unsatisfiable") {
    throw new HangarError(
      "HANGAR_ERR_RANGE_NOT_SATISFIABLE",
      `The range ${context.request.headers.range} is outside the ${file.size} bytes of ${file.file.path}`,
      { headers: { ...stringHeaders(headers), "Content-Range": `bytes */${file.size}` } },
    );
  }
  const isHead = context.method === "HEAD";
  if (file.redirectUrl) {
    // As the Hub does with its CDN: the bytes come from the blob store, and the 302 itself carries what
    // clients read from a HEAD (huggingface_hub does not follow it, and takes size and etag from here).
    for (const name of ["Content-Type", "Accept-Ranges", "Content-Range"]) delete headers[name];
    headers.Location = file.redirectUrl;
    headers["Content-Length"] = 0;
    response.writeHead(302, headers);
    response.end();
    return;
  }
  if (range.kind === "partial") {
    headers["Content-Range"] = `bytes ${range.start}-${range.end}/${file.size}`;
    headers["Content-Length"] = range.end - range.start + 1;
    response.writeHead(206, headers);
  } else {
    headers["Content-Length"] = file.size;
    response.writeHead(200, headers);
  }
  if (isHead || file.size === 0) {
    response.end();
    return;
  }
  try {
    await file.sendTo(response, range.kind === "partial" ? range : undefined);
  } catch (error) {
    // A client that hangs up mid-download (a probe, a cancelled resume) is normal, not a server error.
    if ((error as NodeJS.ErrnoException).code === "ERR_STREAM_PREMATURE_CLOSE") return;
    throw error;
  }
}

function stringHeaders(headers: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
}

/** The client a download is counted for: its token, or (anonymous) its address and user agent. */
function downloadSessionOf(context: RequestContext): string {
  const identity = context.caller
    ? `token:${context.caller.token.id}:${context.caller.user}`
    : `anonymous:${clientAddress(context.request, context.hangar.config)}:${context.request.headers["user-agent"] ?? ""}`;
  return createHash("sha256").update(identity).digest("hex").slice(0, 32);
}

async function fileHandler(context: RequestContext): Promise<void> {
  const { revision, path } = splitRevisionAndPath(context.rest);
  if (path.length === 0) {
    throw new HangarError("HANGAR_ERR_INVALID_PATH", "The URL names no file after the revision");
  }
  const file = await openFile(context.hangar, context.caller, {
    ref: repoRefFromSegments(context.params.type, context.params.namespace!, context.params.name!),
    revision,
    path: path.join("/"),
    raw: context.params.kind === "raw",
    // Every GET and HEAD of /resolve/ may count (as on the Hub); a client's session counts once.
    ...(context.params.kind === "resolve" ? { downloadSession: downloadSessionOf(context) } : {}),
    allowRedirect: context.params.kind === "resolve",
  });
  await sendFile(context, file);
}

/**
 * File downloads: `/{prefix}{namespace}/{name}/resolve|raw/{revision}/{path}`. On the filesystem store (or
 * an S3 store with `downloads: "proxy"`), LFS files are streamed directly with 200 (HEAD answers the real
 * size): one hop fewer, and `X-Linked-*` headers still tell clients the LFS identity. On an S3 store with
 * `downloads: "redirect"`, `/resolve/` of an LFS file answers 302 to a presigned URL of the blob, as the Hub
 * does; regular files are always sent by Hangar.
 */
export function registerFileRoutes(router: Router): void {
  const handler = pullingThrough(fileHandler, revisionAndFile);
  router.add("GET", "/:type(datasets|spaces)/:namespace/:name/:kind(resolve|raw)/*rest", handler);
  router.add("GET", "/:namespace/:name/:kind(resolve|raw)/*rest", handler);
}
