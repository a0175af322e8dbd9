import {
  datasetInfo,
  type ListFileEntry,
  listCommits,
  listFiles,
  modelInfo,
  spaceInfo,
} from "@huggingface/hub";
import { HangarError } from "../../core/errors.ts";
import type { GatedMode, RepoRef, RepoType } from "../../core/types.ts";
import { repoUrlPrefix } from "../../core/validate.ts";
import { extractCardFacts } from "../metadata/extract-card-facts.ts";

/** The hub a mirror pulls from: `HF_ENDPOINT` and `HF_TOKEN` unless a caller names another. */
export interface Upstream {
  endpoint: string;
  token?: string;
}

/** Why an upstream request failed, for callers that answer differently (pull-through hides most of them). */
export type UpstreamFailure = "unreachable" | "auth" | "gated" | "missing" | "error";

/** Until the response headers arrive; a download's body may take as long as it needs. */
const HEADERS_TIMEOUT_MS = 30_000;

function hostOf(upstream: Upstream): string {
  try {
    return new URL(upstream.endpoint).host;
  } catch {
    return upstream.endpoint;
  }
}

export function upstreamFailure(error: unknown): UpstreamFailure | undefined {
  if (!HangarError.isInstance(error)) return undefined;
  const failure = error.details.upstreamFailure;
  return typeof failure === "string" ? (failure as UpstreamFailure) : undefined;
}

function failed(
  failure: UpstreamFailure,
  code: ConstructorParameters<typeof HangarError>[0],
  message: string,
  status?: number,
): HangarError {
  return new HangarError(code, message, {
    details: { upstreamFailure: failure },
    ...(status !== undefined ? { status } : {}),
  });
}

async function errorText(response: Response): Promise<string> {
  const header = response.headers.get("x-error-message");
  if (header) return header;
  const text = await response.text().catch(() => "");
  try {
    const json = JSON.parse(text) as { error?: unknown };
    if (typeof json.error === "string") return json.error;
  } catch {
    // Not JSON: the text itself, shortened.
  }
  return text.slice(0, 200);
}

/** Turns an upstream refusal into an error that says what to do about it. */
async function refusal(upstream: Upstream, repo: string, response: Response): Promise<HangarError> {
  const host = hostOf(upstream);
  const code = response.headers.get("x-error-code");
  const message = await errorText(response);
  const tokenHint = upstream.token
    ? "the token in HF_TOKEN has no access to it"
    : "set HF_TOKEN to a token that has access";
  if (code === "GatedRepo" || (response.status === 403 && /gated/i.test(message))) {
    return failed("gated", "HANGAR_ERR_GATED_REPO", `${host} says ${repo} is gated: ${tokenHint}`);
  }
  if (response.status === 401) {
    return upstream.token && code !== "RepoNotFound"
      ? failed(
          "auth",
          "HANGAR_ERR_UNAUTHORIZED",
          `${host} refuses the token in HF_TOKEN for ${repo}: ${message}`,
        )
      : failed(
          "auth",
          "HANGAR_ERR_UNAUTHORIZED",
          `${host} says ${repo} does not exist or is private: ${upstream.token ? "the token in HF_TOKEN has no access to it, or the id is wrong" : "if it is private, set HF_TOKEN to a token that has access"}`,
        );
  }
  if (response.status === 403) {
    return failed(
      "auth",
      "HANGAR_ERR_FORBIDDEN",
      `${host} refuses access to ${repo}: ${tokenHint} (${message})`,
    );
  }
  if (response.status === 404) {
    if (code === "RevisionNotFound") {
      return failed(
        "missing",
        "HANGAR_ERR_REVISION_NOT_FOUND",
        `${host} has no such revision of ${repo}: ${message}`,
      );
    }
    if (code === "EntryNotFound") {
      return failed("missing", "HANGAR_ERR_ENTRY_NOT_FOUND", `${host}: ${message}`);
    }
    return failed(
      "missing",
      "HANGAR_ERR_REPO_NOT_FOUND",
      `${host} has no repo ${repo}${upstream.token ? "" : " (if it is private, set HF_TOKEN to a token that has access)"}`,
    );
  }
  return failed(
    "error",
    "HANGAR_ERR_UPSTREAM",
    `${host} answered ${response.status} for ${repo}${message ? `: ${message}` : ""}`,
  );
}

/**
 * A `fetch` for the upstream: adds the token (the library would refuse tokens without the `hf_` prefix),
 * asks for bytes as stored, and turns failures into errors that name the upstream and the fix, so an
 * unreachable upstream never looks like a missing repo.
 */
export function upstreamFetch(upstream: Upstream, repo: string): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    if (upstream.token) headers.set("authorization", `Bearer ${upstream.token}`);
    if (!headers.has("accept-encoding")) headers.set("accept-encoding", "identity");
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), HEADERS_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(input, { ...init, headers, signal: controller.signal });
    } catch (error) {
      const timedOut = controller.signal.aborted;
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      throw failed(
        "unreachable",
        "HANGAR_ERR_UPSTREAM",
        timedOut
          ? `The upstream hub ${upstream.endpoint} did not answer within ${HEADERS_TIMEOUT_MS / 1000} s`
          : `Cannot reach the upstream hub ${upstream.endpoint}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        timedOut ? 504 : 502,
      );
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw await refusal(upstream, repo, response);
    return response;
  };
}

export interface UpstreamRepoInfo {
  /** The commit the revision points at upstream. */
  sha: string;
  private: boolean;
  gated: GatedMode;
  downloads?: number;
  likes?: number;
  lastModified?: string;
  /** The card's `license` (lower case), null when none. */
  license: string | null;
  /** The card's `base_model` list. */
  baseModels: string[];
}

function repoLabel(ref: RepoRef): string {
  return `${repoUrlPrefix(ref.type)}${ref.namespace}/${ref.name}`;
}

const designation = (ref: RepoRef): { type: RepoType; name: string } => ({
  type: ref.type,
  name: `${ref.namespace}/${ref.name}`,
});

/** Repo info at a revision (`HEAD` when absent), with the commit it resolves to. */
export async function fetchUpstreamRepoInfo(
  upstream: Upstream,
  ref: RepoRef,
  revision?: string,
): Promise<UpstreamRepoInfo> {
  const common = {
    name: `${ref.namespace}/${ref.name}`,
    hubUrl: upstream.endpoint,
    fetch: upstreamFetch(upstream, repoLabel(ref)),
    ...(revision ? { revision } : {}),
  };
  const info =
    ref.type === "model"
      ? await modelInfo({ ...common, additionalFields: ["sha", "cardData"] })
      : ref.type === "dataset"
        ? await datasetInfo({ ...common, additionalFields: ["sha", "cardData"] })
        : await spaceInfo({ ...common, additionalFields: ["sha", "cardData"] });
  const sha = (info as { sha?: unknown }).sha;
  if (typeof sha !== "string" || !/^[0-9a-f]{40}$/.test(sha)) {
    throw failed(
      "error",
      "HANGAR_ERR_UPSTREAM",
      `${hostOf(upstream)} gave no commit id for ${repoLabel(ref)}`,
    );
  }
  const fields = info as {
    private?: boolean;
    gated?: GatedMode;
    downloads?: number;
    likes?: number;
    updatedAt?: Date;
    cardData?: unknown;
  };
  // The licence policy decides on the card before any file is fetched.
  const card =
    typeof fields.cardData === "object" && fields.cardData !== null && !Array.isArray(fields.cardData)
      ? extractCardFacts(fields.cardData as Record<string, unknown>, [])
      : undefined;
  return {
    sha,
    license: card?.license ?? null,
    baseModels: card?.baseModels ?? [],
    private: fields.private === true,
    gated: fields.gated === "auto" || fields.gated === "manual" ? fields.gated : false,
    ...(typeof fields.downloads === "number" ? { downloads: fields.downloads } : {}),
    ...(typeof fields.likes === "number" ? { likes: fields.likes } : {}),
    ...(fields.updatedAt instanceof Date && !Number.isNaN(fields.updatedAt.getTime())
      ? { lastModified: fields.updatedAt.toISOString() }
      : {}),
  };
}

/** Every file of the repo at a commit (folders left out). */
export async function listUpstreamFiles(
  upstream: Upstream,
  ref: RepoRef,
  sha: string,
): Promise<ListFileEntry[]> {
  const files: ListFileEntry[] = [];
  for await (const entry of listFiles({
    repo: designation(ref),
    revision: sha,
    recursive: true,
    hubUrl: upstream.endpoint,
    fetch: upstreamFetch(upstream, repoLabel(ref)),
  })) {
    if (entry.type === "file") files.push(entry);
  }
  return files;
}

export interface UpstreamCommit {
  title: string;
  /** The whole message, title first, as Hangar stores it. */
  message: string;
  author: string;
  date: string;
}

/** Title, author and date of one commit; undefined when the upstream does not list commits. */
export async function fetchUpstreamCommit(
  upstream: Upstream,
  ref: RepoRef,
  sha: string,
): Promise<UpstreamCommit | undefined> {
  try {
    const commits = listCommits({
      repo: designation(ref),
      revision: sha,
      batchSize: 1,
      hubUrl: upstream.endpoint,
      fetch: upstreamFetch(upstream, repoLabel(ref)),
    });
    const first = await commits.next();
    await commits.return(undefined);
    if (first.done || first.value.oid !== sha) return undefined;
    const { title, message, authors, date } = first.value;
    // The Hub's `message` is the description; Hangar keeps title and description as one message.
    const full = !message ? title : message.startsWith(title) ? message : `${title}\n\n${message}`;
    return {
      title,
      message: full,
      author: authors[0]?.username ?? "upstream",
      date: Number.isNaN(date.getTime()) ? new Date().toISOString() : date.toISOString(),
    };
  } catch (error) {
    if (upstreamFailure(error) === "unreachable") throw error;
    return undefined;
  }
}

/** Where a file's bytes are at a commit. */
export function upstreamFileUrl(upstream: Upstream, ref: RepoRef, sha: string, path: string): string {
  const encodedPath = path.split("/").map(encodeURIComponent).join("/");
  return `${upstream.endpoint}/${repoLabel(ref)}/resolve/${sha}/${encodedPath}`;
}

export { repoLabel };
