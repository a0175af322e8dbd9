import type { RepoDesignation } from "@huggingface/hub";
import { HubApiError } from "@huggingface/hub";
import { HangarError } from "../../core/errors.ts";
import type { RepoType } from "../../core/types.ts";
import { parseRepoId, parseRepoType, repoUrlPrefix } from "../../core/validate.ts";

/** Where the client commands send their requests. `HF_ENDPOINT` is left alone: Hangar reads it as its upstream. */
export const DEFAULT_ENDPOINT = "http://127.0.0.1:7860";

/** A repo on a hub, with the credentials to reach it: everything a client call needs. */
export interface HubTarget {
  /** Base URL without a trailing slash. */
  hubUrl: string;
  accessToken?: string;
  type: RepoType;
  /** `namespace/name`. */
  id: string;
}

export interface Connection {
  hubUrl: string;
  accessToken?: string;
}

export function resolveConnection(options: {
  endpoint?: string;
  token?: string;
  env: Record<string, string | undefined>;
}): Connection {
  const raw = options.endpoint ?? options.env.HANGAR_ENDPOINT ?? DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`Invalid endpoint "${raw}": expected a URL such as ${DEFAULT_ENDPOINT}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`Invalid endpoint "${raw}": expected an http:// or https:// URL`);
  }
  const hubUrl = url.href.replace(/\/+$/, "");
  const accessToken = options.token ?? (options.env.HF_TOKEN || undefined);
  return accessToken ? { hubUrl, accessToken } : { hubUrl };
}

export function makeTarget(connection: Connection, repoId: string, repoType: string | undefined): HubTarget {
  const type = parseRepoType(repoType);
  const ref = parseRepoId(repoId, type);
  return { ...connection, type, id: `${ref.namespace}/${ref.name}` };
}

/** The repo as `@huggingface/hub` designates it. */
export function designation(target: HubTarget): RepoDesignation {
  return { type: target.type, name: target.id };
}

/** `https://host/api/models/ns/name` */
export function apiRepoUrl(target: Pick<HubTarget, "hubUrl" | "type" | "id">): string {
  return `${target.hubUrl}/api/${target.type}s/${target.id}`;
}

/**
 * The link the CLI prints for a repo, or for it at a revision: the Hub API's repo info (files, commit,
 * card data), which a browser or curl opens. The web pages at the Hub's own URLs (`/ns/name`,
 * `/ns/name/commit/sha`) come with the web UI; until then those answer 404.
 */
export function repoInfoUrl(target: Pick<HubTarget, "hubUrl" | "type" | "id">, revision?: string): string {
  return `${apiRepoUrl(target)}${revision ? `/revision/${encodeURIComponent(revision)}` : ""}`;
}

/** `https://host/datasets/ns/name` (no prefix for models) */
export function webRepoUrl(target: HubTarget): string {
  return `${target.hubUrl}/${repoUrlPrefix(target.type)}${target.id}`;
}

function authHeaders(target: Connection): Record<string, string> {
  return target.accessToken ? { authorization: `Bearer ${target.accessToken}` } : {};
}

/** Calls a Hub JSON route; a failure becomes a {@link HubApiError} carrying the server's message. */
export async function hubRequest<T>(
  target: Connection,
  method: string,
  url: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      accept: "application/json",
      ...authHeaders(target),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw await apiError(response);
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
}

export async function apiError(response: Response): Promise<HubApiError> {
  const error = new HubApiError(
    response.url,
    response.status,
    response.headers.get("x-request-id") ?? undefined,
  );
  let message = response.headers.get("x-error-message") ?? "";
  const text = await response.text().catch(() => "");
  try {
    const json = JSON.parse(text) as NonNullable<HubApiError["data"]>;
    error.data = json;
    if (!message && typeof json.error === "string") message = json.error;
    if (!message && typeof json.message === "string") message = json.message;
  } catch {
    error.data = { message: text };
  }
  error.message = message || `HTTP ${response.status} ${response.statusText}`;
  return error;
}

/** The repo's current commit at `revision` (branch, tag or sha). */
export async function resolveRevisionSha(target: HubTarget, revision: string): Promise<string> {
  const info = await hubRequest<{ sha?: unknown }>(
    target,
    "GET",
    `${apiRepoUrl(target)}/revision/${encodeURIComponent(revision)}`,
  );
  if (typeof info.sha !== "string" || !/^[0-9a-f]{40}$/.test(info.sha)) {
    throw new Error(`The hub did not return a commit id for revision "${revision}" of ${target.id}`);
  }
  return info.sha;
}

/**
 * Turns any failure of a client call into one readable line: what the server said, and a hint when the
 * cause is usually on the caller's side (no token, wrong endpoint).
 */
export function describeClientError(error: unknown, target: Connection & { id?: string }): string {
  if (error instanceof HubApiError) {
    const serverMessage = stripTrailer(error.message);
    const what = target.id ? `${target.id}: ` : "";
    if (error.statusCode === 401 || (error.statusCode === 404 && isRepoNotFound(error))) {
      const hint = target.accessToken
        ? "check the repo id and that your token can read it"
        : "it may be private: pass --token or set HF_TOKEN";
      return `${what}${serverMessage} (HTTP ${error.statusCode}; ${hint})`;
    }
    if (error.statusCode === 403 && !target.accessToken) {
      return `${what}${serverMessage} (HTTP 403; pass --token or set HF_TOKEN)`;
    }
    return `${what}${serverMessage} (HTTP ${error.statusCode})`;
  }
  if (error instanceof Error) {
    if (error.message === "fetch failed") {
      const cause = error.cause as { code?: string; message?: string } | undefined;
      const reason = cause?.code ?? cause?.message ?? "network error";
      return `Cannot reach a hub at ${target.hubUrl} (${reason}); start one with \`hangar serve\` or set --endpoint / HANGAR_ENDPOINT`;
    }
    return stripTrailer(error.message);
  }
  return String(error);
}

function isRepoNotFound(error: HubApiError): boolean {
  const data = error.data as { code?: unknown } | undefined;
  return (
    /repository not found|RepoNotFound/i.test(error.message) || data?.code === "HANGAR_ERR_REPO_NOT_FOUND"
  );
}

/** The library appends ". URL: ... Request ID: ..." to messages; the command already says which repo. */
function stripTrailer(message: string): string {
  return message.replace(/\.? URL: \S+.*$/s, "").split("\n")[0]!;
}

/** Wraps a client call so its failure surfaces as one line (main prints the first line of the message). */
export async function withClientErrors<T>(
  target: Connection & { id?: string },
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (HangarError.isInstance(error)) throw error;
    throw new Error(describeClientError(error, target), { cause: error });
  }
}
