import { randomBytes } from "node:crypto";
import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Repo, RepoRef } from "../../core/types.ts";
import { repoUrlPrefix } from "../../core/validate.ts";
import type { DiscussionEventRow, DiscussionRow } from "../../store/discussions-table.ts";
import { canWriteNamespace } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import { emitHubEvent } from "../events/emit-hub-event.ts";
import type { HubScope } from "../hub.ts";

/** What every discussion operation names: the repo and the discussion's number. */
export interface DiscussionRef {
  repo: RepoRef;
  num: number;
}

/** A comment's data as stored: the latest text first in `history`. */
export interface CommentData {
  edited: boolean;
  hidden: boolean;
  hiddenBy?: string;
  history: Array<{ raw: string; updatedAt: string; author: string }>;
}

export const MAX_TITLE_LENGTH = 200;
export const MAX_COMMENT_LENGTH = 65_536;

/** A new event id: 24 hex digits, like the Hub's (Python lower-cases the ids it is given). */
export function newEventId(): string {
  return randomBytes(12).toString("hex");
}

export function discussionNotFound(repo: Repo, num: number): HangarError {
  return new HangarError("HANGAR_ERR_NOT_FOUND", `Discussion #${num} not found in ${repo.id}`);
}

export async function getDiscussion(
  hub: HubScope,
  repo: Repo,
  num: number,
  options: { forUpdate?: boolean } = {},
): Promise<DiscussionRow> {
  const discussion = await hub.catalog.discussions.get(repo.pk, num, options);
  if (!discussion) throw discussionNotFound(repo, num);
  return discussion;
}

/** Whether the caller may moderate the repo's discussions (merge, close, hide): a writer of its namespace. */
export function canModerate(caller: Caller, repo: Repo): boolean {
  return canWriteNamespace(caller, repo.namespace);
}

export function isAuthor(caller: Caller, author: string): boolean {
  return caller !== null && caller.user.toLowerCase() === author.toLowerCase();
}

export function forbidden(message: string): HangarError {
  return new HangarError("HANGAR_ERR_FORBIDDEN", message);
}

/** A title as the Hub takes it: trimmed, 1 to 200 characters. */
export function checkTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_TITLE_LENGTH) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `"title" must be 1 to ${MAX_TITLE_LENGTH} characters long`,
    );
  }
  return trimmed;
}

export function checkComment(field: string, text: string): string {
  if (text.trim().length === 0)
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `"${field}" may not be empty`);
  if (text.length > MAX_COMMENT_LENGTH) {
    throw new HangarError(
      "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      `"${field}" is ${text.length} characters long, over the limit of ${MAX_COMMENT_LENGTH}`,
    );
  }
  return text;
}

/**
 * Tells the webhooks watching the repo (domain `discussion`) about a discussion or pull request that was
 * opened or changed, or a comment added to it, in the transaction of the change (see emitHubEvent).
 */
export async function emitDiscussionEvent(
  hub: HubScope,
  discussion: DiscussionRow,
  what: { action: "create" | "update"; comment?: DiscussionEventRow },
): Promise<void> {
  const repo = await hub.catalog.repos.getByPk(discussion.repoPk);
  if (!repo) return;
  const page = `/${repoUrlPrefix(repo.type)}${repo.id}/discussions/${discussion.num}`;
  const api = `/api/${repo.type}s/${repo.id}/discussions/${discussion.num}`;
  await emitHubEvent(hub, {
    scope: what.comment ? "discussion.comment" : "discussion",
    action: what.action,
    repo,
    discussion: {
      num: discussion.num,
      title: discussion.title,
      status: discussion.status,
      isPullRequest: discussion.isPullRequest,
      author: { id: discussion.author },
      createdAt: discussion.createdAt,
      url: { web: page, api },
      ...(discussion.isPullRequest ? { pullRequest: { ref: `refs/pr/${discussion.num}` } } : {}),
    },
    ...(what.comment
      ? {
          comment: {
            id: what.comment.eventId,
            author: { id: what.comment.author },
            content: commentText(what.comment),
            hidden: false,
            url: { web: `${page}#${what.comment.eventId}` },
          },
        }
      : {}),
  });
}

/** The text of a comment event as it reads now. */
function commentText(event: DiscussionEventRow): string {
  const history = (event.data as { history?: Array<{ raw?: string }> }).history;
  return history?.at(-1)?.raw ?? "";
}

/** Appends a comment to a discussion's timeline. */
export async function addComment(
  hub: HubScope,
  discussion: DiscussionRow,
  author: string,
  text: string,
): Promise<DiscussionEventRow> {
  const at = nowIso();
  const data: CommentData = { edited: false, hidden: false, history: [{ raw: text, updatedAt: at, author }] };
  const comment = await hub.catalog.discussions.addEvent({
    discussionPk: discussion.pk,
    eventId: newEventId(),
    type: "comment",
    author,
    createdAt: at,
    data: { ...data },
  });
  await emitDiscussionEvent(hub, discussion, { action: "create", comment });
  return comment;
}

/** Appends any other event (status change, commit, title change) to a discussion's timeline. */
export async function addEvent(
  hub: HubScope,
  discussion: DiscussionRow,
  type: "status-change" | "commit" | "title-change",
  author: string,
  data: Record<string, unknown>,
): Promise<DiscussionEventRow> {
  const event = await hub.catalog.discussions.addEvent({
    discussionPk: discussion.pk,
    eventId: newEventId(),
    type,
    author,
    createdAt: nowIso(),
    data,
  });
  await emitDiscussionEvent(hub, discussion, { action: "update" });
  return event;
}
