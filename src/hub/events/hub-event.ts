import type { Repo } from "../../core/types.ts";
import { repoUrlPrefix } from "../../core/validate.ts";

/**
 * What happened on the hub, as webhooks report it (the Hub's payload, version 3). `scope` names the part
 * that changed: `repo` (created, deleted, moved), `repo.content` (a ref moved: commits, branches, tags),
 * `repo.config` (settings such as visibility), `discussion` and `discussion.comment` (for discussions and
 * pull requests).
 */
export type HubEventScope = "repo" | "repo.content" | "repo.config" | "discussion" | "discussion.comment";
export type HubEventAction = "create" | "delete" | "update" | "move";

/** A URL pair of the payload: paths here, made absolute with the server's base URL when delivered. */
export interface EventUrl {
  web: string;
  api?: string;
}

export interface HubEvent {
  scope: HubEventScope;
  action: HubEventAction;
  /** The repo as it is after the change (as it was, for a deletion). */
  repo: Repo;
  /** Refs the change moved, with their commit before and after (null: created or deleted). */
  updatedRefs?: Array<{ ref: string; oldSha: string | null; newSha: string | null }>;
  /** The new name, for `repo` + `move`. */
  movedTo?: { namespace: string; name: string };
  /** The discussion or pull request, for the `discussion` scopes (its `url` fields as paths). */
  discussion?: Record<string, unknown> & { url: EventUrl };
  /** The comment, for `discussion.comment`. */
  comment?: Record<string, unknown> & { url: EventUrl };
}

/** The webhook domain an event belongs to. */
export function eventDomain(scope: HubEventScope): "repo" | "discussion" {
  return scope.startsWith("discussion") ? "discussion" : "repo";
}

/** Paths of a repo's page and API entry (made absolute on delivery). */
export function repoEventUrl(repo: Pick<Repo, "type" | "namespace" | "name">): EventUrl {
  const id = `${repo.namespace}/${repo.name}`;
  return { web: `/${repoUrlPrefix(repo.type)}${id}`, api: `/api/${repo.type}s/${id}` };
}

/** The payload one webhook receives for an event (url fields still paths). */
export function eventPayload(event: HubEvent, webhookId: string): Record<string, unknown> {
  const { repo } = event;
  return {
    event: { action: event.action, scope: event.scope },
    repo: {
      type: repo.type,
      name: repo.id,
      id: String(repo.pk),
      private: repo.private,
      url: repoEventUrl(repo),
      owner: { id: repo.namespace },
      headSha: repo.sha ?? undefined,
      head_sha: repo.sha ?? undefined,
      tags: repo.tags,
    },
    ...(event.discussion ? { discussion: event.discussion } : {}),
    ...(event.comment ? { comment: event.comment } : {}),
    ...(event.updatedRefs ? { updatedRefs: event.updatedRefs } : {}),
    ...(event.movedTo
      ? {
          movedTo: {
            name: `${event.movedTo.namespace}/${event.movedTo.name}`,
            owner: { id: event.movedTo.namespace },
          },
        }
      : {}),
    webhook: { id: webhookId, version: 3 },
  };
}

/** Makes every `url: {web, api}` path of a payload absolute on `baseUrl`. */
export function absolutePayloadUrls(value: unknown, baseUrl: string): unknown {
  if (Array.isArray(value)) return value.map((entry) => absolutePayloadUrls(entry, baseUrl));
  if (value === null || typeof value !== "object") return value;
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key === "url" && entry && typeof entry === "object" && !Array.isArray(entry)) {
      const url: Record<string, unknown> = {};
      for (const [part, path] of Object.entries(entry)) {
        url[part] = typeof path === "string" && path.startsWith("/") ? `${baseUrl}${path}` : path;
      }
      result[key] = url;
    } else {
      result[key] = absolutePayloadUrls(entry, baseUrl);
    }
  }
  return result;
}
