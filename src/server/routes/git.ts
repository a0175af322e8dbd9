import type { ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { HangarError } from "../../core/errors.ts";
import type { Repo, RepoRef } from "../../core/types.ts";
import { parseRepoType } from "../../core/validate.ts";
import { v0Advertisement, v2Advertisement } from "../../git/advertise.ts";
import { FLUSH, pktLine } from "../../git/pkt-line.ts";
import { receiveAdvertisement } from "../../git/receive-request.ts";
import { assertCanWrite } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { listGitRefs } from "../../hub/git/git-refs.ts";
import { serveReceivePack } from "../../hub/git/receive-pack.ts";
import { errLine, serveUploadPack } from "../../hub/git/upload-pack.ts";
import { cloneableRepo, withChallenge } from "../basic-auth.ts";
import { decodeSegment, readBody } from "../http.ts";
import type { Handler, RequestContext, Router } from "../router.ts";

/** A fetch request names wants and haves: a few MB at most, even for a partial clone asking for every blob. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const inflate = promisify(gunzip);
/** Room for a push's ref updates in front of its pack. */
const PUSH_COMMANDS_BYTES = 1024 * 1024;

/** The repo of `/{prefix}{namespace}/{name}[.git]/...`. */
function gitRepoRef(context: RequestContext): RepoRef {
  const name = decodeSegment(context.params.repo!);
  return {
    type: context.params.type ? parseRepoType(context.params.type) : "model",
    namespace: decodeSegment(context.params.namespace!),
    name: name.endsWith(".git") ? name.slice(0, -".git".length) : name,
  };
}

function protocolVersion(context: RequestContext): 0 | 2 {
  const header = context.request.headers["git-protocol"];
  const value = Array.isArray(header) ? header.join(":") : (header ?? "");
  return value.split(":").includes("version=2") ? 2 : 0;
}

function assertSmartHttp(service: string | null): void {
  if (service === "git-upload-pack" || service === "git-receive-pack") return;
  throw new HangarError(
    "HANGAR_ERR_NOT_FOUND",
    "Hangar serves git over smart HTTP only: use git 1.6.6 or later (info/refs?service=git-upload-pack)",
  );
}

const NO_CACHE = {
  "Cache-Control": "no-cache, max-age=0, must-revalidate",
  Expires: "Fri, 01 Jan 1980 00:00:00 GMT",
};

const infoRefs: Handler = async (context) => {
  const service = context.url.searchParams.get("service");
  assertSmartHttp(service);
  if (service === "git-receive-pack") {
    await receiveInfoRefs(context);
    return;
  }
  const caller = context.caller;
  const repo = await cloneableRepo(context, caller, gitRepoRef(context));
  const version = protocolVersion(context);
  const body = version === 2 ? v2Advertisement() : v0Advertisement(await listGitRefs(context.hangar, repo));
  context.response.writeHead(200, {
    "Content-Type": "application/x-git-upload-pack-advertisement",
    "Content-Length": body.byteLength,
    ...NO_CACHE,
  });
  context.response.end(body);
};

/**
 * The repo a push goes to: 401 with the Basic challenge for an anonymous caller (git then sends
 * credentials), the write check's reason for a caller who may not write.
 */
async function pushableRepo(
  context: RequestContext,
): Promise<{ repo?: Repo; refusal?: string; caller?: Caller }> {
  const caller = context.caller;
  if (!caller) {
    throw withChallenge(
      new HangarError(
        "HANGAR_ERR_UNAUTHORIZED",
        "Authentication required to push: use a write token as the password",
      ),
    );
  }
  const repo = await cloneableRepo(context, caller, gitRepoRef(context));
  try {
    assertCanWrite(caller, repo.namespace);
  } catch (error) {
    if (HangarError.isInstance(error)) return { refusal: error.message };
    throw error;
  }
  return { repo, caller };
}

async function receiveInfoRefs(context: RequestContext): Promise<void> {
  const { repo, refusal } = await pushableRepo(context);
  // A refusal is a well-formed advertisement holding only an ERR line: git prints the reason
  // (`remote error: ...`) rather than an HTTP status.
  const body = repo
    ? receiveAdvertisement(await listGitRefs(context.hangar, repo))
    : Buffer.concat([pktLine("# service=git-receive-pack\n"), FLUSH, errLine(refusal!)]);
  context.response.writeHead(200, {
    "Content-Type": "application/x-git-receive-pack-advertisement",
    "Content-Length": body.byteLength,
    ...NO_CACHE,
  });
  context.response.end(body);
}

async function readGitBody(context: RequestContext, limit: number): Promise<Buffer> {
  const raw = await readBody(context.request, limit);
  const encoding = (context.request.headers["content-encoding"] ?? "").toLowerCase();
  if (encoding !== "gzip" && encoding !== "x-gzip") return raw;
  return inflate(raw, { maxOutputLength: limit }).catch(() => {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `The gzipped request body is malformed or inflates past ${limit} bytes`,
    );
  });
}

const receivePack: Handler = async (context) => {
  const { repo, refusal, caller } = await pushableRepo(context);
  if (!repo) throw new HangarError("HANGAR_ERR_FORBIDDEN", refusal!);
  // The commands and the pack; the pack within the request size limit (large files go through Git LFS).
  const body = await readGitBody(
    context,
    context.hangar.config.limits.maxRequestBodySize + PUSH_COMMANDS_BYTES,
  );
  const answer = await serveReceivePack(context.hangar, repo, body, caller);
  context.response.writeHead(200, {
    "Content-Type": "application/x-git-receive-pack-result",
    "Content-Length": answer.byteLength,
    ...NO_CACHE,
  });
  context.response.end(answer);
};

/** Writes to the response, waiting while its buffer is full; fails once the client has gone. */
function responseSink(response: ServerResponse): (chunk: Buffer) => Promise<void> {
  return async (chunk) => {
    if (!response.headersSent) {
      response.writeHead(200, { "Content-Type": "application/x-git-upload-pack-result", ...NO_CACHE });
    }
    if (response.destroyed) throw new Error("the client closed the connection");
    if (response.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        response.off("drain", done);
        response.off("close", closed);
        if (error) reject(error);
        else resolve();
      };
      const closed = () => done(new Error("the client closed the connection"));
      response.on("drain", done);
      response.on("close", closed);
    });
  };
}

const uploadPack: Handler = async (context) => {
  const caller = context.caller;
  const repo = await cloneableRepo(context, caller, gitRepoRef(context));
  const body = await readGitBody(context, MAX_REQUEST_BYTES);
  const { response } = context;
  const sink = responseSink(response);
  try {
    await serveUploadPack(context.hangar, repo, { version: protocolVersion(context), body, sink });
  } catch (error) {
    if (response.headersSent) {
      // The pack had started: the client has been told on band 3 (or sees a short pack).
      if (!HangarError.isInstance(error) && !response.destroyed) console.error(error);
      response.end();
      return;
    }
    if (!HangarError.isInstance(error)) console.error(error);
    // git reads the reason from an ERR line, not from the HTTP status.
    const message = HangarError.isInstance(error) ? error.message : "internal server error";
    await sink(errLine(message)).catch(() => {});
  }
  response.end();
};

/**
 * Git smart HTTP at `/{prefix}{namespace}/{name}[.git]`: the ref advertisements, `git-upload-pack` (clone
 * and fetch; protocol v2 when the client asks for it and v0 otherwise) and `git-receive-pack` (push, v0).
 */
export function registerGitRoutes(router: Router): void {
  // git sends a token as HTTP Basic credentials: the request hook resolves them (see RouteOptions).
  const git = { acceptsBasicAuth: true };
  router.add("GET", "/:namespace/:repo/info/refs", infoRefs, git);
  router.add("GET", "/:type(datasets|spaces)/:namespace/:repo/info/refs", infoRefs, git);
  router.add("POST", "/:namespace/:repo/git-upload-pack", uploadPack, git);
  router.add("POST", "/:type(datasets|spaces)/:namespace/:repo/git-upload-pack", uploadPack, git);
  router.add("POST", "/:namespace/:repo/git-receive-pack", receivePack, git);
  router.add("POST", "/:type(datasets|spaces)/:namespace/:repo/git-receive-pack", receivePack, git);
}
