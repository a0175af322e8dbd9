import { HangarError } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import { parseRepoType } from "../../core/validate.ts";
import { decodeSegment } from "../http.ts";

/**
 * Reading repo ids, revisions and file paths from RAW path segments. Clients disagree on encoding: Python
 * encodes the whole revision (`refs%2Fpr%2F1`), JS encodes it except after `/tree/`, where it sends
 * `refs/pr/1` as three segments. Decoding happens here, once per segment, after routing.
 */
export function repoRefFromSegments(
  typeSegment: string | undefined,
  namespace: string,
  name: string,
): RepoRef {
  return {
    type: parseRepoType(typeSegment, "model"),
    namespace: decodeSegment(namespace),
    name: decodeSegment(name),
  };
}

/** Ref namespaces whose names can arrive unencoded, spanning three segments. */
const SPLIT_REF_KINDS = new Set(["pr", "convert"]);

/** Splits `{revision}/{path...}` where the revision may be one encoded segment or a raw `refs/pr/N`. */
export function splitRevisionAndPath(segments: readonly string[]): { revision: string; path: string[] } {
  const [first, second] = segments;
  if (first === undefined) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", "The URL names no revision");
  }
  if (first === "refs" && second !== undefined && SPLIT_REF_KINDS.has(second) && segments.length >= 3) {
    return {
      revision: `refs/${second}/${decodeSegment(segments[2]!)}`,
      path: segments.slice(3).map(decodeSegment),
    };
  }
  return { revision: decodeSegment(first), path: segments.slice(1).map(decodeSegment) };
}

/** A revision sent as the rest of the path (`/revision/{rev}`, `/commits/{rev}`, `/paths-info/{rev}`). */
export function revisionFromSegments(segments: readonly string[], fallback?: string): string {
  if (segments.length === 0) {
    if (fallback !== undefined) return fallback;
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", "The URL names no revision");
  }
  return segments.map(decodeSegment).join("/");
}

/** All values of a repeated query parameter, accepting both `name` and `name[]`. */
export function queryList(query: URLSearchParams, name: string): string[] {
  return [...query.getAll(name), ...query.getAll(`${name}[]`)];
}
