import type { Repo } from "../../core/types.ts";
import { repoUrlPrefix } from "../../core/validate.ts";
import type { CommentData } from "../../hub/discussions/discussion-records.ts";
import type { DiscussionDetails } from "../../hub/discussions/get-discussion.ts";
import type { DiscussionEventRow, DiscussionRow } from "../../store/discussions-table.ts";

/** A user as the Hub shows one in discussions (Python reads `name`). */
export interface ApiDiscussionUser {
  name: string;
  fullname: string;
  type: "user";
  avatarUrl: string;
  isPro: boolean;
  isHf: boolean;
}

export interface ApiDiscussionEvent {
  id: string;
  type: string;
  createdAt: string;
  author: ApiDiscussionUser;
  data: Record<string, unknown>;
}

export interface ApiDiscussion {
  num: number;
  title: string;
  status: string;
  createdAt: string;
  author: ApiDiscussionUser;
  repo: { name: string; type: string };
  isPullRequest: boolean;
  numComments?: number;
  pinned: boolean;
  topReactions: unknown[];
}

export interface ApiDiscussionDetails extends ApiDiscussion {
  events: ApiDiscussionEvent[];
  locked: boolean;
  /** Pull requests only: the branch they merge into, and the commit that merged them. */
  changes?: { base: string; mergeCommitId?: string };
  filesWithConflicts?: string[];
  diff?: string;
}

function apiUser(name: string): ApiDiscussionUser {
  return { name, fullname: name, type: "user", avatarUrl: "", isPro: false, isHf: false };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** One timeline event: comments carry `latest` and `history` as the Hub's do; others their own fields. */
export function apiDiscussionEvent(event: DiscussionEventRow): ApiDiscussionEvent {
  const base = {
    id: event.eventId,
    type: event.type,
    createdAt: event.createdAt,
    author: apiUser(event.author),
  };
  if (event.type !== "comment") return { ...base, data: event.data };
  const comment = event.data as unknown as CommentData;
  const history = comment.history.map((entry) => ({
    raw: entry.raw,
    html: entry.raw ? `<p>${escapeHtml(entry.raw)}</p>` : "",
    updatedAt: entry.updatedAt,
    author: apiUser(entry.author),
  }));
  return {
    ...base,
    data: {
      edited: comment.edited,
      hidden: comment.hidden,
      ...(comment.hiddenBy ? { hiddenBy: comment.hiddenBy } : {}),
      latest: history[0] ?? { raw: "", html: "", updatedAt: event.createdAt, author: apiUser(event.author) },
      numEdits: Math.max(0, comment.history.length - 1),
      editors: [...new Set(comment.history.map((entry) => entry.author))],
      history,
      reactions: [],
    },
  };
}

export function apiDiscussion(
  repo: Repo,
  discussion: DiscussionRow & { numComments?: number },
): ApiDiscussion {
  return {
    num: discussion.num,
    title: discussion.title,
    status: discussion.status,
    createdAt: discussion.createdAt,
    author: apiUser(discussion.author),
    repo: { name: repo.id, type: repo.type },
    isPullRequest: discussion.isPullRequest,
    ...(discussion.numComments === undefined ? {} : { numComments: discussion.numComments }),
    pinned: false,
    topReactions: [],
  };
}

export function apiDiscussionDetails(details: DiscussionDetails): ApiDiscussionDetails {
  const { repo, discussion } = details;
  return {
    ...apiDiscussion(repo, discussion),
    events: details.events.map(apiDiscussionEvent),
    locked: false,
    ...(discussion.isPullRequest
      ? {
          changes: {
            base: `refs/heads/${discussion.targetBranch ?? "main"}`,
            ...(discussion.mergeCommitOid ? { mergeCommitId: discussion.mergeCommitOid } : {}),
          },
          filesWithConflicts: details.filesWithConflicts ?? [],
        }
      : {}),
    ...(details.diff === undefined ? {} : { diff: details.diff }),
  };
}

/** The discussion's page, as Python turns it into `refs/pr/N` (`…/discussions/N`). */
export function discussionUrl(baseUrl: string, repo: Repo, num: number): string {
  return `${baseUrl}/${repoUrlPrefix(repo.type)}${repo.id}/discussions/${num}`;
}
