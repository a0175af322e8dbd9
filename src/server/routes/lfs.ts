import { pipeline } from "node:stream/promises";
import { HangarError } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import { parseRepoType } from "../../core/validate.ts";
import { lfsDownloadBatch, openSignedLfsDownload } from "../../hub/read/lfs-download.ts";
import { lfsBatch } from "../../hub/write/lfs-batch.ts";
import { completeLfsMultipart, uploadLfsObject, uploadLfsPart } from "../../hub/write/lfs-upload.ts";
import { verifyLfsObject } from "../../hub/write/lfs-verify.ts";
import { withChallenge } from "../basic-auth.ts";
import { decodeSegment, sendJson } from "../http.ts";
import { readJsonBody } from "../read-json-body.ts";
import type { Handler, RequestContext, Router } from "../router.ts";
import { LFS_BATCH_BODY, LFS_COMPLETION_BODY, LFS_VERIFY_BODY } from "../wire/request-bodies.ts";

const LFS_JSON = { "Content-Type": "application/vnd.git-lfs+json" };

/** The repo of a `/{prefix}{namespace}/{name}.git/info/lfs/...` URL. */
function repoFromGitPath(context: RequestContext): RepoRef {
  const repoSegment = decodeSegment(context.params.repo!);
  if (!repoSegment.endsWith(".git")) {
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `No route for ${context.method} ${context.rawPath}`);
  }
  return {
    type: context.params.type ? parseRepoType(context.params.type) : "model",
    namespace: decodeSegment(context.params.namespace!),
    name: repoSegment.slice(0, -".git".length),
  };
}

function repoFromUploadPath(context: RequestContext): { repo: RepoRef; oid: string } {
  return {
    repo: {
      type: parseRepoType(context.params.type),
      namespace: decodeSegment(context.params.namespace!),
      name: decodeSegment(context.params.name!),
    },
    oid: decodeSegment(context.params.oid!),
  };
}

function declaredLength(context: RequestContext): number | undefined {
  const header = context.request.headers["content-length"];
  return header === undefined ? undefined : Number(header);
}

const batch: Handler = async (context) => {
  const body = await readJsonBody(context, LFS_BATCH_BODY);
  // git-lfs sends the credentials git has for the remote (HTTP Basic, a token as the password).
  const caller = context.caller;
  const repo = repoFromGitPath(context);
  const objects = body.objects as Array<{ oid: unknown; size: unknown }>;
  const result = await (body.operation === "download"
    ? lfsDownloadBatch(context.hangar, caller, { repo, objects, baseUrl: context.baseUrl })
    : lfsBatch(context.hangar, caller, {
        repo,
        operation: body.operation,
        ...(body.transfers ? { transfers: body.transfers } : {}),
        ...(typeof body.hash_algo === "string" ? { hashAlgo: body.hash_algo } : {}),
        objects,
        baseUrl: context.baseUrl,
      })
  ).catch((error: unknown) => {
    throw withChallenge(error);
  });
  // git-lfs sends a verify call with the action's headers only, never with git's credentials: the
  // caller's own Authorization goes back to it on each verify action (as git LFS servers do).
  const authorization = context.request.headers.authorization;
  if (authorization) {
    for (const object of result.objects) {
      const actions = "actions" in object ? object.actions : undefined;
      const verify = actions && "verify" in actions ? actions.verify : undefined;
      if (verify) verify.header = { ...verify.header, Authorization: authorization };
    }
  }
  sendJson(context.response, 200, result, LFS_JSON);
};

const verify: Handler = async (context) => {
  const body = await readJsonBody(context, LFS_VERIFY_BODY);
  await verifyLfsObject(context.hangar, context.caller, {
    repo: repoFromGitPath(context),
    oid: body.oid,
    size: body.size,
  }).catch((error: unknown) => {
    throw withChallenge(error);
  });
  sendJson(context.response, 200, {}, LFS_JSON);
};

export function registerLfsRoutes(router: Router): void {
  // huggingface.js appends the batch's X-Request-Id to each per-object error it shows: only an id the client
  // chose comes back here, so the messages users see stay the server's own.
  // git-lfs sends git's credentials (HTTP Basic): the request hook resolves them (see RouteOptions).
  const batchOptions = { requestIdOnlyWhenSent: true, acceptsBasicAuth: true };
  const verifyOptions = { acceptsBasicAuth: true };
  router.add("POST", "/:namespace/:repo/info/lfs/objects/batch", batch, batchOptions);
  router.add("POST", "/:type(datasets|spaces)/:namespace/:repo/info/lfs/objects/batch", batch, batchOptions);
  router.add("POST", "/:namespace/:repo/info/lfs/objects/verify", verify, verifyOptions);
  router.add(
    "POST",
    "/:type(datasets|spaces)/:namespace/:repo/info/lfs/objects/verify",
    verify,
    verifyOptions,
  );

  // Signed URLs from the batch reply: clients call them without an Authorization header.
  router.add("GET", "/api/lfs-download/:type/:namespace/:name/:oid", async (context) => {
    const { repo, oid } = repoFromUploadPath(context);
    const download = await openSignedLfsDownload(context.hangar, {
      repo,
      oid,
      query: context.url.searchParams,
    });
    context.response.writeHead(200, {
      "Content-Type": "application/octet-stream",
      "Content-Length": download.size,
      "Cache-Control": "private, max-age=3600",
    });
    if (context.method === "HEAD" || download.size === 0) {
      context.response.end();
      return;
    }
    await pipeline(await download.read(), context.response);
  });

  router.add("PUT", "/api/lfs-upload/:type/:namespace/:name/:oid", async (context) => {
    const { repo, oid } = repoFromUploadPath(context);
    const query = context.url.searchParams;
    const length = declaredLength(context);
    try {
      if (query.has("part")) {
        const etag = await uploadLfsPart(context.hangar, {
          repo,
          oid,
          query,
          body: context.request,
          ...(length === undefined ? {} : { contentLength: length }),
        });
        sendJson(context.response, 200, {}, { ETag: etag });
      } else {
        await uploadLfsObject(context.hangar, {
          repo,
          oid,
          query,
          body: context.request,
          ...(length === undefined ? {} : { contentLength: length }),
        });
        sendJson(context.response, 200, {});
      }
    } catch (error) {
      // Let the client finish sending so it reads the error instead of a reset connection.
      context.request.resume();
      throw error;
    }
  });

  router.add("POST", "/api/lfs-upload/:type/:namespace/:name/:oid", async (context) => {
    const { repo, oid } = repoFromUploadPath(context);
    const body = await readJsonBody(context, LFS_COMPLETION_BODY);
    if (typeof body.oid === "string" && body.oid !== oid) {
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", `The completion names ${body.oid}, not ${oid}`);
    }
    await completeLfsMultipart(context.hangar, {
      repo,
      oid,
      query: context.url.searchParams,
      parts: body.parts as Array<{ partNumber: unknown; etag: unknown }>,
    });
    sendJson(context.response, 200, {}, LFS_JSON);
  });
}
