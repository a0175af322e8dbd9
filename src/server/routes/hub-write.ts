import { HangarError } from "../../core/errors.ts";
import type { JsonOf } from "../../core/json-schema.ts";
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
import { decodeSegment, sendJson } from "../http.ts";
import { readJsonBody } from "../read-json-body.ts";
import type { RequestContext, Router } from "../router.ts";
import {
  CREATE_BRANCH_BODY,
  CREATE_REPO_BODY,
  CREATE_TAG_BODY,
  DELETE_REPO_BODY,
  MOVE_REPO_BODY,
  PREUPLOAD_BODY,
  REPO_SETTINGS_BODY,
  VALIDATE_YAML_BODY,
} from "../wire/request-bodies.ts";

const REPO_API = "/api/:type(models|datasets|spaces)/:namespace/:name";

function badRequest(message: string): HangarError {
  return new HangarError("HANGAR_ERR_BAD_REQUEST", message);
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
  body: { name: string; organization?: string | null; type?: string | null },
): RepoRef {
  const type: RepoType = parseRepoType(body.type);
  const [first, second] = body.name.split("/");
  if (second !== undefined) return { type, namespace: first!, name: second };
  if (body.organization) return { type, namespace: body.organization, name: body.name };
  if (!context.caller) {
    throw new HangarError(
      "HANGAR_ERR_UNAUTHORIZED",
      "Authentication required: send a write token as a Bearer token",
    );
  }
  return { type, namespace: context.caller.user, name: body.name };
}

function parseInitialFiles(
  files: JsonOf<typeof CREATE_REPO_BODY.schema>["files"],
): InitialFile[] | undefined {
  if (!files) return undefined;
  return files.map((file) => ({
    path: file.path,
    content: Buffer.from(file.content ?? "", file.encoding === "utf-8" ? "utf8" : "base64"),
  }));
}

export function registerHubWriteRoutes(router: Router): void {
  router.add("POST", "/api/repos/create", async (context) => {
    const body = await readJsonBody(context, CREATE_REPO_BODY);
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
    const body = await readJsonBody(context, DELETE_REPO_BODY);
    await deleteRepo(context.hangar, context.caller, { repo: repoFromBody(context, body) });
    sendJson(context.response, 200, {});
  });

  router.add("POST", "/api/repos/move", async (context) => {
    const body = await readJsonBody(context, MOVE_REPO_BODY);
    const type = parseRepoType(body.type);
    const split = (value: string, name: string): RepoRef => {
      const [namespace, repoName, extra] = value.split("/");
      if (!namespace || !repoName || extra !== undefined)
        throw badRequest(`"${name}" must be "namespace/name"`);
      return { type, namespace, name: repoName };
    };
    const repo = await moveRepo(context.hangar, context.caller, {
      from: split(body.fromRepo, "fromRepo"),
      to: split(body.toRepo, "toRepo"),
    });
    sendJson(context.response, 200, { url: repoUrl(context.baseUrl, repo), name: repo.id, id: repo.id });
  });

  router.add("POST", "/api/validate-yaml", async (context) => {
    const body = await readJsonBody(context, VALIDATE_YAML_BODY);
    const result = await validateYaml({ content: body.content });
    sendJson(context.response, result.errors.length > 0 ? 400 : 200, result);
  });

  router.add("PUT", `${REPO_API}/settings`, async (context) => {
    const body = await readJsonBody(context, REPO_SETTINGS_BODY);
    const repo = await updateRepoSettings(context.hangar, context.caller, {
      repo: repoFromPath(context),
      private: body.private,
      visibility: body.visibility,
      gated: body.gated,
    });
    sendJson(context.response, 200, { private: repo.private, gated: repo.gated });
  });

  router.add("POST", `${REPO_API}/preupload/*revision`, async (context) => {
    const body = await readJsonBody(context, PREUPLOAD_BODY);
    const files = body.files.map((file) => ({
      path: file.path,
      size: file.size,
      sample: Buffer.from(file.sample ?? "", "base64"),
    }));
    const decisions = await preupload(context.hangar, context.caller, {
      repo: repoFromPath(context),
      revision: restAsName(context, "revision"),
      createPr: parseBoolean(context.url.searchParams.get("create_pr")) ?? false,
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
    const body = await readJsonBody(context, CREATE_BRANCH_BODY);
    await createBranch(context.hangar, context.caller, {
      repo: repoFromPath(context),
      branch: restAsName(context, "branch"),
      ...(body.startingPoint ? { startingPoint: body.startingPoint } : {}),
      empty: body.emptyBranch === true,
      overwrite: body.overwrite === true,
    });
    sendJson(context.response, 200, {});
  });

  router.add("DELETE", `${REPO_API}/branch/*branch`, async (context) => {
    await deleteBranch(context.hangar, context.caller, {
      repo: repoFromPath(context),
      branch: restAsName(context, "branch"),
    });
    sendJson(context.response, 200, {});
  });

  router.add("POST", `${REPO_API}/tag/*revision`, async (context) => {
    const body = await readJsonBody(context, CREATE_TAG_BODY);
    await createTag(context.hangar, context.caller, {
      repo: repoFromPath(context),
      revision: restAsName(context, "revision"),
      tag: body.tag,
    });
    sendJson(context.response, 200, {});
  });

  router.add("DELETE", `${REPO_API}/tag/*tag`, async (context) => {
    await deleteTag(context.hangar, context.caller, {
      repo: repoFromPath(context),
      tag: restAsName(context, "tag"),
    });
    sendJson(context.response, 200, {});
  });
}
