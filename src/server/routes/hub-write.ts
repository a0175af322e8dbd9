import { HangarError } from "../../core/errors.ts";
import type { RepoRef, RepoType } from "../../core/types.ts";
import { parseBoolean, parseRepoType, parseVisibility, repoUrlPrefix } from "../../core/validate.ts";
import { repoUrl } from "../../hub/create-repo.ts";
import { commitNdjson } from "../../hub/write/commit-ndjson.ts";
import { createBranch } from "../../hub/write/create-branch.ts";
import { createRepoWithFiles, type InitialFile } from "../../hub/write/create-repo-with-files.ts";
import { createTag } from "../../hub/write/create-tag.ts";
import { deleteBranch } from "../../hub/write/delete-branch.ts";
import { deleteRepo } from "../../hub/write/delete-repo.ts";
import { deleteTag } from "../../hub/write/delete-tag.ts";
import { moveRepo } from "../../hub/write/move-repo.ts";
import { preupload } from "../../hub/write/preupload.ts";
import { updateRepoSettings } from "../../hub/write/update-repo-settings.ts";
import { validateYaml } from "../../hub/write/validate-yaml.ts";
import { decodeSegment, readJson, sendJson } from "../http.ts";
import type { RequestContext, Router } from "../router.ts";

/** Wire shapes of the Hub's write API. */
interface ApiCreateRepoRequest {
  name?: unknown;
  organization?: unknown;
  type?: unknown;
  private?: unknown;
  visibility?: unknown;
  files?: unknown;
}

interface ApiPreuploadRequest {
  files?: unknown;
  gitAttributes?: unknown;
  gitIgnore?: unknown;
}

const REPO_API = "/api/:type(models|datasets|spaces)/:namespace/:name";

function badRequest(message: string): HangarError {
  return new HangarError("HANGAR_ERR_BAD_REQUEST", message);
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "")
    throw badRequest(`"${name}" is required and must be a string`);
  return value;
}

/** The repo named by the route's `:type/:namespace/:name` segments. */
function repoFromPath(context: RequestContext): RepoRef {
  return {
    type: parseRepoType(context.params.type),
    namespace: decodeSegment(context.params.namespace!),
    name: decodeSegment(context.params.name!),
  };
}

/** A revision or ref name from the rest of the path: clients send `refs%2Fpr%2F1` or, sometimes, raw slashes. */
function restAsName(context: RequestContext, what: string): string {
  const value = context.rest.map(decodeSegment).join("/");
  if (!value) throw badRequest(`The ${what} is missing from the URL`);
  return value;
}

/** The repo a body names (`{name, organization, type}`); `name` may also be a full `namespace/name`. */
function repoFromBody(
  context: RequestContext,
  body: { name?: unknown; organization?: unknown; type?: unknown },
): RepoRef {
  const type: RepoType = parseRepoType(typeof body.type === "string" ? body.type : undefined);
  const fullName = requiredString(body.name, "name");
  const [first, second] = fullName.split("/");
  if (second !== undefined) return { type, namespace: first!, name: second };
  let namespace = body.organization;
  if (namespace === undefined || namespace === null || namespace === "") {
    if (!context.caller) {
      throw new HangarError(
        "HANGAR_ERR_UNAUTHORIZED",
        "Authentication required: send a write token as a Bearer token",
      );
    }
    namespace = context.caller.user;
  }
  return { type, namespace: requiredString(namespace, "organization"), name: fullName };
}

function parseInitialFiles(value: unknown): InitialFile[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest(`"files" must be a list of {path, content, encoding}`);
  return value.map((item: { path?: unknown; content?: unknown; encoding?: unknown }, index) => {
    const path = requiredString(item?.path, `files[${index}].path`);
    const content = typeof item?.content === "string" ? item.content : "";
    const encoding = item?.encoding ?? "base64";
    if (encoding !== "base64" && encoding !== "utf-8") {
      throw badRequest(`files[${index}].encoding must be "base64" or "utf-8"`);
    }
    return { path, content: Buffer.from(content, encoding === "base64" ? "base64" : "utf8") };
  });
}

export function registerHubWriteRoutes(router: Router): void {
  router.add("POST", "/api/repos/create", async (context) => {
    const body = await readJson<ApiCreateRepoRequest>(context);
    const ref = repoFromBody(context, body);
    const url = repoUrl(context.baseUrl, ref);
    const files = parseInitialFiles(body.files);
    try {
      const repo = await createRepoWithFiles(context.hangar, context.caller, {
        ...ref,
        private: parseVisibility(body) ?? false,
        ...(files ? { files } : {}),
      });
      sendJson(context.response, 200, { url: repoUrl(context.baseUrl, repo), name: repo.id, id: repo.id });
    } catch (error) {
      // Python's `exist_ok=True` swallows the 409 and then reads `url` from its body.
      if (HangarError.isInstance(error) && error.code === "HANGAR_ERR_CONFLICT") {
        throw new HangarError(error.code, error.message, { details: { ...error.details, url } });
      }
      throw error;
    }
  });

  router.add("DELETE", "/api/repos/delete", async (context) => {
    const body = await readJson<{ name?: unknown; organization?: unknown; type?: unknown }>(context);
    deleteRepo(context.hangar, context.caller, { repo: repoFromBody(context, body) });
    sendJson(context.response, 200, {});
  });

  router.add("POST", "/api/repos/move", async (context) => {
    const body = await readJson<{ fromRepo?: unknown; toRepo?: unknown; type?: unknown }>(context);
    const type = parseRepoType(typeof body.type === "string" ? body.type : undefined);
    const split = (value: unknown, name: string): RepoRef => {
      const [namespace, repoName, extra] = requiredString(value, name).split("/");
      if (!namespace || !repoName || extra !== undefined)
        throw badRequest(`"${name}" must be "namespace/name"`);
      return { type, namespace, name: repoName };
    };
    const repo = moveRepo(context.hangar, context.caller, {
      from: split(body.fromRepo, "fromRepo"),
      to: split(body.toRepo, "toRepo"),
    });
    sendJson(context.response, 200, { url: repoUrl(context.baseUrl, repo), name: repo.id, id: repo.id });
  });

  router.add("POST", "/api/validate-yaml", async (context) => {
    const body = await readJson<{ content?: unknown; repoType?: unknown }>(context);
    const result = await validateYaml({ content: typeof body.content === "string" ? body.content : "" });
    sendJson(context.response, result.errors.length > 0 ? 400 : 200, result);
  });

  router.add("PUT", `${REPO_API}/settings`, async (context) => {
    const body = await readJson<{ private?: unknown; visibility?: unknown; gated?: unknown }>(context);
    const repo = updateRepoSettings(context.hangar, context.caller, { repo: repoFromPath(context), ...body });
    sendJson(context.response, 200, { private: repo.private, gated: repo.gated });
  });

  router.add("POST", `${REPO_API}/preupload/*revision`, async (context) => {
    const body = await readJson<ApiPreuploadRequest>(context);
    if (!Array.isArray(body.files)) throw badRequest(`"files" must be a list of {path, size, sample}`);
    const files = body.files.map((item: { path?: unknown; size?: unknown; sample?: unknown }, index) => ({
      path: requiredString(item?.path, `files[${index}].path`),
      size: typeof item?.size === "number" ? item.size : Number.NaN,
      sample: Buffer.from(typeof item?.sample === "string" ? item.sample : "", "base64"),
    }));
    const decisions = await preupload(context.hangar, context.caller, {
      repo: repoFromPath(context),
      revision: restAsName(context, "revision"),
      files,
      ...(typeof body.gitAttributes === "string" ? { gitAttributes: body.gitAttributes } : {}),
      ...(typeof body.gitIgnore === "string" ? { gitIgnore: body.gitIgnore } : {}),
    });
    sendJson(context.response, 200, { files: decisions });
  });

  router.add("POST", `${REPO_API}/commit/*revision`, async (context) => {
    const ref = repoFromPath(context);
    const lengthHeader = context.request.headers["content-length"];
    const contentLength = lengthHeader === undefined ? undefined : Number(lengthHeader);
    const result = await commitNdjson(context.hangar, context.caller, {
      repo: ref,
      revision: restAsName(context, "revision"),
      createPr: parseBoolean(context.url.searchParams.get("create_pr")) ?? false,
      body: context.request,
      ...(contentLength === undefined ? {} : { declaredSize: contentLength }),
    });
    const base = `${context.baseUrl}/${repoUrlPrefix(ref.type)}${ref.namespace}/${ref.name}`;
    sendJson(context.response, 200, {
      success: true,
      commitOid: result.commit.oid,
      commitUrl: `${base}/commit/${result.commit.oid}`,
      hookOutput: "",
      pullRequestUrl:
        result.pullRequestNumber === undefined ? null : `${base}/discussions/${result.pullRequestNumber}`,
    });
  });

  router.add("POST", `${REPO_API}/branch/*branch`, async (context) => {
    const body = await readJson<{ startingPoint?: unknown; emptyBranch?: unknown; overwrite?: unknown }>(
      context,
    );
    createBranch(context.hangar, context.caller, {
      repo: repoFromPath(context),
      branch: restAsName(context, "branch"),
      ...(typeof body.startingPoint === "string" && body.startingPoint
        ? { startingPoint: body.startingPoint }
        : {}),
      empty: body.emptyBranch === true,
      overwrite: body.overwrite === true,
    });
    sendJson(context.response, 200, {});
  });

  router.add("DELETE", `${REPO_API}/branch/*branch`, (context) => {
    deleteBranch(context.hangar, context.caller, {
      repo: repoFromPath(context),
      branch: restAsName(context, "branch"),
    });
    sendJson(context.response, 200, {});
  });

  router.add("POST", `${REPO_API}/tag/*revision`, async (context) => {
    const body = await readJson<{ tag?: unknown; message?: unknown }>(context);
    createTag(context.hangar, context.caller, {
      repo: repoFromPath(context),
      revision: restAsName(context, "revision"),
      tag: requiredString(body.tag, "tag"),
    });
    sendJson(context.response, 200, {});
  });

  router.add("DELETE", `${REPO_API}/tag/*tag`, (context) => {
    deleteTag(context.hangar, context.caller, {
      repo: repoFromPath(context),
      tag: restAsName(context, "tag"),
    });
    sendJson(context.response, 200, {});
  });

  router.add("GET", `${REPO_API}/discussions`, () => {
    throw new HangarError(
      "HANGAR_ERR_NOT_IMPLEMENTED",
      "Discussions are not implemented in Hangar; pull requests exist only as refs/pr/N",
    );
  });
}
