import { optional } from "../../core/config-values.ts";
import { HangarError } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import { parseBoolean, parseRepoType } from "../../core/validate.ts";
import { changeDiscussionStatus } from "../../hub/discussions/change-discussion-status.ts";
import { commentDiscussion } from "../../hub/discussions/comment-discussion.ts";
import { editComment } from "../../hub/discussions/edit-comment.ts";
import { getDiscussionDetails } from "../../hub/discussions/get-discussion.ts";
import { hideComment } from "../../hub/discussions/hide-comment.ts";
import { listDiscussions } from "../../hub/discussions/list-discussions.ts";
import { mergePullRequest } from "../../hub/discussions/merge-pull-request.ts";
import { openDiscussion } from "../../hub/discussions/open-discussion.ts";
import { renameDiscussion } from "../../hub/discussions/rename-discussion.ts";
import { superSquashHistory } from "../../hub/write/super-squash-history.ts";
import { decodeSegment, sendJson } from "../http.ts";
import { readJsonBody, readOptionalJsonBody } from "../read-json-body.ts";
import type { RequestContext, Router } from "../router.ts";
import {
  apiDiscussion,
  apiDiscussionDetails,
  apiDiscussionEvent,
  discussionUrl,
} from "../wire/api-discussions.ts";
import {
  CREATE_DISCUSSION_BODY,
  DISCUSSION_COMMENT_BODY,
  DISCUSSION_OPTIONAL_COMMENT_BODY,
  DISCUSSION_STATUS_BODY,
  DISCUSSION_TITLE_BODY,
  EDIT_COMMENT_BODY,
  SUPER_SQUASH_BODY,
} from "../wire/request-bodies.ts";

const REPO_API = "/api/:type(models|datasets|spaces)/:namespace/:name";
const DISCUSSION = `${REPO_API}/discussions/:num`;

function repoFromPath(context: RequestContext): RepoRef {
  return {
    type: parseRepoType(context.params.type),
    namespace: decodeSegment(context.params.namespace!),
    name: decodeSegment(context.params.name!),
  };
}

function discussionFromPath(context: RequestContext): { repo: RepoRef; num: number } {
  const raw = decodeSegment(context.params.num!);
  if (!/^[1-9]\d{0,9}$/.test(raw)) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `The discussion number "${raw}" must be a positive integer`,
    );
  }
  return { repo: repoFromPath(context), num: Number(raw) };
}

function oneOf<T extends string>(name: string, value: string | null, allowed: readonly T[]): T | undefined {
  if (value === null || value === "") return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `"${name}" must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

function pageIndex(value: string | null): number {
  if (value === null || value === "") return 0;
  if (!/^\d{1,6}$/.test(value)) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `"p" must be a page index (an integer >= 0)`);
  }
  return Number(value);
}

/** The Hub's discussions and pull requests (`/api/{type}s/{repo}/discussions…`) and super-squash. */
export function registerDiscussionRoutes(router: Router): void {
  router.add("GET", `${REPO_API}/discussions`, async (context) => {
    const query = context.url.searchParams;
    const result = await listDiscussions(context.hangar, context.caller, {
      repo: repoFromPath(context),
      ...optional("type", oneOf("type", query.get("type"), ["all", "discussion", "pull_request"] as const)),
      ...optional("status", oneOf("status", query.get("status"), ["all", "open", "closed"] as const)),
      ...optional("author", query.get("author") || undefined),
      page: pageIndex(query.get("p")),
    });
    sendJson(context.response, 200, {
      discussions: result.discussions.map((row) => apiDiscussion(result.repo, row)),
      count: result.count,
      start: result.start,
    });
  });

  router.add("POST", `${REPO_API}/discussions`, async (context) => {
    const body = await readJsonBody(context, CREATE_DISCUSSION_BODY);
    const { repo, discussion } = await openDiscussion(context.hangar, context.caller, {
      repo: repoFromPath(context),
      title: body.title,
      ...(body.description ? { description: body.description } : {}),
      pullRequest: body.pullRequest === true,
    });
    sendJson(context.response, 200, {
      num: discussion.num,
      url: discussionUrl(context.baseUrl, repo, discussion.num),
    });
  });

  router.add("GET", DISCUSSION, async (context) => {
    const details = await getDiscussionDetails(context.hangar, context.caller, {
      ...discussionFromPath(context),
      diff: parseBoolean(context.url.searchParams.get("diff")) ?? false,
    });
    sendJson(context.response, 200, apiDiscussionDetails(details));
  });

  router.add("POST", `${DISCUSSION}/comment`, async (context) => {
    const body = await readJsonBody(context, DISCUSSION_COMMENT_BODY);
    const event = await commentDiscussion(context.hangar, context.caller, {
      ...discussionFromPath(context),
      comment: body.comment,
    });
    sendJson(context.response, 200, { newMessage: apiDiscussionEvent(event) });
  });

  router.add("POST", `${DISCUSSION}/comment/:comment/edit`, async (context) => {
    const body = await readJsonBody(context, EDIT_COMMENT_BODY);
    const event = await editComment(context.hangar, context.caller, {
      ...discussionFromPath(context),
      commentId: decodeSegment(context.params.comment!),
      content: body.content,
    });
    sendJson(context.response, 200, { updatedComment: apiDiscussionEvent(event) });
  });

  router.add("POST", `${DISCUSSION}/comment/:comment/hide`, async (context) => {
    await readOptionalJsonBody(context, DISCUSSION_OPTIONAL_COMMENT_BODY);
    const event = await hideComment(context.hangar, context.caller, {
      ...discussionFromPath(context),
      commentId: decodeSegment(context.params.comment!),
    });
    sendJson(context.response, 200, { updatedComment: apiDiscussionEvent(event) });
  });

  router.add("POST", `${DISCUSSION}/title`, async (context) => {
    const body = await readJsonBody(context, DISCUSSION_TITLE_BODY);
    const event = await renameDiscussion(context.hangar, context.caller, {
      ...discussionFromPath(context),
      title: body.title,
    });
    sendJson(context.response, 200, { newTitle: apiDiscussionEvent(event) });
  });

  router.add("POST", `${DISCUSSION}/status`, async (context) => {
    const body = await readJsonBody(context, DISCUSSION_STATUS_BODY);
    const event = await changeDiscussionStatus(context.hangar, context.caller, {
      ...discussionFromPath(context),
      status: body.status,
      ...(body.comment ? { comment: body.comment } : {}),
    });
    sendJson(context.response, 200, { newStatus: apiDiscussionEvent(event) });
  });

  router.add("POST", `${DISCUSSION}/merge`, async (context) => {
    const body = await readOptionalJsonBody(context, DISCUSSION_OPTIONAL_COMMENT_BODY);
    const result = await mergePullRequest(context.hangar, context.caller, {
      ...discussionFromPath(context),
      ...(body.comment ? { comment: body.comment } : {}),
    });
    sendJson(context.response, 200, { status: "merged", mergeCommitId: result.mergeCommitOid });
  });

  router.add("POST", `${REPO_API}/super-squash/*branch`, async (context) => {
    const body = await readOptionalJsonBody(context, SUPER_SQUASH_BODY);
    const branch = context.rest.map(decodeSegment).join("/");
    if (!branch) throw new HangarError("HANGAR_ERR_BAD_REQUEST", "The branch is missing from the URL");
    const commit = await superSquashHistory(context.hangar, context.caller, {
      repo: repoFromPath(context),
      branch,
      message: body.message ?? "",
      author: context.caller?.user ?? "hangar",
    });
    sendJson(context.response, 200, { commitId: commit.oid });
  });
}
