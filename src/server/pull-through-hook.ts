import { ensureRepoAvailable } from "../hub/mirror/pull-through.ts";
import type { Handler, RequestContext } from "./router.ts";
import { repoRefFromSegments, revisionFromSegments, splitRevisionAndPath } from "./wire/repo-path.ts";

/** The revision of `/revision/{rev}`, `/paths-info/{rev}` (and none, meaning HEAD, for plain repo info). */
export function revisionInRest(context: RequestContext): string {
  return revisionFromSegments(context.rest, "HEAD");
}

/** The revision of `/tree/{rev}/{path}` and `/resolve/{rev}/{path}`. */
export function revisionBeforePath(context: RequestContext): string {
  return splitRevisionAndPath(context.rest).revision;
}

/**
 * Wraps a read handler so that, in pull-through mode, a repo this instance lacks is pulled from the upstream
 * before the handler resolves it. A URL the handler will refuse anyway (no revision) is left to the handler.
 */
export function pullingThrough(handler: Handler, revisionOf: (context: RequestContext) => string): Handler {
  return async (context) => {
    if (context.hangar.config.pullThrough) {
      let revision: string | undefined;
      try {
        revision = revisionOf(context);
      } catch {
        revision = undefined;
      }
      if (revision !== undefined) {
        const { type, namespace, name } = context.params;
        await ensureRepoAvailable(
          context.hangar,
          context.caller,
          repoRefFromSegments(type, namespace!, name!),
          revision,
        );
      }
    }
    await handler(context);
  };
}
