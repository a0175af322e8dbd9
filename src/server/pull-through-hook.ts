import { ensureRepoAvailable } from "../hub/mirror/pull-through.ts";
import type { Handler, RequestContext } from "./router.ts";
import { repoRefFromSegments, revisionFromSegments, splitRevisionAndPath } from "./wire/repo-path.ts";

/** The revision of `/revision/{rev}`, `/paths-info/{rev}` (and none, meaning HEAD, for plain repo info). */
export function revisionInRest(context: RequestContext): string {
  return revisionFromSegments(context.rest, "HEAD");
}

/** The revision of `/tree/{rev}/{path}` (a listing, so the whole repo is wanted). */
export function revisionBeforePath(context: RequestContext): string {
  return splitRevisionAndPath(context.rest).revision;
}

/** The revision and file of `/resolve/{rev}/{path}` and `/raw/{rev}/{path}`. */
export function revisionAndFile(context: RequestContext): { revision: string; path: string } {
  const { revision, path } = splitRevisionAndPath(context.rest);
  return { revision, path: path.join("/") };
}

/**
 * Wraps a read handler so that, in pull-through mode, a repo this instance lacks is pulled from the upstream
 * before the handler resolves it. A URL the handler will refuse anyway (no revision) is left to the handler.
 */
export function pullingThrough(
  handler: Handler,
  revisionOf: (context: RequestContext) => string | { revision: string; path: string },
): Handler {
  return async (context) => {
    if (context.hangar.config.pullThrough) {
      let target: { revision: string; path?: string } | undefined;
      try {
        const found = revisionOf(context);
        target = typeof found === "string" ? { revision: found } : found;
      } catch {
        target = undefined;
      }
      if (target !== undefined && target.path !== "") {
        const { type, namespace, name } = context.params;
        await ensureRepoAvailable(
          context.hangar,
          context.caller,
          repoRefFromSegments(type, namespace!, name!),
          target.revision,
          target.path,
        );
      }
    }
    await handler(context);
  };
}
